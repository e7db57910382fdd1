"""The loads of bench/run.py beyond plain GETs: prepared booking sessions, the rush, staff
logins, and the in-process availability timing.
"""

import random
import statistics
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from bench import client
from bench.dataset import STAFF_PASSWORD, STAFF_USERNAMES

TAKEN_MESSAGE = "Tiden er desværre netop blevet booket"


# The booking POST with prepared sessions.

def _prepare_session(base_url, unit_and_start, tz, number):
    """Walk one session to the last step with the slot held; return its request line."""
    _, start = unit_and_start
    browser = client.Browser(base_url)
    token = client.choose_purpose(browser)
    local_start = start.astimezone(tz)
    response = client.hold_time(browser, token, local_start.date(),
                                f"any|{local_start.isoformat()}")
    if response.status not in (302, 303):
        return None
    client.enter_details(browser, token, f"bench-session-{number}@example.com")
    form = client.confirm_form(browser, token)
    body = "&".join(f"{name}={value}" for name, value in _quoted(form).items())
    return f"POST\t/bestil/bekraeft\t{browser.cookie_header()}\t{body}"


def _quoted(form):
    return {name: urllib.parse.quote(value, safe="") for name, value in form.items()}


def prepare_booking_requests(base_url, free_slots, tz, workers=8):
    """Hold each free slot in its own session through the real flow, up to the last step.

    Return one confirm POST per session, as lines in the format measure.lua replays. A
    slot lost on the way (none should be) is skipped.
    """
    with ThreadPoolExecutor(workers) as pool:
        lines = list(pool.map(
            lambda item: _prepare_session(base_url, item[1], tz, item[0]),
            enumerate(free_slots)))
    return [line for line in lines if line is not None]


# The rush.

@dataclass
class RushResult:
    clients: int
    booked: int = 0
    taken_answers: int = 0
    gave_up: int = 0
    server_errors: int = 0
    other_errors: list = field(default_factory=list)
    seconds: float = 0.0
    requests: int = 0


class _Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.values = {}

    def add(self, name, amount=1):
        with self.lock:
            self.values[name] = self.values.get(name, 0) + amount


def _rush_client(base_url, day, number, barrier, counter, rng):
    """Try to book any free time on day, choosing again after each lost time."""

    def count(response):
        counter.add("requests")
        if response.status >= 500:
            counter.add("server_errors")

    browser = client.Browser(base_url, on_response=count)
    token = client.choose_purpose(browser)
    barrier.wait()
    path = f"/bestil/tid?dato={day.isoformat()}"
    choices = client.slot_values(browser.get(path))
    while True:
        same_day = [value for value in choices if f"|{day.isoformat()}T" in value]
        if not same_day:
            counter.add("gave_up")
            return
        response = client.hold_time(browser, token, day, rng.choice(same_day))
        if response.status in (302, 303):
            break
        if response.status != 409:
            raise client.FlowError(f"hold: unexpected status {response.status}")
        counter.add("taken_answers")
        choices = client.slot_values(browser.get(path))

    client.enter_details(browser, token, f"bench-rush-{number}@example.com")
    response = browser.post("/bestil/bekraeft", client.confirm_form(browser, token))
    if response.status == 303:
        counter.add("booked")
    elif response.status == 409 and TAKEN_MESSAGE in response.text:
        counter.add("taken_answers")
    else:
        raise client.FlowError(f"confirm: unexpected status {response.status}")


