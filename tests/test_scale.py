"""Several app servers at once: shared rate limits in Redis, and no slot booked twice.

Each test starts two gunicorn instances on free ports of 127.0.0.1 (two sync workers
each) against a database of its own, and sends every request to one of them in turn,
as a load balancer would. The servers run on the real clock.

The tests need Redis at 127.0.0.1:6379 and PostgreSQL at 127.0.0.1:5432 (or the server
in TEST_DATABASE_URL). Without them the tests are skipped, but under CI (the CI
environment variable set) they fail.
"""

import http.client
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from datetime import UTC, datetime, time as wall_time, timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import altcha
import pytest
import redis
import sqlalchemy as sa

from booking.models import Booking, OpeningPeriod, SlotReservation, Unit
from booking.slots import closing_days
from support import CPH

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379"
DEFAULT_POSTGRESQL_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TAKEN_MESSAGE = "Tiden er desværre netop blevet booket"

pytestmark = pytest.mark.slow


def unavailable(reason):
    """Skip the test for a missing service, or fail when running under CI."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must provide it")
    pytest.skip(reason)


# Servers.

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One gunicorn instance serving Pastid on 127.0.0.1."""

    def __init__(self, environment, log_path, overrides):
        self.port = free_port()
        self.log_path = log_path
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "--bind", f"127.0.0.1:{self.port}", "--workers", "2",
                   "--chdir", str(ROOT), f"pastid:create_app({overrides!r})"]
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(command, env={**os.environ, **environment},
                                            stdout=log, stderr=log)

    def wait_until_healthy(self, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"gunicorn exited; see {self.log_path}"
            try:
                if request(self.port, "GET", "/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        pytest.fail(f"gunicorn on port {self.port} did not answer /healthz; see {self.log_path}")

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_servers(tmp_path):
    """Return a function that starts two servers with these settings; both stop afterwards."""
    servers = []

    def start(environment, overrides=None):
        for name in ("a", "b"):
            servers.append(Server(environment, tmp_path / f"gunicorn-{name}.log",
                                  overrides or {}))
        for server in servers:
            server.wait_until_healthy()
        return servers

    yield start
    for server in servers:
        server.stop()


def server_environment(database_url, tmp_path, **settings):
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "scale-test-secret-key",
        "MAIL_TRANSPORT": "outbox",
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "ALTCHA_COST": "1",
        "PUBLIC_URL": "http://pastid.test",
        **settings,
    }


def migrate(database_url):
    """Run `flask db upgrade` against database_url, as a release step would."""
    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"], cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url}, capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


# A client that keeps its session cookie across both servers.

class Response:
    def __init__(self, status, text, cookies):
        self.status = status
        self.text = text
        self.cookies = cookies


def request(port, method, path, form=None, cookies=None):
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = None
    if form is not None:
        body = urllib.parse.urlencode(form)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        set_cookies = response.headers.get_all("Set-Cookie") or []
    finally:
        connection.close()
    received = {}
    for raw in set_cookies:
        received.update({name: morsel.value for name, morsel in SimpleCookie(raw).items()})
    return Response(response.status, text, received)


class Citizen:
    """A browser whose requests go to the servers in turn."""

    def __init__(self, servers, first):
        self.ports = [server.port for server in servers]
        self.turn = first
        self.cookies = {}
        self.statuses = []

    def send(self, method, path, form=None):
        port = self.ports[self.turn % len(self.ports)]
        self.turn += 1
        response = request(port, method, path, form, self.cookies)
        self.cookies.update(response.cookies)
        self.statuses.append(response.status)
        return response


# Rate limits shared through Redis.

@pytest.fixture
def redis_prefix():
    """Return a key prefix of this test's own; its keys are deleted afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        unavailable(f"Redis at {REDIS_URL} is not reachable: {error}")
    prefix = f"pastid-scale-test-{secrets.token_hex(6)}"
    yield prefix
    keys = list(client.scan_iter(match=f"*{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


def test_rate_limit_is_shared(start_servers, redis_prefix, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    migrate(database_url)
    environment = server_environment(database_url, tmp_path, RATELIMIT_STORAGE_URI=REDIS_URL,
                                     RATELIMIT_API="4 per hour")
    servers = start_servers(environment, {"RATELIMIT_KEY_PREFIX": redis_prefix})
    path = "/api/v1/availability?from=2027-04-05&to=2027-04-05"

    # Alternate the servers: A, B, A, B, A, then B once more.
    statuses = [request(servers[n % 2].port, "GET", path).status for n in range(6)]

    assert statuses == [200, 200, 200, 200, 429, 429]


def test_rate_limit_answer_is_json(start_servers, redis_prefix, tmp_path):
    database_url = f"sqlite:///{tmp_path / 'limits.sqlite3'}"
    migrate(database_url)
    environment = server_environment(database_url, tmp_path, RATELIMIT_STORAGE_URI=REDIS_URL,
                                     RATELIMIT_API="1 per hour")
    servers = start_servers(environment, {"RATELIMIT_KEY_PREFIX": redis_prefix})
    path = "/api/v1/availability?from=2027-04-05&to=2027-04-05"

    first = request(servers[0].port, "GET", path)
    rejected = request(servers[1].port, "GET", path)

    assert first.status == 200
    assert rejected.status == 429
    assert "error" in json.loads(rejected.text)


# No double booking on PostgreSQL.

@pytest.fixture
def postgresql_url():
    """Create a PostgreSQL database of this test's own; return its URL and drop it after."""
    configured = os.environ.get("TEST_DATABASE_URL", "")
    base = sa.make_url(configured if configured.startswith("postgresql")
                       else DEFAULT_POSTGRESQL_URL)
    name = f"test_scale_{secrets.token_hex(4)}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT",
                             connect_args={"connect_timeout": 5})
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    except sa.exc.OperationalError as error:
        admin.dispose()
        unavailable(f"PostgreSQL at {base.host}:{base.port} is not reachable: {error.orig}")
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin.dispose()


