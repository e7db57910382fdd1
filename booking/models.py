"""Units, opening hours, closures, bookings and the slot rows that keep bookings apart."""

import enum
from datetime import datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pastid.database import UTCDateTime, db
from pastid.timeutil import now_utc

MAX_PERSONS = 5


class Purpose(enum.StrEnum):
    """What a booking is for."""

    OWN = "own"
    CHILD = "child"
    HOUSEHOLD = "household"


class Status(enum.StrEnum):
    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CALLED = "called"
    SERVING = "serving"
    SERVED = "served"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"


class Channel(enum.StrEnum):
    ONLINE = "online"
    ASSISTED = "assisted"


class HolidayMode(enum.StrEnum):
    OPEN = "open"
    HALF_DAY = "half_day"
    CLOSED = "closed"


def _enum_check(column, values):
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Unit(db.Model):
    """A PAS unit: one passport workstation where citizens are served."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)
    slot_minutes: Mapped[int] = mapped_column(default=15)
    horizon_days: Mapped[int] = mapped_column(default=60)
    lead_minutes: Mapped[int] = mapped_column(default=120)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    opening_periods: Mapped[list["OpeningPeriod"]] = relationship(
        back_populates="unit", cascade="all, delete-orphan",
        order_by="(OpeningPeriod.weekday, OpeningPeriod.opens_at)")

    __table_args__ = (
        sa.CheckConstraint("slot_minutes BETWEEN 5 AND 120", name="slot_minutes_range"),
        sa.CheckConstraint("horizon_days BETWEEN 1 AND 366", name="horizon_days_range"),
        sa.CheckConstraint("lead_minutes BETWEEN 0 AND 10080", name="lead_minutes_range"),
    )


class OpeningPeriod(db.Model):
    """One period of a unit's weekly opening hours, in local wall time."""

    __tablename__ = "opening_period"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]  # 0 is Monday, as in date.weekday()
    opens_at: Mapped[time] = mapped_column(sa.Time)
    closes_at: Mapped[time] = mapped_column(sa.Time)

    unit: Mapped[Unit] = relationship(back_populates="opening_periods")

    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        sa.CheckConstraint("opens_at < closes_at", name="opens_before_closes"),
    )


class Closure(db.Model):
    """A period when one unit, or the whole centre when unit_id is null, takes no bookings."""

    __tablename__ = "closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("starts_at < ends_at", name="starts_before_ends"),
    )


class HolidayRule(db.Model):
    """How the centre treats a customary closing day that is not a public holiday."""

    __tablename__ = "holiday_rule"

    key: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    mode: Mapped[str] = mapped_column(sa.String(10))

    __table_args__ = (
        sa.CheckConstraint(_enum_check("mode", [m.value for m in HolidayMode]), name="mode_known"),
    )


class Booking(db.Model):
    """A citizen's reserved time at one unit, for one or more persons in consecutive slots."""

    __tablename__ = "booking"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(8), unique=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    persons: Mapped[int] = mapped_column(default=1)
    purpose: Mapped[str] = mapped_column(sa.String(12))
    status: Mapped[str] = mapped_column(sa.String(12), default=Status.BOOKED, index=True)
    channel: Mapped[str] = mapped_column(sa.String(10), default=Channel.ONLINE)
    language: Mapped[str] = mapped_column(sa.String(2), default="da")

    # Personal data, erased after the retention period; everything else stays for statistics.
    name: Mapped[str | None] = mapped_column(sa.String(100))
    email: Mapped[str | None] = mapped_column(sa.String(254), index=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    manage_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # SEQUENCE of the calendar event: grows on every reschedule and on cancellation.
    sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc, onupdate=now_utc)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    serving_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_show_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The one-time survey link after a served visit: sent once, valid until it expires,
    # answered once. The answer itself is stored apart, without a link to the booking.
    survey_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    survey_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    survey_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    survey_answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit: Mapped[Unit] = relationship()
    reservations: Mapped[list["SlotReservation"]] = relationship(
        back_populates="booking", passive_deletes=True)

    __table_args__ = (
        sa.CheckConstraint(f"persons BETWEEN 1 AND {MAX_PERSONS}", name="persons_range"),
        sa.CheckConstraint("start_at < end_at", name="starts_before_ends"),
        sa.CheckConstraint(_enum_check("status", [s.value for s in Status]), name="status_known"),
        sa.CheckConstraint(_enum_check("purpose", [p.value for p in Purpose]),
                           name="purpose_known"),
        sa.CheckConstraint(_enum_check("channel", [c.value for c in Channel]),
                           name="channel_known"),
        sa.CheckConstraint("language IN ('da', 'en')", name="language_known"),
    )

    @property
    def is_active(self):
        """Whether the booking still holds its time (not cancelled and not finished)."""
        return self.status == Status.BOOKED


class SlotReservation(db.Model):
    """One slot taken at one unit: by a booking, by a citizen's hold, or held back after a
    cancellation.

    The unique constraint on (unit_id, start_at) is what makes double booking impossible.
    A row without a booking is temporary: once expires_at has passed, anyone may delete
    it and take the slot.
    """

    __tablename__ = "slot_reservation"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UTCDateTime)
    booking_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("booking.id", ondelete="CASCADE"), index=True)
    hold_token: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    booking: Mapped[Booking | None] = relationship(back_populates="reservations")

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "start_at", name="uq_slot_reservation_unit_start"),
        sa.CheckConstraint("booking_id IS NOT NULL OR expires_at IS NOT NULL",
                           name="booking_or_expiry"),
        sa.Index("ix_slot_reservation_start_at", "start_at"),
    )


class AltchaUse(db.Model):
    """A solved proof-of-work challenge, kept until it expires so it is accepted only once."""

    __tablename__ = "altcha_use"

    signature: Mapped[str] = mapped_column(sa.String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


# KPI reads (kpi.queries): the dashboard counts and averages bookings over a period of
# up to a year. This index contains every column those queries read, so they scan one
# range of it instead of looking up each booking row. Created by migration 0004.
sa.Index("ix_booking_kpi", Booking.start_at, Booking.status, Booking.channel, Booking.unit_id,
         Booking.checked_in_at, Booking.called_at)
