"""Scheduled work on bookings: reminders, survey invitations, no-shows, retention, cleanup.

Each job takes the current instant, decides on its rows and claims them with a
conditional update in the same transaction, commits, and only then sends. Running a job
again finds the rows claimed and does nothing. pastid.scheduler runs the jobs, and
pastid.notifications.outbox delivers the messages with retries.

The manage link in a reminder: only the hash of a booking's manage token is stored, so
the token from the confirmation cannot be read back. Each reminder e-mail therefore
carries a new token, whose hash replaces the old one once the e-mail has been sent. The
link in the confirmation and in the calendar file then stops working, as the reminder
tells the citizen. Keeping the token encrypted instead would leave a readable key to the
citizen's booking in the database. The SMS reminder carries no link, because one SMS
holds only 160 characters, so it leaves the token alone.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from werkzeug.routing import BuildError

from booking.codes import format_code
from booking.models import Booking, SlotReservation, Status
from booking.proof_of_work import purge_spent
from booking.queries import hash_token, load_holiday_modes, load_schedules
from booking.slots import closing_days
from pastid.extensions import db
from pastid.notifications import outbox
from pastid.notifications.messages import public_url, render_email, render_sms
from pastid.notifications.models import Channel
from pastid.notifications.outbox import Outgoing, RetryPolicy
from pastid.notifications.sms import SMS, gateway_from_config, to_e164
from pastid.scheduler import Job, parse_daily_time
from pastid.timeutil import format_day, format_local, format_short_date, format_time, zone

logger = logging.getLogger(__name__)

REMINDER = "reminder"
SURVEY_INVITATION = "survey_invitation"
# The survey page belongs to the kpi package. Links use its path directly while that
# endpoint is not registered.
SURVEY_ENDPOINT = "kpi.survey"
SURVEY_PATH = "/undersoegelse/{token}"


@dataclass(frozen=True)
class JobSettings:
    reminder_lead: timedelta
    survey_delay: timedelta
    survey_latest: timedelta
    survey_valid: timedelta
    no_show_grace: timedelta
    retention: timedelta

    @classmethod
    def from_config(cls, config):
        return cls(
            reminder_lead=timedelta(hours=config["REMINDER_LEAD_HOURS"]),
            survey_delay=timedelta(minutes=config["SURVEY_DELAY_MINUTES"]),
            survey_latest=timedelta(hours=config["SURVEY_LATEST_HOURS"]),
            survey_valid=timedelta(days=config["SURVEY_VALID_DAYS"]),
            no_show_grace=timedelta(minutes=config["NO_SHOW_GRACE_MINUTES"]),
            retention=timedelta(days=config["RETENTION_DAYS"]),
        )


def list_jobs(config):
    """Return the booking package's jobs, timed by the JOBS_* settings."""
    every = timedelta(minutes=config["JOBS_INTERVAL_MINUTES"])
    daily_at = parse_daily_time(config["JOBS_DAILY_AT"])
    return [
        Job("booking.reminders", send_reminders, every=every),
        Job("booking.survey_invitations", send_survey_invitations, every=every),
        Job("booking.no_shows", mark_no_shows, every=every),
        Job("booking.retention", erase_personal_data, daily_at=daily_at),
        Job("booking.cleanup", purge_expired, daily_at=daily_at),
    ]


def _settings():
    return JobSettings.from_config(current_app.config)


def _tz():
    return zone(current_app.config["TIMEZONE"])


def _deliver(kind, compose, now):
    config = current_app.config
    return outbox.deliver_due(kind, compose, now=now, policy=RetryPolicy.from_config(config),
                              gateway=gateway_from_config(config))


# Reminders.

def claim_reminders(now, *, lead, sms):
    """Claim the bookings whose reminder is due at now and queue their messages.

    A reminder is due for a booking that is still booked, has had none, starts after now
    and within lead, and was made at least lead before its start. Queues an e-mail, and
    an SMS as well when sms is true and the booking has a phone number. Returns the
    claimed booking ids; the caller commits.
    """
    rows = db.session.execute(
        sa.select(Booking.id, Booking.start_at, Booking.created_at)
        .where(Booking.status == Status.BOOKED, Booking.reminder_sent_at.is_(None),
               Booking.start_at > now, Booking.start_at <= now + lead)).all()
    # Compared here rather than in SQL, because SQLite has no interval arithmetic.
    # NOTE: rescheduling keeps created_at and reminder_sent_at, so a booking moved after
    # its reminder gets none for the new time, and one moved into the window gets one.
    ids = [row.id for row in rows if row.created_at <= row.start_at - lead]
    if not ids:
        return []
    claimed = db.session.execute(
        sa.update(Booking)
        .where(Booking.id.in_(ids), Booking.reminder_sent_at.is_(None),
               Booking.status == Status.BOOKED)
        .values(reminder_sent_at=now)
        .returning(Booking.id, Booking.email, Booking.phone)
        .execution_options(synchronize_session=False)).all()
    for row in claimed:
        if row.email:
            outbox.queue(row.id, REMINDER, Channel.EMAIL, now)
        if row.phone and sms:
            outbox.queue(row.id, REMINDER, Channel.SMS, now)
    return [row.id for row in claimed]


