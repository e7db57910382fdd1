"""Time the KPI dashboard's queries and page on 200,000 bookings and 100,000 survey answers.

Usage:
    .venv/bin/python bench/kpi_dashboard.py [--database-url URL] [--repeat N]

Without --database-url the data goes into a new SQLite file in a temporary folder. A
PostgreSQL URL must name a database that may be wiped: its public schema is dropped and
rebuilt from the migrations. The script prints figures; it is not a test.

The rows are synthetic: bookings at random times in opening hours over the last 365
days, more per day than two PAS units could serve, so that every query of the period
reads all of them. Walk-ins (WALK_INS) make the waiting-time and digital-share series
read two tables.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import flask_migrate  # noqa: E402
import sqlalchemy as sa  # noqa: E402

BOOKINGS = 200_000
SURVEY_ANSWERS = 100_000
WALK_INS = 30_000
DAYS = 365
CHUNK = 5_000
CHIEF_PASSWORD = "bench-password-not-secret"
SCORE_WEIGHTS = (0.02, 0.03, 0.05, 0.30, 0.60)


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="database to fill and wipe (default: a new "
                                               "SQLite file in a temporary folder)")
    parser.add_argument("--repeat", type=int, default=5,
                        help="timed runs of each measurement after one warm-up (default: 5)")
    return parser.parse_args()


def reset_postgresql(url):
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def create_bench_app(url):
    from pastid import create_app

    return create_app({"DATABASE_URL": url, "SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                       "RATELIMIT_ENABLED": False, "SECRET_KEY": "bench-secret-key",
                       "WTF_CSRF_ENABLED": False})


def _opening_instant(rng, day, tz):
    minutes = rng.randrange(9 * 60 + 30, 15 * 60)
    return datetime(day.year, day.month, day.day, minutes // 60, minutes % 60, tzinfo=tz)


def _past_days(today):
    return [today - timedelta(days=offset) for offset in range(1, DAYS + 1)]


def _booking_rows(rng, units, days, tz):
    for number in range(BOOKINGS):
        start = _opening_instant(rng, rng.choice(days), tz)
        status = rng.choices(("served", "no_show", "cancelled"), (0.88, 0.05, 0.07))[0]
        row = {"code": f"B{number:07d}", "unit_id": rng.choice(units), "start_at": start,
               "end_at": start + timedelta(minutes=15), "persons": 1, "purpose": "own",
               "status": status, "channel": "online" if rng.random() < 0.9 else "assisted",
               "created_at": start - timedelta(days=7), "updated_at": start}
        if status == "served":
            row["checked_in_at"] = start - timedelta(minutes=rng.uniform(0, 10))
            row["called_at"] = start + timedelta(minutes=rng.uniform(0, 4))
            row["served_at"] = row["called_at"] + timedelta(minutes=10)
        yield row


def _answer_rows(rng, units, days):
    questions = ("booking_overall", "booking_ease", "waiting_time", "professional_quality",
                 "general_service")
    for _ in range(SURVEY_ANSWERS):
        row = {"unit_id": rng.choice(units), "visit_date": rng.choice(days), "channel": "online",
               "purpose": "own"}
        for question in questions:
            row[question] = rng.choices(range(1, 6), SCORE_WEIGHTS)[0]
        yield row


def _walk_in_rows(rng, units, days, tz):
    numbers = {}
    for _ in range(WALK_INS):
        day = rng.choice(days)
        numbers[day] = numbers.get(day, 0) + 1
        arrived = _opening_instant(rng, day, tz)
        yield {"service_day": day, "number": numbers[day], "unit_id": rng.choice(units),
               "purpose": "own", "persons": 1, "status": "served", "arrived_at": arrived,
               "called_at": arrived + timedelta(minutes=rng.uniform(3, 40))}


def _insert(model, rows):
    from pastid.extensions import db

    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            db.session.execute(sa.insert(model), chunk)
            chunk = []
    if chunk:
        db.session.execute(sa.insert(model), chunk)
    db.session.commit()


def seed(app, today, tz):
    """Fill the database: the demo units, two agreements, a chief, and the rows."""
    from admin.auth import hash_password
    from admin.models import Staff, WalkIn
    from booking.models import Booking, Unit
    from booking.seed import seed_demo_centre
    from kpi.models import SurveyAnswer
    from kpi.seed import _ensure_agreement
    from pastid.extensions import db

    seed_demo_centre()
    for year in (today.year - 1, today.year):
        _ensure_agreement(year, "Aftale for Borgerservicecenteret")
    db.session.add(Staff(username="bench-chief", display_name="Bench Chief", role="chief",
                         password_hash=hash_password(CHIEF_PASSWORD)))
    db.session.commit()

    rng = random.Random(2010)
    units = list(db.session.scalars(sa.select(Unit.id)))
    days = _past_days(today)
    _insert(Booking, _booking_rows(rng, units, days, tz))
    _insert(SurveyAnswer, _answer_rows(rng, units, days))
    _insert(WalkIn, _walk_in_rows(rng, units, days, tz))
    # A database in use has planner statistics (PostgreSQL's autovacuum gathers them);
    # a freshly filled one needs ANALYZE to get them.
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()


def timed(function, repeat):
    """Return the durations in milliseconds of repeat calls, after one warm-up call."""
    function()
    durations = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        durations.append((time.perf_counter() - started) * 1000)
    return durations


def measure(app, today, tz, repeat):
    from kpi import queries, reports
    from pastid.extensions import db

    agreement = queries.get_agreement_by_year(today.year)
    period = reports.Period(today - timedelta(days=DAYS), today - timedelta(days=1))
    figures = {
        "evaluate_agreement (all six goals)": timed(
            lambda: reports.evaluate_agreement(agreement, period, today, tz), repeat),
        "weekly_series (satisfaction, bookings, waits)": timed(
            lambda: reports.weekly_series(period, tz), repeat),
        "monthly_series (digital share)": timed(lambda: reports.monthly_series(period, tz),
                                                repeat),
    }
    db.session.remove()

    client = app.test_client()
    client.post("/personale/login", data={"username": "bench-chief",
                                          "password": CHIEF_PASSWORD})
    path = (f"/personale/kpi?aftale={today.year}&fra={period.first_day.isoformat()}"
            f"&til={period.last_day.isoformat()}")
    status = client.get(path).status_code
    if status != 200:
        raise SystemExit(f"dashboard returned status {status} for {path}; check the login "
                         "and the seeded data")
    figures["GET /personale/kpi (whole page, test client)"] = timed(
        lambda: client.get(path), repeat)
    return period, figures


def print_report(url, period, figures, seconds_to_seed, repeat):
    from pastid.extensions import db

    counts = {table: db.session.scalar(sa.text(f"SELECT count(*) FROM {table}"))
              for table in ("booking", "survey_answer", "walk_in")}
    print(f"database: {sa.make_url(url).get_backend_name()} "
          f"({db.engine.dialect.server_version_info or ''})")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, {platform.platform()}, "
          f"Python {platform.python_version()}")
    print(f"rows: {counts['booking']:,} bookings, {counts['survey_answer']:,} survey answers, "
          f"{counts['walk_in']:,} walk-ins; seeded in {seconds_to_seed:.0f} s")
    print(f"period: {period.first_day} to {period.last_day} (all rows)")
    print(f"{'measurement':50} {'median ms':>10} {'min ms':>8} {'max ms':>8}  (n={repeat})")
    for name, durations in figures.items():
        print(f"{name:50} {statistics.median(durations):10.1f} {min(durations):8.1f} "
              f"{max(durations):8.1f}")


def main():
    arguments = parse_arguments()
    with tempfile.TemporaryDirectory() as directory:
        url = arguments.database_url or f"sqlite:///{Path(directory) / 'kpi-bench.sqlite3'}"
        if url.startswith("postgresql"):
            reset_postgresql(url)
        app = create_bench_app(url)
        with app.app_context():
            from pastid.extensions import db
            from pastid.timeutil import zone

            flask_migrate.upgrade()
            tz = zone(app.config["TIMEZONE"])
            today = datetime.now(UTC).astimezone(tz).date()
            started = time.perf_counter()
            seed(app, today, tz)
            seconds_to_seed = time.perf_counter() - started
            period, figures = measure(app, today, tz, arguments.repeat)
            print_report(url, period, figures, seconds_to_seed, arguments.repeat)
            db.engine.dispose()


if __name__ == "__main__":
    main()
