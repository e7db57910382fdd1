"""The job commands as real processes on the test database, with mail to a local SMTP server.

These tests run on the real clock, because the clock of another process cannot be frozen.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from pastid.extensions import db
from pastid.notifications.models import Notification
from pastid.scheduler import JOB_STORE_TABLE

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def empty_job_store():
    yield
    db.session.rollback()
    db.session.execute(sa.text(f"DELETE FROM {JOB_STORE_TABLE}"))
    db.session.commit()


# Imports the application first and then waits for a shared start time before running the
# command, so that two processes start the command together despite slow imports.
SYNCHRONISED_START = """
import sys, time
import wsgi
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
sys.argv = ["flask", "--app", "wsgi", *sys.argv[2:]]
from flask.cli import main
main()
"""


def start_flask(database_url, smtp, *arguments, start_at=None):
    """Start `flask --app wsgi <arguments>` on the test database, sending mail to smtp.

    With start_at (a time.time() value) the command starts at that moment.
    """
    environment = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "PUBLIC_URL": "http://pastid.test",
        "MAIL_TRANSPORT": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "SMS_GATEWAY_URL": "",
    }
    if start_at is None:
        command = [sys.executable, "-m", "flask", "--app", "wsgi", *arguments]
    else:
        command = [sys.executable, "-c", SYNCHRONISED_START, str(start_at), *arguments]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stored_job_count():
    with db.engine.connect() as connection:
        return connection.scalar(sa.text(f"SELECT count(*) FROM {JOB_STORE_TABLE}"))


def test_two_run_due_processes_send_once(database_url, make_unit, make_booking, smtp):
    unit = make_unit()
    now = datetime.now(UTC)
    reminded = [make_booking(unit, now + timedelta(hours=2, minutes=15 * index))
                for index in range(12)]
    surveyed = [make_booking(unit, now - timedelta(hours=3, minutes=15 * index),
                             status="served", served_at=now - timedelta(hours=2))
                for index in range(6)]
    addresses = sorted(booking.email for booking in reminded + surveyed)
    db.session.commit()

    start_at = time.time() + 10  # after both processes have imported the application
    processes = [start_flask(database_url, smtp, "jobs", "run-due", start_at=start_at)
                 for _ in range(2)]
    results = [process.communicate(timeout=120) for process in processes]

    assert [process.returncode for process in processes] == [0, 0], results
    assert sorted(envelope.rcpt_tos[0] for envelope in smtp.envelopes) == addresses
    assert db.session.execute(
        sa.select(Notification.kind, Notification.status, Notification.attempts,
                  sa.func.count())
        .group_by(Notification.kind, Notification.status, Notification.attempts)
        .order_by(Notification.kind)).all() == [
            ("reminder", "sent", 1, 12), ("survey_invitation", "sent", 1, 6)]
    log = "".join(stderr for _, stderr in results)
    assert "job booking.reminders finished" in log
    assert not [address for address in addresses if address in log]


def test_jobs_run_catches_up_and_stops_on_sigterm(database_url, make_unit, make_booking,
                                                  smtp):
    unit = make_unit()
    booking = make_booking(unit, datetime.now(UTC) + timedelta(hours=5))
    db.session.commit()

    process = start_flask(database_url, smtp, "jobs", "run")
    try:
        smtp.wait_for(1, timeout=60)
        deadline = time.monotonic() + 60
        while stored_job_count() < 5 and time.monotonic() < deadline:
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        _, log = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 0, log
    assert [envelope.rcpt_tos for envelope in smtp.envelopes] == [(booking.email,)]
    assert "scheduler started with 5 jobs" in log
    assert "scheduler stopped" in log
