"""The benchmark's data set: scratch databases and a centre with a long booking history.

The centre is the demo centre (`flask seed demo`: two PAS units with 15-minute slots and
a 60-day horizon), so one day's availability lists what a citizen would really see.
On top come BOOKINGS bookings and SURVEY_ANSWERS survey answers:

- a quarter of the horizon's slots are booked, so the booking run has free times to take,
- one day late in the horizon (the rush day) is booked up but for RUSH_FREE_SLOTS slots,
- the rest of the bookings fill three quarters of the slots going back in time, with the
  statuses, timestamps and erased personal data of visits that already happened.

Times come from the real clock, because the servers under test run on it.
"""

import dataclasses
import hashlib
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent

BOOKINGS = 20_000
SURVEY_ANSWERS = 100_000
FUTURE_SHARE_BOOKED = 0.25
PAST_SHARE_BOOKED = 0.75
RUSH_FREE_SLOTS = 30
# Personal data of visits older than this is erased, as the retention job does.
RETENTION_DAYS = 30
# Booked visits that started up to this long ago are still waiting for check-in.
WAITING_MINUTES = 60
HISTORY_YEARS = 4
INSERT_CHUNK = 2_000
STAFF_PASSWORD = "bench-password-not-secret"
STAFF_USERNAMES = {"frontdesk": "bench-frontdesk", "chief": "bench-chief"}


@dataclass
class DataSet:
    """Facts about the seeded data that the measurements need."""

    rush_day: date
    free_slots: list  # (unit_id, aware UTC start) outside the rush day, free after seeding
    bookings: int
    future_bookings: int
    survey_answers: int | None  # None: the survey table does not exist
    bench_row_id: int  # the bench_row that /bench/read reads
    notes: list


# Scratch databases.

def create_sqlite_database(directory):
    """Return the URL of a new SQLite file in directory."""
    path = Path(directory) / "bench.sqlite3"
    if path.exists():
        path.unlink()
    return f"sqlite:///{path}"


def create_postgresql_database(url):
    """Drop and create the PostgreSQL database that url names; return url.

    Connects to the server's `postgres` database to do so, so url's user needs the right
    to create databases.
    """
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = connection.dialect.identifier_preparer.quote(target.database)
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    admin.dispose()
    return url


def drop_postgresql_database(url):
    target = sa.make_url(url)
    admin = sa.create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = connection.dialect.identifier_preparer.quote(target.database)
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