def race_day(today):
    """Return a day 30 to 40 days ahead that is no holiday or customary closing day."""
    day = today + timedelta(days=30)
    while closing_days(day, day):
        day += timedelta(days=1)
    return day


def seed_two_units(engine, opens_at, closes_at):
    """Create two active units open every day from opens_at to closes_at (local time)."""
    with engine.begin() as connection:
        for position in (1, 2):
            unit_id = connection.execute(
                sa.insert(Unit.__table__).returning(Unit.__table__.c.id),
                {"name": f"PAS {position}", "location": "", "position": position,
                 "is_active": True, "slot_minutes": 15, "horizon_days": 60,
                 "lead_minutes": 120, "created_at": datetime.now(UTC)}).scalar_one()
            connection.execute(sa.insert(OpeningPeriod.__table__), [
                {"unit_id": unit_id, "weekday": weekday, "opens_at": opens_at,
                 "closes_at": closes_at} for weekday in range(7)])


def walk_to_last_step(citizen, start, number):
    """Walk the flow up to the confirm step with start held; return the confirm form."""
    page = citizen.send("GET", "/bestil")
    token = CSRF_FIELD.search(page.text).group(1)
    assert citizen.send("POST", "/bestil", {"csrf_token": token, "purpose": "own",
                                            "unit": "any"}).status == 302
    day = start.date().isoformat()
    # Two clients holding the same time at the same moment make one of them lose with
    # 409; a lapsed hold is free again, so the loser tries again.
    for _ in range(50):
        hold = citizen.send("POST", f"/bestil/tid?dato={day}",
                            {"csrf_token": token, "slot": f"any|{start.isoformat()}"})
        if hold.status != 409:
            break
        time.sleep(0.05)
    assert hold.status == 302, f"hold returned {hold.status}"
    assert citizen.send("POST", "/bestil/oplysninger", {
        "csrf_token": token, "name": "Race Borger", "email": f"race{number}@example.com",
        "phone": "", "consent": "y"}).status == 302
    challenge = altcha.Challenge.from_dict(
        json.loads(citizen.send("GET", "/api/altcha/challenge").text))
    payload = altcha.Payload(challenge, altcha.solve_challenge(challenge)).to_base64()
    return {"csrf_token": token, "altcha": payload}


CLIENTS = 40


def test_racing_clients_never_double_book(start_servers, postgresql_url, tmp_path):
    migrate(postgresql_url)
    engine = sa.create_engine(postgresql_url)
    seed_two_units(engine, wall_time(9, 0), wall_time(9, 45))
    day = race_day(datetime.now(UTC).astimezone(CPH).date())
    starts = [datetime.combine(day, wall_time(9, 15 * n), tzinfo=CPH) for n in range(3)]
    # HOLD_MINUTES=0 lets every hold lapse at once, so the race is decided by the final
    # POST: all clients reach it, two per start time can win (one per unit).
    environment = server_environment(postgresql_url, tmp_path, HOLD_MINUTES="0",
                                     RATELIMIT_BOOKING="10000 per minute",
                                     RATELIMIT_API="10000 per minute")
    servers = start_servers(environment)

    citizens = [Citizen(servers, first=number) for number in range(CLIENTS)]
    barrier = threading.Barrier(CLIENTS, timeout=120)
    answers = [None] * CLIENTS
    errors = []

    def book(number):
        try:
            form = walk_to_last_step(citizens[number], starts[number % 3], number)
            barrier.wait()
            answers[number] = citizens[number].send("POST", "/bestil/bekraeft", form)
        except Exception as error:  # noqa: BLE001  (reported by the assertion below)
            errors.append(f"client {number}: {error!r}")
            barrier.abort()

    threads = [threading.Thread(target=book, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    statuses = [status for citizen in citizens for status in citizen.statuses]
    assert [status for status in statuses if status >= 500] == []
    booked = [answer for answer in answers if answer.status == 303]
    lost = [answer for answer in answers if answer.status != 303]
    assert len(booked) == 6
    assert {answer.status for answer in lost} == {409}
    assert all(TAKEN_MESSAGE in answer.text for answer in lost)

    with engine.connect() as connection:
        bookings = connection.execute(
            sa.select(Booking.__table__.c.unit_id, Booking.__table__.c.start_at)
            .where(Booking.__table__.c.status == "booked")).all()
        reservations = connection.execute(
            sa.select(SlotReservation.__table__.c.unit_id, SlotReservation.__table__.c.start_at,
                      SlotReservation.__table__.c.booking_id)
            .where(SlotReservation.__table__.c.booking_id.is_not(None))).all()
    engine.dispose()
    assert len(bookings) == 6
    assert len(set(bookings)) == 6
    assert {(unit_id, start) for unit_id, start, _ in reservations} == set(bookings)
    assert len(reservations) == 6
