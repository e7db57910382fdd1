"""The outbox: one row per message to a citizen, queued once and delivered with retries."""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from pastid.database import UTCDateTime, db
from pastid.timeutil import now_utc


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    # Given up: the retry limit was reached, or the message could not be built.
    FAILED = "failed"
    # Not sent because it no longer applies, e.g. the booking was cancelled meanwhile.
    CANCELLED = "cancelled"


class Notification(db.Model):
    """One message of one kind about one booking over one channel.

    The unique constraint on (booking_id, kind, channel) queues each message once,
    however many jobs decide to send it. While the status is pending, next_attempt_at
    is when the next delivery attempt may start. Claiming an attempt moves it forward by
    the retry delay, so no other process takes the row while it is being sent.
    """

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The booking table belongs to the booking package; pastid refers to it by name only.
    booking_id: Mapped[int] = mapped_column(sa.ForeignKey("booking.id", ondelete="CASCADE"),
                                            index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    channel: Mapped[str] = mapped_column(sa.String(5))
    status: Mapped[str] = mapped_column(sa.String(10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The last failure's reason, without addresses or phone numbers.
    last_error: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("booking_id", "kind", "channel"),
        sa.CheckConstraint("channel IN ('email', 'sms')", name="channel_known"),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed', 'cancelled')",
                           name="status_known"),
        sa.Index("ix_notification_due", "kind", "status", "next_attempt_at"),
    )