def migrate(url):
    """Run `flask db upgrade` against url in a subprocess, as a release step would."""
    flask = Path(sys.executable).with_name("flask")
    subprocess.run([str(flask), "--app", "wsgi", "db", "upgrade"], cwd=ROOT, check=True,
                   env={**os.environ, "DATABASE_URL": url}, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


# Slots.

def _all_slots(schedules, first_day, last_day, tz):
    """Return every slot of the schedules on first_day..last_day, ignoring lead time."""
    from booking import queries
    from booking.slots import closing_days, generate_slots
    from pastid.timeutil import local_day_bounds

    starts_at = local_day_bounds(first_day, tz)[0]
    ends_at = local_day_bounds(last_day, tz)[1]
    span = (last_day - first_day).days + 1
    unlimited = [dataclasses.replace(schedule, horizon_days=span, lead_minutes=0)
                 for schedule in schedules]
    return generate_slots(
        unlimited, queries.load_closures(starts_at, ends_at),
        closing_days(first_day, last_day, queries.load_holiday_modes()),
        set(), first_day, last_day, starts_at - timedelta(days=1), tz)


def _bookable_slots(now, tz):
    """Return the slots a citizen can book now, over the whole horizon."""
    from booking import queries
    from booking.slots import closing_days, generate_slots
    from pastid.timeutil import local_day_bounds, local_today

    schedules = queries.load_schedules()
    first_day, last_day = queries.booking_window(now, tz)
    return generate_slots(
        schedules,
        queries.load_closures(local_day_bounds(first_day, tz)[0],
                              local_day_bounds(last_day, tz)[1]),
        closing_days(first_day, last_day, queries.load_holiday_modes()),
        set(), max(first_day, local_today(tz, now)), last_day, now, tz)


# Rows.

class _Codes:
    """Unique booking codes, drawn as the application draws them."""

    def __init__(self, rng):
        from booking.codes import ALPHABET, LENGTH
        from booking.models import Booking
        from pastid.extensions import db

        self.alphabet, self.length, self.rng = ALPHABET, LENGTH, rng
        self.used = set(db.session.scalars(sa.select(Booking.code)))

    def draw(self):
        while True:
            code = "".join(self.rng.choice(self.alphabet) for _ in range(self.length))
            if code not in self.used:
                self.used.add(code)
                return code


def _token_hash(rng):
    return hashlib.sha256(rng.randbytes(32)).hexdigest()


def _booking_row(booking_id, slot, now, rng, codes, *, happened):
    """Return the column values of one booking on slot, as the application would leave it."""
    created_at = min(slot.start - timedelta(hours=rng.uniform(3, 24 * 40)), now)
    row = {
        "id": booking_id, "code": codes.draw(), "unit_id": slot.unit_id,
        "start_at": slot.start, "end_at": slot.end, "persons": 1,
        "purpose": rng.choices(["own", "child"], [0.7, 0.3])[0],
        "channel": rng.choices(["online", "assisted"], [0.9, 0.1])[0],
        "language": rng.choices(["da", "en"], [0.9, 0.1])[0],
        "sequence": 0, "created_at": created_at, "updated_at": created_at,
        "name": None, "email": None, "phone": None, "manage_token_hash": None,
        "erased_at": None, "cancelled_at": None, "checked_in_at": None, "called_at": None,
        "serving_started_at": None, "served_at": None, "no_show_at": None,
    }
    if happened:
        row["status"] = rng.choices(["served", "no_show", "cancelled"], [0.85, 0.05, 0.10])[0]
    else:
        row["status"] = rng.choices(["booked", "cancelled"], [0.95, 0.05])[0]

    if row["status"] == "cancelled":
        row["cancelled_at"] = row["updated_at"] = min(
            created_at + (slot.start - created_at) * rng.random(), now)
        row["sequence"] = 1
    elif row["status"] == "served":
        row["checked_in_at"] = slot.start - timedelta(minutes=rng.uniform(0, 20))
        row["called_at"] = slot.start + timedelta(minutes=rng.uniform(-5, 10))
        row["serving_started_at"] = row["called_at"] + timedelta(minutes=1)
        row["served_at"] = row["updated_at"] = (
            row["serving_started_at"] + timedelta(minutes=rng.uniform(5, 15)))
    elif row["status"] == "no_show":
        row["no_show_at"] = row["updated_at"] = slot.end + timedelta(minutes=15)

    if happened and slot.start < now - timedelta(days=RETENTION_DAYS):
        row["erased_at"] = slot.start + timedelta(days=RETENTION_DAYS)
    else:
        row["name"] = "Bench Borger"
        row["email"] = f"seeded-{booking_id}@example.com"
        row["phone"] = f"+45 2{booking_id:07d}" if rng.random() < 0.5 else None
        row["manage_token_hash"] = _token_hash(rng)
    return row


def _insert(table, rows):
    from pastid.extensions import db

    for index in range(0, len(rows), INSERT_CHUNK):
        db.session.execute(table.insert(), rows[index:index + INSERT_CHUNK])


def _insert_bookings(slots_with_flag, now, rng):
    """Insert a booking on each (slot, happened) pair, and slot rows for those not cancelled."""
    from booking.models import Booking, SlotReservation
    from pastid.extensions import db

    codes = _Codes(rng)
    first_id = (db.session.scalar(sa.select(sa.func.max(Booking.id))) or 0) + 1
    bookings, reservations = [], []
    for offset, (slot, happened) in enumerate(slots_with_flag):
        row = _booking_row(first_id + offset, slot, now, rng, codes, happened=happened)
        bookings.append(row)
        if row["status"] != "cancelled":
            reservations.append({"unit_id": slot.unit_id, "start_at": slot.start,
                                 "booking_id": row["id"]})
    _insert(Booking.__table__, bookings)
    _insert(SlotReservation.__table__, reservations)
    if db.engine.dialect.name == "postgresql":
        # Explicit ids leave the id sequence behind; move it past them.
        db.session.execute(sa.text(
            "SELECT setval(pg_get_serial_sequence('booking', 'id'), max(id)) FROM booking"))
    return len(bookings)


def _used_slots():
    """Return the (unit_id, start) pairs that bookings or slot rows already use."""
    from booking.models import Booking, SlotReservation
    from pastid.extensions import db

    reserved = db.session.execute(sa.select(SlotReservation.unit_id, SlotReservation.start_at))
    booked = db.session.execute(sa.select(Booking.unit_id, Booking.start_at))
    return {tuple(row) for row in reserved} | {tuple(row) for row in booked}


def _count_rows(table_name):
    from pastid.extensions import db

    return db.session.scalar(sa.text(f"SELECT count(*) FROM {table_name}"))


def _seed_bookings(now, tz, rng):
    """Book the horizon, the rush day and the past, on slots no seeder used yet.

    Return (rush day, free slots, bookings in all, future bookings inserted). The demo
    seeders' bookings count towards BOOKINGS.
    """
    from booking import queries
    from pastid.timeutil import local_today

    today = local_today(tz, now)
    used_slots = _used_slots()
    bookable = [slot for slot in _bookable_slots(now, tz)
                if (slot.unit_id, slot.start) not in used_slots]
    slots_by_day = {}
    for slot in bookable:
        slots_by_day.setdefault(slot.start.astimezone(tz).date(), []).append(slot)
    rush_day = max(day for day, slots in slots_by_day.items()
                   if len(slots) >= RUSH_FREE_SLOTS + 10)

    rush_slots = slots_by_day[rush_day]
    booked_on_rush_day = rng.sample(rush_slots, len(rush_slots) - RUSH_FREE_SLOTS)
    others = [slot for slot in bookable if slot.start.astimezone(tz).date() != rush_day]
    booked_future = rng.sample(others, round(len(others) * FUTURE_SHARE_BOOKED))
    booked = set(booked_future)
    free = [(slot.unit_id, slot.start) for slot in others if slot not in booked]

    chosen = [(slot, False) for slot in booked_on_rush_day + booked_future]
    still_needed = BOOKINGS - _count_rows("booking")
    history = _all_slots(queries.load_schedules(), today - timedelta(days=365 * HISTORY_YEARS),
                         today, tz)
    bookable_keys = {(slot.unit_id, slot.start) for slot in bookable}
    waiting_since = now - timedelta(minutes=WAITING_MINUTES)
    for slot in reversed(history):
        if len(chosen) >= still_needed:
            break
        key = (slot.unit_id, slot.start)
        if key in used_slots or key in bookable_keys or rng.random() >= PAST_SHARE_BOOKED:
            continue
        # Today's visits from WAITING_MINUTES ago until the lead time are still booked,
        # waiting for check-in; everything earlier has happened.
        chosen.append((slot, slot.start < waiting_since))
    if len(chosen) < still_needed:
        raise RuntimeError(f"only {len(chosen)} free slots in {HISTORY_YEARS} years of history; "
                           f"raise HISTORY_YEARS to seed {BOOKINGS} bookings")
    _insert_bookings(chosen, now, rng)
    return rush_day, free, _count_rows("booking"), len(booked_on_rush_day) + len(booked_future)


# Survey answers.

SCORE_WEIGHTS = [0.03, 0.04, 0.08, 0.30, 0.45, 0.10]  # scores 1-5, then None ("ved ikke")


def _answer_values(column, rng, day, unit_ids):
    name = column.name
    if name == "unit_id":
        return rng.choice(unit_ids)
    if name == "visit_date":
        return day
    if name == "channel":
        return rng.choices(["online", "assisted"], [0.9, 0.1])[0]
    if name == "purpose":
        return rng.choices(["own", "child"], [0.7, 0.3])[0]
    if name == "comment":
        return "Hurtig og venlig betjening." if rng.random() < 0.05 else None
    if isinstance(column.type, sa.SmallInteger):
        return rng.choices([1, 2, 3, 4, 5, None], SCORE_WEIGHTS)[0]
    if name.endswith("_at") and isinstance(column.type, sa.types.TypeDecorator):
        return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    if column.nullable or column.default is not None or column.primary_key:
        return None
    raise RuntimeError(f"survey_answer.{name} is required and the bench cannot fill it")


def _seed_survey_answers(now, tz, rng, notes):
    """Top the survey answers up to SURVEY_ANSWERS over two years; return the count, or None.

    The table is the KPI package's survey_answer, and the values are chosen by column
    name. A column added later is filled when it is nullable or typed as a score.
    """
    from booking.models import Unit
    from pastid.extensions import db
    from pastid.timeutil import local_today

    table = db.metadata.tables.get("survey_answer")
    if table is None or not sa.inspect(db.session.connection()).has_table("survey_answer"):
        notes.append("survey answers: not seeded, the survey_answer table does not exist yet")
        return None
    unit_ids = list(db.session.scalars(sa.select(Unit.id)))
    today = local_today(tz, now)
    weekdays = [today - timedelta(days=n) for n in range(1, 731)
                if (today - timedelta(days=n)).weekday() < 5]
    columns = [column for column in table.columns if not column.primary_key]
    rows = []
    for _ in range(SURVEY_ANSWERS - _count_rows("survey_answer")):
        day = rng.choice(weekdays)
        row = {column.name: _answer_values(column, rng, day, unit_ids) for column in columns}
        rows.append({name: value for name, value in row.items() if value is not None
                     or table.columns[name].nullable})
    _insert(table, rows)
    return _count_rows("survey_answer")


# Staff.

def _seed_staff():
    """Create a front-desk and a chief account with STAFF_PASSWORD through the admin service."""
    from admin.accounts import create_staff
    from pastid.timeutil import now_utc

    for role, username in STAFF_USERNAMES.items():
        create_staff(username, username, role, STAFF_PASSWORD, actor_id=None, now=now_utc())


def _analyze():
    from pastid.extensions import db

    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    else:
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()


def _run_seeder(seeder, notes, attempts=3):
    """Run a demo seeder, again after a unique-constraint failure, which it rolls back.

    NOTE: kpi.seed.seed_demo_kpi draws a random code for each of its thousands of demo
    bookings without checking for duplicates, so it fails now and then (birthday odds of
    a few percent late in the year). A second run draws new codes.
    """
    from pastid.extensions import db

    for attempt in range(1, attempts + 1):
        try:
            seeder()
            return
        except sa.exc.IntegrityError as error:
            db.session.rollback()
            notes.append(f"demo seeder {seeder.__module__}.{seeder.__name__} failed on a "
                         f"unique constraint (attempt {attempt}): {error.orig}".splitlines()[0])
            if attempt == attempts:
                raise


def seed(app, seed_value=1):
    """Seed the data set into app's database and return a DataSet; run in an app context.

    The demo seeders of every feature run first, and their output is discarded because it
    contains generated passwords. Then the bench's own rows go in and statistics are
    updated.
    """
    from pastid.bench import bench_row, create_bench_table
    from pastid.extensions import db
    from pastid.timeutil import now_utc, zone

    notes = []
    for seeder in app.extensions["pastid.seeders"]:
        _run_seeder(seeder, notes)
    tz = zone(app.config["TIMEZONE"])
    now = now_utc()
    rng = random.Random(seed_value)

    rush_day, free, count, future = _seed_bookings(now, tz, rng)
    answers = _seed_survey_answers(now, tz, rng, notes)
    _seed_staff()
    create_bench_table(db.session.connection())
    bench_row_id = db.session.execute(bench_row.insert().values(created_at=now, note="bench")
                                      .returning(bench_row.c.id)).scalar_one()
    _analyze()
    return DataSet(rush_day=rush_day, free_slots=free, bookings=count, future_bookings=future,
                   survey_answers=answers, bench_row_id=bench_row_id, notes=notes)
