"""The scheduler: job format, daily runs across daylight-saving changes, catch-up at start,
the job store, the CLI commands, and two schedulers sharing one database."""

import threading
import time as clock_time
from dataclasses import replace
from datetime import UTC, date, time, timedelta

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from booking.models import Booking
from pastid import create_app, scheduler
from pastid.extensions import db
from pastid.notifications.models import Notification
from pastid.scheduler import Job, JobRun
from support import CPH, local

NOW = local(2027, 2, 15, 10, 0)
BOOKING_JOBS = ["booking.reminders", "booking.survey_invitations", "booking.no_shows",
                "booking.retention", "booking.cleanup"]


@pytest.fixture(autouse=True)
def empty_job_store():
    """Empty APScheduler's table after each test: it has no model, so the shared
    clean-up leaves it alone."""
    yield
    db.session.rollback()
    db.session.execute(sa.text(f"DELETE FROM {scheduler.JOB_STORE_TABLE}"))
    db.session.commit()


def stored_job_ids():
    ids = db.session.scalars(
        sa.text(f"SELECT id FROM {scheduler.JOB_STORE_TABLE} ORDER BY id")).all()
    # End the read: on SQLite the test's open transaction would lock out the scheduler.
    db.session.commit()
    return ids


def count_messages_to(smtp, address):
    return sum(1 for envelope in smtp.envelopes if envelope.rcpt_tos == (address,))


# The job format.

def test_booking_jobs_are_registered(app):
    jobs = app.extensions["pastid.jobs"]

    assert [job.name for job in jobs if job.name.startswith("booking.")] == BOOKING_JOBS
    by_name = {job.name: job for job in jobs}
    assert by_name["booking.reminders"].every == timedelta(minutes=5)
    assert by_name["booking.retention"].daily_at == time(4, 30)
    assert by_name["booking.cleanup"].daily_at == time(4, 30)


@pytest.mark.parametrize(("timing", "message"), [
    ({}, "set exactly one of every and daily_at"),
    ({"every": timedelta(minutes=5), "daily_at": time(5, 0)},
     "set exactly one of every and daily_at"),
    ({"every": timedelta(0)}, "every must be positive"),
    ({"daily_at": time(2, 30)}, "daily_at 02:30 is before 04:00"),
    ({"daily_at": time(0, 0)}, "daily_at 00:00 is before 04:00"),
])
def test_job_rejects_invalid_timing(timing, message):
    with pytest.raises(ValueError, match=message):
        Job("test.job", lambda now: 0, **timing)


def test_parse_daily_time():
    assert scheduler.parse_daily_time("04:30") == time(4, 30)
    assert scheduler.parse_daily_time(" 23:05 ") == time(23, 5)
    with pytest.raises(ValueError, match="daily job time must look like 04:30, not '4.30'"):
        scheduler.parse_daily_time("4.30")


# Daily jobs across the daylight-saving changes.

DST_WEEKS = [
    (date(2027, 3, 26), date(2027, 4, 1)),   # summer time starts on Sunday 28 March
    (date(2027, 10, 29), date(2027, 11, 2)),  # and ends on Sunday 31 October
]


def days_between(first, last):
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def fire_times(trigger, first, last):
    """Return the trigger's fire times on the local days first..last, as APScheduler
    computes them one after the other."""
    times = []
    previous = None
    now = local(first.year, first.month, first.day)
    end = local(last.year, last.month, last.day) + timedelta(days=1)
    while (fire := trigger.get_next_fire_time(previous, now)) < end:
        times.append(fire)
        previous = now = fire
    return times


@pytest.mark.parametrize(("first", "last"), DST_WEEKS)
def test_daily_trigger_fires_once_per_local_day(app, first, last):
    daily = [job for job in app.extensions["pastid.jobs"] if job.daily_at is not None]
    assert [job.name for job in daily] == ["booking.retention", "booking.cleanup"]

    for job in daily:
        times = fire_times(job.trigger(CPH), first, last)
        local_times = [fire.astimezone(CPH) for fire in times]
        assert [moment.date() for moment in local_times] == days_between(first, last)
        assert {moment.time() for moment in local_times} == {time(4, 30)}