def send_reminders(now):
    """Claim the reminders due at now, then deliver every due reminder message."""
    config = current_app.config
    claimed = claim_reminders(now, lead=_settings().reminder_lead,
                              sms=bool(config["SMS_GATEWAY_URL"]))
    db.session.commit()
    _deliver(REMINDER, compose_reminder, now)
    return len(claimed)


def _appointment_context(booking):
    tz = _tz()
    local_start = booking.start_at.astimezone(tz)
    return {
        "booking": booking,
        "when": format_local(booking.start_at, tz, booking.language),
        "day": format_short_date(local_start.date()),
        "long_day": format_day(local_start.date(), booking.language),
        "time": format_time(local_start, booking.language),
        "code": format_code(booking.code),
    }


def compose_reminder(notification, now):
    """Build the reminder for a claimed notification; None once it no longer applies."""
    booking = db.session.get(Booking, notification.booking_id)
    if booking is None or booking.status != Status.BOOKED or booking.start_at <= now:
        return None
    context = _appointment_context(booking)

    if notification.channel == Channel.SMS:
        if not booking.phone:
            return None
        text = render_sms(REMINDER, language=booking.language, context=context)
        return Outgoing(SMS(to_e164(booking.phone), text))

    if not booking.email:
        return None
    token = secrets.token_urlsafe(32)
    with force_locale(booking.language):
        subject = gettext("Påmindelse om din tid til pas: %(when)s", when=context["when"])
    message = render_email(
        REMINDER, language=booking.language, to=booking.email, subject=subject,
        context={**context, "manage_url": public_url("booking.manage", token=token)})
    return Outgoing(message, after_sent=partial(_replace_manage_token, booking.id,
                                                hash_token(token)))


def _replace_manage_token(booking_id, token_hash):
    db.session.execute(
        sa.update(Booking).where(Booking.id == booking_id)
        .values(manage_token_hash=token_hash)
        .execution_options(synchronize_session=False))


# Survey invitations.

def claim_survey_invitations(now, *, delay, latest):
    """Claim the served bookings whose survey invitation is due at now and queue them.

    An invitation is due from delay after the visit was marked served until latest after
    it, once per booking, and only to a booking that has an e-mail address and has not
    been erased. Returns the claimed booking ids; the caller commits.
    """
    ids = db.session.scalars(
        sa.select(Booking.id)
        .where(Booking.status == Status.SERVED, Booking.survey_sent_at.is_(None),
               Booking.served_at <= now - delay, Booking.served_at > now - latest,
               Booking.email.is_not(None), Booking.erased_at.is_(None))).all()
    if not ids:
        return []
    claimed = db.session.scalars(
        sa.update(Booking)
        .where(Booking.id.in_(ids), Booking.survey_sent_at.is_(None),
               Booking.status == Status.SERVED)
        .values(survey_sent_at=now)
        .returning(Booking.id)
        .execution_options(synchronize_session=False)).all()
    for booking_id in claimed:
        outbox.queue(booking_id, SURVEY_INVITATION, Channel.EMAIL, now)
    return list(claimed)


def send_survey_invitations(now):
    """Claim the survey invitations due at now, then deliver every due invitation."""
    settings = _settings()
    claimed = claim_survey_invitations(now, delay=settings.survey_delay,
                                       latest=settings.survey_latest)
    db.session.commit()
    _deliver(SURVEY_INVITATION, compose_survey_invitation, now)
    return len(claimed)


def survey_url(token):
    try:
        return public_url(SURVEY_ENDPOINT, token=token)
    except BuildError:
        return current_app.config["PUBLIC_URL"].rstrip("/") + SURVEY_PATH.format(token=token)


def compose_survey_invitation(notification, now):
    """Build the survey invitation for a claimed notification; None once it no longer
    applies. The one-time token is new on every attempt and stored, hashed, once sent."""
    booking = db.session.get(Booking, notification.booking_id)
    if (booking is None or booking.status != Status.SERVED or not booking.email
            or booking.survey_answered_at is not None or booking.erased_at is not None):
        return None
    token = secrets.token_urlsafe(32)
    expires_at = now + _settings().survey_valid
    context = {
        **_appointment_context(booking),
        "survey_url": survey_url(token),
        "expires": format_local(expires_at, _tz(), booking.language),
    }
    with force_locale(booking.language):
        subject = gettext("Hvordan var dit besøg i %(centre)s?",
                          centre=current_app.config["CENTRE_NAME"])
    message = render_email(SURVEY_INVITATION, language=booking.language, to=booking.email,
                           subject=subject, context=context)
    return Outgoing(message, after_sent=partial(_store_survey_token, booking.id,
                                                hash_token(token), expires_at))


