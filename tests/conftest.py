"""Shared fixtures: the application on a real database, a frozen clock, and factories.

The suite runs on SQLite by default. Set TEST_DATABASE_URL to a PostgreSQL URL, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/test, to run the same tests there; that
database's tables are dropped and rebuilt from the migrations at the start.
"""

import contextvars
import os
import threading
from datetime import UTC, date, datetime, time, timedelta

import flask_migrate
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from admin.auth import hash_password
from admin.models import Staff
from booking.models import Booking, OpeningPeriod, Unit
from pastid import create_app, timeutil
from pastid.extensions import db, limiter
from sms_gateway import SMSGatewayServer
from smtp_server import SMTPTestServer
from support import CPH, STAFF_PASSWORD, login

WEEKDAYS = range(5)


def _database_url(tmp_path_factory):
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


def _reset_postgresql(url):
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def app_config(database_url, **overrides):
    """Return the configuration overrides every test application uses."""
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "MAIL_TRANSPORT": "outbox",
        "ALTCHA_COST": 1,
        "RATELIMIT_ENABLED": False,
        "PUBLIC_URL": "http://pastid.test",
        # Cheap password hashing: the production cost takes about a second per login.
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_KIB": 64,
        "ARGON2_PARALLELISM": 1,
        **overrides,
    }


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = _database_url(tmp_path_factory)
    if url.startswith("postgresql"):
        _reset_postgresql(url)
    return url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    outbox = tmp_path_factory.mktemp("outbox")
    application = create_app(app_config(database_url, MAIL_OUTBOX_DIR=str(outbox)))
    application.test_client_class = IsolatedClient
    with application.app_context():
        flask_migrate.upgrade()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture
def make_app(app, database_url):
    """Create further applications on the test database with extra settings.

    The extensions are single objects shared by every application in the process, and
    Flask-Limiter keeps its on/off switch and storage on that object, so the session's
    application is bound to them again afterwards. Each application's engine is closed
    at the end, so no database connection outlives the test.
    """
    created = []

    def factory(**overrides):
        application = create_app(app_config(database_url, **overrides))
        created.append(application)
        return application

    yield factory
    for application in created:
        with application.app_context():
            db.engine.dispose()
    limiter.init_app(app)


def _empty_tables():
    tables = [table.name for table in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(sa.text(f"DELETE FROM {name}"))
    db.session.commit()


@pytest.fixture(autouse=True)
def app_context(app):
    """Run each test inside an application context and leave every table empty after it."""
    with app.app_context():
        yield
        db.session.rollback()
        _empty_tables()
        db.session.remove()


class IsolatedClient(FlaskClient):
    """A test client whose requests run outside the test's application context.

    Flask reuses an application context that is already pushed, so without this every
    request of a test would share one `g` and one database session with the test and
    with each other. The test's own transaction is committed first, so that a request
    neither waits for its lock nor misses its rows.
    """

    def open(self, *args, **kwargs):
        db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app):
    return app.test_client()


class FrozenClock:
    def __init__(self, instant):
        self.instant = instant

    def __call__(self):
        return self.instant

    def set(self, instant):
        self.instant = instant.astimezone(UTC)

    def advance(self, **delta):
        self.instant += timedelta(**delta)


@pytest.fixture
def clock():
    """Freeze the application's clock at 2027-02-15 10:00 in Copenhagen (a Monday)."""
    frozen = FrozenClock(datetime(2027, 2, 15, 10, 0, tzinfo=CPH).astimezone(UTC))
    timeutil.set_clock(frozen)
    yield frozen
    timeutil.set_clock(None)


@pytest.fixture
def make_unit():
    """Create a committed unit; hours maps weekday to [(opens, closes)] in local time."""

    def factory(name="PAS 1", hours=None, position=None, **columns):
        if hours is None:
            hours = {weekday: [(time(9, 0), time(12, 0))] for weekday in WEEKDAYS}
        unit = Unit(name=name, position=position if position is not None else 0, **columns)
        unit.opening_periods = [
            OpeningPeriod(weekday=weekday, opens_at=opens_at, closes_at=closes_at)
            for weekday, periods in hours.items() for opens_at, closes_at in periods
        ]
        db.session.add(unit)
        db.session.commit()
        return unit

    return factory


@pytest.fixture
def make_staff():
    """Create a committed, active staff account with the password STAFF_PASSWORD.

    make_staff(role="chief") gives a chief; log in with support.login(client, staff).
    """
    numbers = iter(range(1, 1000))

    def factory(role="staff", username=None, display_name=None, password=STAFF_PASSWORD,
                **columns):
        username = username or f"{role}{next(numbers)}"
        staff = Staff(username=username, display_name=display_name or username.title(),
                      role=role, password_hash=hash_password(password), **columns)
        db.session.add(staff)
        db.session.commit()
        return staff

    return factory


