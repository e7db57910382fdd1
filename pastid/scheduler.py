"""Scheduled work: the job format, the runner, and the APScheduler process.

Feature packages append Job values to app.extensions["pastid.jobs"] in their init_app.
`flask jobs run` runs them in a long-running APScheduler process whose job store is the
apscheduler_jobs table in the application's database. `flask jobs run-due` runs every
due job once and exits.

Exactly-once work does not rest on the scheduler. Two scheduler processes, a restart or
a trigger that fires twice may run a job twice, so every job claims its rows with a
conditional update and the second run finds nothing left to do. A daily job also claims
its local calendar day in the job_run table, so it does its work once per day.
"""

import concurrent.futures
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from apscheduler.executors.pool import BasePoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from pastid.database import UTCDateTime, db
from pastid.timeutil import now_utc, zone

logger = logging.getLogger(__name__)

JOB_STORE_TABLE = "apscheduler_jobs"

# APScheduler 3.11's CronTrigger in Europe/Copenhagen skips 2027-03-29 when set to
# 00:00-00:45 and fires twice on 2027-10-31 when set to 02:00-02:45 (checked at each
# quarter hour). Daily jobs therefore run at 04:00 or later, clear of those hours.
EARLIEST_DAILY_TIME = time(4, 0)


@dataclass(frozen=True)
class Job:
    """A piece of scheduled work, run every `every` or once a day at `daily_at`.

    `daily_at` is local wall time in the TIMEZONE setting. `func` takes the current
    instant (aware UTC), commits its own work and returns the number of rows it handled.
    It must be idempotent: run twice, it changes nothing the second time.
    """

    name: str
    func: Callable[[datetime], int]
    every: timedelta | None = None
    daily_at: time | None = None

    def __post_init__(self):
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"job {self.name}: set exactly one of every and daily_at")
        if self.every is not None and self.every <= timedelta(0):
            raise ValueError(f"job {self.name}: every must be positive, not {self.every}")
        if self.daily_at is not None and self.daily_at < EARLIEST_DAILY_TIME:
            raise ValueError(
                f"job {self.name}: daily_at {self.daily_at:%H:%M} is before "
                f"{EARLIEST_DAILY_TIME:%H:%M}, where daylight-saving changes make "
                "APScheduler skip or repeat runs")

    def trigger(self, tz):
        """Return the APScheduler trigger that fires this job in time zone tz."""
        if self.every is not None:
            return IntervalTrigger(seconds=self.every.total_seconds(), timezone=tz)
        return CronTrigger(hour=self.daily_at.hour, minute=self.daily_at.minute, timezone=tz)


class JobRun(db.Model):
    """One run of a daily job on one local calendar day.

    The primary key lets exactly one run claim the day, whichever process gets there
    first.
    """

    __tablename__ = "job_run"

    job: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows: Mapped[int | None]


def parse_daily_time(value):
    """Parse a local time of day written as HH:MM; raise ValueError when it is invalid."""
    try:
        return datetime.strptime(value.strip(), "%H:%M").time()
    except ValueError:
        raise ValueError(f"daily job time must look like 04:30, not {value!r}") from None


def registered_jobs(app):
    return {job.name: job for job in app.extensions["pastid.jobs"]}


def execute(job, now):
    """Run job at instant now; return the rows it handled, or None when it was not due.

    A daily job is due from its local time of day until it has run that local day.
    Raises whatever the job raises, after rolling back its open transaction.
    """
    tz = zone(current_app.config["TIMEZONE"])
    local_now = now.astimezone(tz)
    if job.daily_at is not None:
        if local_now.time() < job.daily_at:
            return None
        if not _claim_day(job.name, local_now.date(), now):
            logger.info("job %s already ran on %s; skipped", job.name, local_now.date())
            return None

    logger.info("job %s started", job.name)
    try:
        rows = job.func(now)
    except Exception:
        db.session.rollback()
        if job.daily_at is not None:
            _release_day(job.name, local_now.date())
        raise
    if job.daily_at is not None:
        _finish_day(job.name, local_now.date(), rows)
    logger.info("job %s finished: %s rows handled", job.name, rows)
    return rows


