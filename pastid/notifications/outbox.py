"""Queueing each message once and delivering it with retries and backoff.

One delivery attempt runs in three steps. (1) In one transaction, a conditional update
claims the attempt (attempts + 1, next_attempt_at moved forward by the retry delay) and
the message is built. (2) After that commit the message is sent, with no transaction
open. (3) A new transaction records the outcome and, after a successful send, runs the
message's after_sent step, such as storing the hash of a link's token.

Two processes never send the same attempt, because the loser of the conditional update
skips the row. The one case of a duplicate: a process that dies between sending and
recording leaves the row pending, so it is sent again once its retry delay has passed.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from pastid.extensions import db
from pastid.mail import MailError
from pastid.notifications.messages import send_email
from pastid.notifications.models import Channel, DeliveryStatus, Notification
from pastid.notifications.sms import SMS, SMSError
from pastid.timeutil import now_utc

logger = logging.getLogger(__name__)

ERROR_LENGTH = 300


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how soon a failed delivery is tried again."""

    max_attempts: int = 5
    first_delay: timedelta = timedelta(minutes=5)

    @classmethod
    def from_config(cls, config):
        return cls(max_attempts=config["NOTIFY_MAX_ATTEMPTS"],
                   first_delay=timedelta(seconds=config["NOTIFY_RETRY_SECONDS"]))

    def delay(self, attempt):
        """Return the wait after attempt number `attempt` (1-based): doubling each time."""
        return self.first_delay * 2 ** (attempt - 1)


@dataclass(frozen=True)
class Outgoing:
    """A built message, and the database change to make once it has been sent."""

    message: EmailMessage | SMS
    after_sent: Callable[[], None] | None = None


# Builds the message for a claimed notification at instant now. It returns None when the
# message no longer applies, raises ValueError when it cannot be built (no retry helps),
# and must not write to the database: writes belong in Outgoing.after_sent.
Composer = Callable[[Notification, datetime], Outgoing | None]


@dataclass
class DeliveryCounts:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0


@dataclass(frozen=True)
class _Attempt:
    notification_id: int
    booking_id: int
    kind: str
    channel: str
    number: int


def queue(booking_id, kind, channel, now):
    """Add a pending notification, due at once, unless one of this kind and channel
    exists for the booking. Returns whether it was added; the caller commits."""
    try:
        with db.session.begin_nested():
            db.session.add(Notification(booking_id=booking_id, kind=kind, channel=channel,
                                        status=DeliveryStatus.PENDING, attempts=0,
                                        next_attempt_at=now, created_at=now))
            # Flush inside the savepoint: the unique constraint refuses a second message.
            db.session.flush()
    except IntegrityError:
        logger.warning("%s %s for booking %s was queued before; not queued again", kind,
                       channel, booking_id)
        return False
    return True


def cancel_pending(booking_ids):
    """Cancel the pending notifications of these bookings; return how many. No commit."""
    if not booking_ids:
        return 0
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.booking_id.in_(booking_ids),
               Notification.status == DeliveryStatus.PENDING)
        .values(status=DeliveryStatus.CANCELLED))
    return result.rowcount


def deliver_due(kind, compose, *, now, policy, gateway=None):
    """Attempt every pending notification of this kind that is due at now.

    gateway sends the SMS notifications; without one they are cancelled. Commits after
    each step and returns the DeliveryCounts.
    """
    ids = db.session.scalars(
        sa.select(Notification.id)
        .where(Notification.kind == kind, Notification.status == DeliveryStatus.PENDING,
               Notification.next_attempt_at <= now)
        .order_by(Notification.next_attempt_at, Notification.id)).all()
    # End the read at once, because on SQLite its transaction has the write lock.
    db.session.commit()

    counts = DeliveryCounts()
    for notification_id in ids:
        outcome = _deliver(notification_id, compose, now, policy, gateway)
        if outcome is not None:
            setattr(counts, outcome, getattr(counts, outcome) + 1)
    if ids:
        logger.info("%s deliveries: %s sent, %s to retry, %s failed, %s cancelled", kind,
                    counts.sent, counts.retrying, counts.failed, counts.cancelled)
    return counts