@pytest.mark.parametrize(("first", "last"), DST_WEEKS)
def test_daily_job_does_work_once_per_local_day(first, last):
    runs = []
    job = Job("test.daily", lambda now: runs.append(now) or 1, daily_at=time(4, 30))
    # Run at the hours around a DST change, just before 04:30, and four times from 04:30.
    hours = [(0, 0), (2, 30), (4, 29), (4, 30), (4, 30), (12, 0), (23, 59)]

    for day in days_between(first, last):
        for hour, minute in hours:
            wall = local(day.year, day.month, day.day, hour, minute)
            # 02:30 on 31 October happens twice: at +02:00 and again at +01:00.
            for fold in (0, 1):
                instant = wall.replace(fold=fold).astimezone(UTC)
                scheduler.execute(job, instant)

    ran_on = [moment.astimezone(CPH) for moment in runs]
    assert [moment.date() for moment in ran_on] == days_between(first, last)
    assert {moment.time() for moment in ran_on} == {time(4, 30)}
    rows = db.session.execute(sa.select(JobRun.day, JobRun.rows).order_by(JobRun.day)).all()
    assert rows == [(day, 1) for day in days_between(first, last)]


def test_failed_daily_job_can_run_again_that_day():
    calls = []

    def fail_first(now):
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("database unavailable")
        return 3

    job = Job("test.daily", fail_first, daily_at=time(4, 30))

    with pytest.raises(RuntimeError, match="database unavailable"):
        scheduler.execute(job, local(2027, 2, 15, 4, 30))
    assert db.session.scalars(sa.select(JobRun.day)).all() == []

    assert scheduler.execute(job, local(2027, 2, 15, 4, 35)) == 3
    assert scheduler.execute(job, local(2027, 2, 15, 4, 40)) is None
    assert len(calls) == 2


# DST and reminders: every booking gets one reminder 24 hours before, in elapsed time.

@pytest.mark.parametrize("monday", [date(2027, 3, 29), date(2027, 11, 1)])
def test_reminders_on_monday_after_dst_change(app, make_unit, make_booking, clock, smtp,
                                              monday):
    unit = make_unit()
    # 29 March is Easter Monday with no slots, so these bookings are added by hand. The
    # same wall time as 2:30 on the day before was skipped (28 March) or happened twice
    # (31 October), so only elapsed time gives these a reminder exactly 24 hours before.
    starts = [local(monday.year, monday.month, monday.day, hour, minute)
              for hour, minute in [(0, 30), (2, 30), (3, 15), (9, 0), (9, 15), (11, 45),
                                   (15, 0)]]
    bookings = [make_booking(unit, start) for start in starts]
    reminders = next(job for job in app.extensions["pastid.jobs"]
                     if job.name == "booking.reminders")

    # Run the job every 5 minutes, as the scheduler does, over the day before. The steps
    # are taken in UTC: adding to a local datetime would step in wall time.
    instant = local(monday.year, monday.month, monday.day).astimezone(UTC) - timedelta(hours=26)
    while instant <= starts[-1].astimezone(UTC) - timedelta(hours=23):
        clock.set(instant)
        scheduler.execute(reminders, clock())
        instant += reminders.every

    assert len(smtp.messages) == len(starts)
    db.session.expire_all()
    for booking in bookings:
        booking = db.session.get(Booking, booking.id)
        assert count_messages_to(smtp, booking.email) == 1
        assert booking.start_at - booking.reminder_sent_at == timedelta(hours=24)
    sent = db.session.execute(
        sa.select(Booking.start_at, Notification.sent_at).join(Booking)).all()
    assert all(start - sent_at == timedelta(hours=24) for start, sent_at in sent)


# Catch-up at start, and the job store.

def test_start_catches_up_on_missed_work(app, make_unit, make_booking, clock, smtp):
    unit = make_unit()
    upcoming = make_booking(unit, local(2027, 2, 15, 15, 0))  # reminder due since yesterday
    passed = make_booking(unit, local(2027, 2, 15, 9, 0))     # passed: no reminder
    served = make_booking(unit, local(2027, 2, 15, 8, 0), status="served",
                          served_at=local(2027, 2, 15, 8, 20))
    old = make_booking(unit, local(2027, 1, 4, 9, 0), status="no_show")

    started = scheduler.start_scheduler(app)
    started.shutdown(wait=True)

    db.session.expire_all()
    assert sorted(envelope.rcpt_tos[0] for envelope in smtp.envelopes) == [
        upcoming.email, served.email]
    assert db.session.get(Booking, upcoming.id).reminder_sent_at == NOW
    assert db.session.get(Booking, passed.id).reminder_sent_at is None
    assert db.session.get(Booking, passed.id).status == "booked"  # the unit closes at 12:00
    assert db.session.get(Booking, served.id).survey_sent_at == NOW
    assert db.session.get(Booking, old.id).email is None
    assert stored_job_ids() == sorted(BOOKING_JOBS)