@pytest.fixture
def staff_client(app, make_staff):
    """Return a factory of test clients logged in as a new account of the given role.

    client = staff_client("chief"); the account is client.staff.
    """

    def factory(role="staff", **columns):
        staff = make_staff(role, **columns)
        app.test_client_class = IsolatedClient
        logged_in = app.test_client()
        login(logged_in, staff)
        logged_in.staff = staff
        return logged_in

    return factory


@pytest.fixture
def smtp(app, monkeypatch):
    """Send the application's mail to a real SMTP server on 127.0.0.1 for this test."""
    server = SMTPTestServer()
    server.start()
    monkeypatch.setitem(app.config, "MAIL_TRANSPORT", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", server.port)
    yield server
    server.stop()


@pytest.fixture
def sms_gateway(app, monkeypatch):
    """Send the application's SMS to a local stand-in for the gateway for this test."""
    server = SMSGatewayServer()
    server.start()
    monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", server.url)
    monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", server.token)
    yield server
    server.stop()


@pytest.fixture
def make_booking():
    """Insert a committed booking directly, bypassing slot rules (holidays, past times).

    start is an aware datetime; the booking lasts minutes and was made at created_at,
    by default 30 days before its start.
    """
    counter = iter(range(1, 10_000))

    def factory(unit, start, *, minutes=15, created_at=None, **columns):
        number = next(counter)
        values = {
            "code": f"T{number:05d}", "persons": 1, "purpose": "own", "status": "booked",
            "channel": "online", "language": "da", "name": f"Borger {number}",
            "email": f"borger{number}@example.com", "phone": None,
            "manage_token_hash": f"{number:064x}",
        }
        values.update(columns)
        created_at = created_at or start - timedelta(days=30)
        booking = Booking(unit_id=unit.id, start_at=start,
                          end_at=start + timedelta(minutes=minutes), created_at=created_at,
                          updated_at=created_at, **values)
        db.session.add(booking)
        db.session.commit()
        return booking

    return factory


# Browser tests: Playwright drives Debian's Chromium against the app served on 127.0.0.1.

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    # Resolve every host name but the loopback address to nothing, so that the browser
    # sends not even a DNS query off the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def pytest_collection_modifyitems(config, items):
    """Skip browser tests where Chromium is missing, except under CI where that fails."""
    if os.path.exists(CHROMIUM) or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS,
            "headless": True}


@pytest.fixture(scope="session")
def live_server(app):
    """Serve the test application on a free port of 127.0.0.1 for the whole session."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


# KPI factories: the performance agreement and survey answers.

@pytest.fixture
def make_agreement():
    """Create a committed agreement for a year with the 2010 agreement's six goals.

    make_agreement(2027, salary_budget=1_200_000) overrides any Agreement column.
    """
    from kpi import agreement_2010
    from kpi.models import Agreement, Goal

    def factory(year=2027, **columns):
        values = {
            "title": agreement_2010.TITLE, "starts_on": date(year, 1, 1),
            "ends_on": date(year, 12, 31), "grantor": agreement_2010.GRANTOR,
            "holder": agreement_2010.HOLDER, "preamble": agreement_2010.PREAMBLE,
            "budget_text": agreement_2010.BUDGET_TEXT,
            "salary_budget": agreement_2010.SALARY_BUDGET,
            "operating_budget": agreement_2010.OPERATING_BUDGET, **columns,
        }
        agreement = Agreement(year=year, **values)
        agreement.goals = [Goal(**fields) for fields in agreement_2010.GOALS]
        db.session.add(agreement)
        db.session.commit()
        return agreement

    return factory


@pytest.fixture
def make_answers():
    """Insert committed survey answers: make_answers(day, {5: 12, 4: 4, 2: 1}).

    The scores are for the overall booking question unless question names another one;
    the other questions stay unanswered unless given in scores_of={question: score}.
    """
    from kpi.models import SurveyAnswer

    def factory(visit_date, scores, question="booking_overall", unit=None, channel="online",
                scores_of=None):
        rows = []
        for score, count in scores.items():
            rows += [SurveyAnswer(unit_id=unit.id if unit else None, visit_date=visit_date,
                                  channel=channel, purpose="own",
                                  **{**(scores_of or {}), question: score})
                     for _ in range(count)]
        db.session.add_all(rows)
        db.session.commit()
        return rows

    return factory