def _store_survey_token(booking_id, token_hash, expires_at):
    db.session.execute(
        sa.update(Booking).where(Booking.id == booking_id)
        .values(survey_token_hash=token_hash, survey_expires_at=expires_at)
        .execution_options(synchronize_session=False))


# No-shows.

def closing_instant(schedule, day, closed_days, tz):
    """Return when the unit's last opening period on local day ends, in UTC.

    closed_days maps a holiday to None (closed) or the local time it closes early, as
    booking.slots.closing_days returns it. Returns None when the unit is closed all day.
    """
    if schedule is None:
        return None
    periods = [(opens_at, closes_at) for weekday, opens_at, closes_at in schedule.periods
               if weekday == day.weekday()]
    if day in closed_days:
        cut = closed_days[day]
        if cut is None:
            return None
        periods = [(opens_at, min(closes_at, cut)) for opens_at, closes_at in periods
                   if opens_at < cut]
    if not periods:
        return None
    closes_at = max(closes_at for _, closes_at in periods)
    return datetime.combine(day, closes_at, tzinfo=tz).astimezone(UTC)


def select_no_shows(bookings, schedules, closed_days, *, now, grace, tz):
    """Return the ids of the bookings whose day has closed for their unit at now.

    bookings are rows with id, unit_id, start_at and end_at. A day has closed once now
    is grace past both the booking's end and the unit's closing time that day. On a day
    the unit is closed, as for a booking added by hand on a holiday, the end alone counts.
    """
    ids = []
    for booking in bookings:
        day = booking.start_at.astimezone(tz).date()
        closes_at = closing_instant(schedules.get(booking.unit_id), day, closed_days, tz)
        day_over = max(booking.end_at, closes_at or booking.end_at)
        if now >= day_over + grace:
            ids.append(booking.id)
    return ids


def mark_no_shows(now):
    """Mark as no-show each booking not checked in once its unit's day has closed."""
    grace = _settings().no_show_grace
    tz = _tz()
    rows = db.session.execute(
        sa.select(Booking.id, Booking.unit_id, Booking.start_at, Booking.end_at)
        .where(Booking.status == Status.BOOKED, Booking.checked_in_at.is_(None),
               Booking.start_at <= now - grace)).all()
    if not rows:
        db.session.commit()
        return 0
    days = [row.start_at.astimezone(tz).date() for row in rows]
    schedules = {schedule.unit_id: schedule for schedule in load_schedules()}
    closed_days = closing_days(min(days), max(days), load_holiday_modes())
    ids = select_no_shows(rows, schedules, closed_days, now=now, grace=grace, tz=tz)
    marked = []
    if ids:
        # The status condition leaves alone any booking that staff changed meanwhile.
        marked = db.session.scalars(
            sa.update(Booking)
            .where(Booking.id.in_(ids), Booking.status == Status.BOOKED,
                   Booking.checked_in_at.is_(None))
            .values(status=Status.NO_SHOW, no_show_at=now)
            .returning(Booking.id)
            .execution_options(synchronize_session=False)).all()
    db.session.commit()
    for booking_id in marked:
        logger.info("booking %s marked no-show", booking_id)
    return len(marked)


# Retention and cleanup.

def erase_personal_data(now):
    """Erase the personal data of bookings whose time, or cancellation, is older than
    the retention period; times, unit, status and survey facts stay for statistics."""
    cutoff = now - _settings().retention
    erased = db.session.scalars(
        sa.update(Booking)
        .where(Booking.erased_at.is_(None),
               sa.or_(Booking.start_at < cutoff,
                      sa.and_(Booking.status == Status.CANCELLED,
                              Booking.cancelled_at < cutoff)))
        .values(name=None, email=None, phone=None, manage_token_hash=None,
                survey_token_hash=None, erased_at=now)
        .returning(Booking.id)
        .execution_options(synchronize_session=False)).all()
    cancelled = outbox.cancel_pending(erased)
    db.session.commit()
    logger.info("personal data erased from %s bookings; %s pending messages cancelled",
                len(erased), cancelled)
    return len(erased)


def purge_expired(now):
    """Delete lapsed holds and held-back times, and expired proof-of-work records."""
    holds = db.session.execute(
        sa.delete(SlotReservation)
        .where(SlotReservation.booking_id.is_(None), SlotReservation.expires_at < now)
    ).rowcount
    spent = purge_spent(now)
    db.session.commit()
    logger.info("purged %s expired holds and %s spent proof-of-work records", holds, spent)
    return holds + spent