def test_start_removes_unregistered_jobs(app, clock):
    with app.app_context():
        engine = db.engine
    old = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=engine)})
    old.add_job(scheduler.run_job, "interval", minutes=5, args=["gone.job"], id="gone.job")
    old.start(paused=True)
    old.shutdown()
    assert stored_job_ids() == ["gone.job"]

    started = scheduler.start_scheduler(app)
    started.shutdown(wait=True)

    assert stored_job_ids() == sorted(BOOKING_JOBS)


def test_job_store_table_matches_apscheduler():
    store = SQLAlchemyJobStore(engine=db.engine, metadata=sa.MetaData())
    names = {scheduler.JOB_STORE_TABLE}
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True,
            "include_object": lambda obj, name, type_, reflected, compare_to: (
                type_ != "table" or name in names)})
        differences = compare_metadata(context, store.jobs_t.metadata)

    assert differences == []


# The commands.

def test_run_due_command_sends_due_work(app, make_unit, make_booking, clock, smtp):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0))

    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])

    assert result.exit_code == 0, result.output
    assert [envelope.rcpt_tos for envelope in smtp.envelopes] == [(booking.email,)]
    again = app.test_cli_runner().invoke(args=["jobs", "run-due"])
    assert again.exit_code == 0, again.output
    assert len(smtp.messages) == 1


def test_run_due_command_reports_failed_job(app, clock, monkeypatch, caplog):
    def fail(now):
        raise RuntimeError("boom")

    ran = []
    jobs = [Job("test.failing", fail, every=timedelta(minutes=5)),
            Job("test.next", lambda now: ran.append(now) or 0, every=timedelta(minutes=5))]
    monkeypatch.setitem(app.extensions, "pastid.jobs", jobs)

    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])

    assert result.exit_code == 1
    assert "jobs failed: test.failing; see the log" in result.output
    assert ran == [NOW]
    assert "job test.failing failed" in caplog.text


# Two application instances, each with a running scheduler, as two gunicorn workers.

@pytest.fixture
def make_instance(database_url, smtp):
    instances = []

    def factory():
        instance = create_app({
            "TESTING": True, "DATABASE_URL": database_url,
            "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret-key",
            "PUBLIC_URL": "http://pastid.test", "RATELIMIT_ENABLED": False,
            "MAIL_TRANSPORT": "smtp", "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port,
        })
        # Fire the interval jobs every second, so each scheduler runs them during the test.
        instance.extensions["pastid.jobs"] = [
            replace(job, every=timedelta(seconds=1)) if job.every else job
            for job in instance.extensions["pastid.jobs"]]
        instances.append(instance)
        return instance

    yield factory
    for instance in instances:
        with instance.app_context():
            db.engine.dispose()


def test_two_running_schedulers_send_once(app, make_unit, make_booking, clock, smtp,
                                          make_instance):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0))
    instances = [make_instance(), make_instance()]
    barrier = threading.Barrier(len(instances))
    running = []

    def start(instance):
        barrier.wait()
        running.append(scheduler.start_scheduler(instance))

    threads = [threading.Thread(target=start, args=(instance,)) for instance in instances]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    clock_time.sleep(3)  # each scheduler fires the reminder job about three times
    for started in running:
        started.shutdown(wait=True)

    assert len(running) == 2
    assert [envelope.rcpt_tos for envelope in smtp.envelopes] == [(booking.email,)]
    db.session.expire_all()
    assert db.session.execute(
        sa.select(Notification.status, Notification.attempts)).all() == [("sent", 1)]
    db.session.commit()

    with instances[0].app_context():
        assert scheduler.run_due() == []
    assert len(smtp.messages) == 1