def _deliver(notification_id, compose, now, policy, gateway):
    """Make one delivery attempt; return its outcome's DeliveryCounts field name, or
    None when another process has claimed the row."""
    notification = _claim_attempt(notification_id, now, policy)
    if notification is None:
        db.session.rollback()
        return None
    attempt = _Attempt(notification.id, notification.booking_id, notification.kind,
                       notification.channel, notification.attempts)

    if attempt.channel == Channel.SMS and gateway is None:
        return _cancel(attempt, "no SMS gateway is configured")
    try:
        outgoing = compose(notification, now)
    except ValueError as error:
        return _give_up(attempt, error)
    if outgoing is None:
        return _cancel(attempt, "it no longer applies")
    db.session.commit()

    try:
        if attempt.channel == Channel.SMS:
            gateway.send(outgoing.message)
        else:
            send_email(outgoing.message)
    except (MailError, SMSError, ValueError) as error:
        return _record_failure(attempt, error, policy)
    _record_sent(attempt, outgoing)
    return "sent"


def _claim_attempt(notification_id, now, policy):
    """Claim the next attempt on a due, pending row and return the row, or None."""
    attempts = db.session.scalar(
        sa.select(Notification.attempts)
        .where(Notification.id == notification_id,
               Notification.status == DeliveryStatus.PENDING,
               Notification.next_attempt_at <= now))
    if attempts is None:
        return None
    number = attempts + 1
    claimed = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification_id,
               Notification.status == DeliveryStatus.PENDING,
               Notification.attempts == attempts,
               Notification.next_attempt_at <= now)
        .values(attempts=number, next_attempt_at=now + policy.delay(number))
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        return None
    return db.session.execute(
        sa.select(Notification).where(Notification.id == notification_id)
        .execution_options(populate_existing=True)).scalar_one()


def _finish(attempt, **values):
    db.session.execute(
        sa.update(Notification)
        .where(Notification.id == attempt.notification_id,
               Notification.attempts == attempt.number,
               Notification.status == DeliveryStatus.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False))
    db.session.commit()


def _describe(error):
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]


def _cancel(attempt, reason):
    _finish(attempt, status=DeliveryStatus.CANCELLED)
    logger.info("%s %s for booking %s cancelled: %s", attempt.kind, attempt.channel,
                attempt.booking_id, reason)
    return "cancelled"


def _give_up(attempt, error):
    _finish(attempt, status=DeliveryStatus.FAILED, last_error=_describe(error))
    logger.error("%s %s for booking %s cannot be built, not sent: %s", attempt.kind,
                 attempt.channel, attempt.booking_id, error)
    return "failed"


def _record_failure(attempt, error, policy):
    if attempt.number >= policy.max_attempts:
        _finish(attempt, status=DeliveryStatus.FAILED, last_error=_describe(error))
        logger.error("%s %s for booking %s failed %s times; given up: %s", attempt.kind,
                     attempt.channel, attempt.booking_id, attempt.number, error)
        return "failed"
    _finish(attempt, last_error=_describe(error))
    logger.warning("%s %s for booking %s failed (attempt %s of %s), retried in %s: %s",
                   attempt.kind, attempt.channel, attempt.booking_id, attempt.number,
                   policy.max_attempts, policy.delay(attempt.number), error)
    return "retrying"


def _record_sent(attempt, outgoing):
    if outgoing.after_sent is not None:
        outgoing.after_sent()
    _finish(attempt, status=DeliveryStatus.SENT, sent_at=now_utc(), last_error=None)
    logger.info("%s %s for booking %s sent (attempt %s)", attempt.kind, attempt.channel,
                attempt.booking_id, attempt.number)