def _claim_day(name, day, now):
    try:
        db.session.add(JobRun(job=name, day=day, started_at=now))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _release_day(name, day):
    """Delete the failed run's claim so that a later run can try the day again."""
    db.session.execute(sa.delete(JobRun).where(JobRun.job == name, JobRun.day == day))
    db.session.commit()


def _finish_day(name, day, rows):
    db.session.execute(
        sa.update(JobRun).where(JobRun.job == name, JobRun.day == day)
        .values(finished_at=now_utc(), rows=rows))
    db.session.commit()


def run_job(name):
    """Run the registered job called name now; the function the job store refers to.

    It needs an application context, which AppContextExecutor pushes. A failure is
    logged here and not re-raised, so the scheduler keeps the job for its next run.
    """
    job = registered_jobs(current_app).get(name)
    if job is None:
        logger.error("job %s is in the job store but not registered here; skipped", name)
        return None
    try:
        return execute(job, now_utc())
    except Exception:
        logger.exception("job %s failed", name)
        return None


def run_due():
    """Run every registered job that is due once, in registration order.

    Returns the names of the jobs that failed; the others still run after a failure.
    """
    failed = []
    for job in current_app.extensions["pastid.jobs"]:
        try:
            execute(job, now_utc())
        except Exception:
            logger.exception("job %s failed", job.name)
            failed.append(job.name)
    return failed


class _AppContextPool(concurrent.futures.ThreadPoolExecutor):
    def __init__(self, app, max_workers):
        super().__init__(max_workers, thread_name_prefix="pastid-job")
        self._app = app

    def submit(self, fn, /, *args, **kwargs):
        return super().submit(self._run_in_context, fn, *args, **kwargs)

    def _run_in_context(self, fn, *args, **kwargs):
        with self._app.app_context():
            return fn(*args, **kwargs)


class AppContextExecutor(BasePoolExecutor):
    """An APScheduler executor that runs each job in a thread inside app's context.

    The job store keeps only a reference to run_job and the job's name, so each
    process supplies its own application here.
    """

    def __init__(self, app, max_workers=1):
        super().__init__(_AppContextPool(app, max_workers))


def create_scheduler(app):
    """Return a BackgroundScheduler, not yet started, with app's registered jobs.

    coalesce runs a job once however many runs it missed, and misfire_grace_time=None
    runs it however late. Each start replaces the stored jobs, so changed settings take
    effect; start_scheduler catches up on the work itself.
    """
    with app.app_context():
        engine = db.engine
    tz = zone(app.config["TIMEZONE"])
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOB_STORE_TABLE)},
        executors={"default": AppContextExecutor(app)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        timezone=tz,
    )
    for job in app.extensions["pastid.jobs"]:
        scheduler.add_job(run_job, trigger=job.trigger(tz), args=[job.name], id=job.name,
                          name=job.name, replace_existing=True)
    return scheduler


def start_scheduler(app):
    """Run the due jobs once to catch up on work missed while no scheduler ran, then
    start and return the scheduler."""
    with app.app_context():
        run_due()
    scheduler = create_scheduler(app)
    scheduler.start()
    names = set(registered_jobs(app))
    for stored in scheduler.get_jobs():
        if stored.id not in names:
            scheduler.remove_job(stored.id)
            logger.info("removed job %s from the job store: no longer registered", stored.id)
    logger.info("scheduler started with %s jobs", len(names))
    return scheduler


def run_scheduler(app):
    """Run the scheduler until SIGTERM or SIGINT, then wait for running jobs and stop."""
    stop = threading.Event()
    previous = {
        signum: signal.signal(signum, lambda received, frame: stop.set())
        for signum in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        scheduler = start_scheduler(app)
        # A timeout keeps the main thread waking up, so it runs the signal handler soon.
        while not stop.wait(timeout=1):
            pass
        logger.info("scheduler stopping: waiting for running jobs")
        scheduler.shutdown(wait=True)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    logger.info("scheduler stopped")