def run_rush(base_url, day, clients=300, seed_value=2):
    """Let `clients` citizens start at once to book the free times of day; return counts.

    Each client places a hold on a random free time of that day and chooses again when
    that time was taken. It gives up when the day has none left, and otherwise confirms.
    """
    counter = _Counter()
    barrier = threading.Barrier(clients, timeout=300)
    errors = []
    rng_lock = threading.Lock()
    master = random.Random(seed_value)

    def one(number):
        with rng_lock:
            rng = random.Random(master.random())
        try:
            _rush_client(base_url, day, number, barrier, counter, rng)
        except (client.FlowError, OSError, threading.BrokenBarrierError) as error:
            errors.append(f"client {number}: {error}")

    threads = [threading.Thread(target=one, args=(number,)) for number in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    values = counter.values
    return RushResult(
        clients=clients, booked=values.get("booked", 0),
        taken_answers=values.get("taken_answers", 0), gave_up=values.get("gave_up", 0),
        server_errors=values.get("server_errors", 0), other_errors=errors,
        seconds=time.monotonic() - started, requests=values.get("requests", 0))


# Staff pages.

@dataclass
class StaffRoutes:
    checkin: bool
    dashboard: bool


def staff_routes(base_url):
    """Find out which staff pages exist: they redirect an anonymous visitor to the login."""
    browser = client.Browser(base_url)
    return StaffRoutes(checkin=browser.get("/personale/ankomst").status != 404,
                       dashboard=browser.get("/personale/kpi").status != 404)


def checkin_codes(database_url, tz):
    """Return (codes to check in, how many of them can really be checked in now).

    The codes are today's bookings: first those still booked, which the run checks in
    (late ones too, as staff may), then the rest, for which the page reports "already
    checked in". On a day without bookings they are the next bookings, reported as
    booked for another day.
    """
    from booking.models import Booking
    from pastid.timeutil import local_day_bounds, local_today, now_utc

    engine = sa.create_engine(database_url)
    starts_at, ends_at = local_day_bounds(local_today(tz, now_utc()), tz)
    booking = Booking.__table__
    with engine.connect() as connection:
        today = connection.execute(
            sa.select(booking.c.code, booking.c.status)
            .where(booking.c.start_at >= starts_at, booking.c.start_at < ends_at)
            .order_by(booking.c.start_at)).all()
        if not today:
            today = connection.execute(
                sa.select(booking.c.code, booking.c.status)
                .where(booking.c.start_at >= ends_at, booking.c.status == "booked")
                .order_by(booking.c.start_at).limit(50)).all()
            today = [(code, "other day") for code, _ in today]
    engine.dispose()
    waiting = [code for code, status in today if status == "booked"]
    return waiting + [code for code, status in today if status != "booked"], len(waiting)

def staff_browser(base_url, role):
    """Return a Browser logged in as the bench's account of role."""
    browser = client.Browser(base_url)
    page = client.expect(browser.get("/personale/login"), {200}, "login page")
    client.expect(browser.post("/personale/login", {
        "csrf_token": client.csrf_token(page), "username": STAFF_USERNAMES[role],
        "password": STAFF_PASSWORD}), {302, 303}, "login")
    return browser


def prepare_checkin_requests(base_url, codes, path):
    """Write one check-in POST per code, all from one logged-in front-desk session."""
    browser = staff_browser(base_url, "frontdesk")
    page = client.expect(browser.get("/personale/ankomst"), {200}, "check-in page")
    form_token = client.csrf_token(page)
    lines = []
    for code in codes:
        body = "&".join(f"{name}={value}" for name, value in _quoted(
            {"csrf_token": form_token, "code": code, "accept_late": "1"}).items())
        lines.append(f"POST\t/personale/ankomst\t{browser.cookie_header()}\t{body}")
    path.write_text("\n".join(lines) + "\n")
    return len(lines)


# In-process availability.

def time_free_slots(app, first_day, days, repeats=50):
    """Time list_free_slots over `days` days from first_day, in-process.

    Return (median ms, max ms, free times found). The clock is wall time, so a busy
    machine makes the figures worse, never better.
    """
    from booking import queries
    from pastid.extensions import db
    from pastid.timeutil import now_utc, zone

    tz = zone(app.config["TIMEZONE"])
    timings = []
    with app.app_context():
        now = now_utc()
        last_day = first_day + timedelta(days=days - 1)
        count = len(queries.list_free_slots(first_day, last_day, now=now, tz=tz))
        for _ in range(repeats):
            started = time.perf_counter()
            queries.list_free_slots(first_day, last_day, now=now, tz=tz)
            timings.append((time.perf_counter() - started) * 1000)
            db.session.rollback()
    return statistics.median(timings), max(timings), count


# Database checks after the run.

def check_database(database_url, rush_day, tz):
    """Return the counts that show whether any slot was booked twice, and the rush's result."""
    from booking.models import Booking
    from pastid.timeutil import local_day_bounds

    booking = Booking.__table__
    engine = sa.create_engine(database_url)
    starts_at, ends_at = local_day_bounds(rush_day, tz)
    with engine.connect() as connection:
        def scalar(sql, **parameters):
            return connection.execute(sa.text(sql), parameters).scalar()

        checks = {
            "slot rows on the same slot": scalar(
                "SELECT count(*) FROM (SELECT unit_id, start_at FROM slot_reservation "
                "GROUP BY unit_id, start_at HAVING count(*) > 1) AS doubled"),
            "active bookings on the same slot": scalar(
                "SELECT count(*) FROM (SELECT unit_id, start_at FROM booking "
                "WHERE status <> 'cancelled' GROUP BY unit_id, start_at "
                "HAVING count(*) > 1) AS doubled"),
            "rush bookings in the database": connection.execute(
                sa.select(sa.func.count()).select_from(booking)
                .where(booking.c.email.like("bench-rush-%"), booking.c.start_at >= starts_at,
                       booking.c.start_at < ends_at)).scalar(),
        }
    engine.dispose()
    return checks
