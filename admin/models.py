"""Staff accounts, counters, walk-ins, self check-in devices and the audit log."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from booking.models import MAX_PERSONS, Purpose, Unit
from pastid.database import UTCDateTime, db
from pastid.timeutil import now_utc


def _enum_check(column, values):
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Role(enum.StrEnum):
    """A staff role. Each role includes every role ranked below it (see ROLE_RANK)."""

    FRONTDESK = "frontdesk"
    STAFF = "staff"
    CHIEF = "chief"
    ADMIN = "admin"


# A higher rank includes the lower ones. Staff at a PAS unit can also cover the front
# desk, and a chief can do everything staff can plus KPIs and reports. An admin has
# every right a chief has, because an admin could create a chief account anyway.
ROLE_RANK = {Role.FRONTDESK: 1, Role.STAFF: 2, Role.CHIEF: 3, Role.ADMIN: 4}


class Staff(UserMixin, db.Model):
    """A staff member's login account."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(40), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[str] = mapped_column(sa.String(12))
    is_active: Mapped[bool] = mapped_column(default=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of the login session's user id: raising it ends every session of the account.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint(_enum_check("role", [r.value for r in Role]), name="role_known"),
        sa.CheckConstraint("username = lower(username)", name="username_lowercase"),
        sa.CheckConstraint("failed_logins >= 0", name="failed_logins_positive"),
    )

    def get_id(self):
        """Return the id Flask-Login keeps in the session: staff id and session version."""
        return f"{self.id}:{self.session_version}"

    def has_role(self, role):
        """Return whether this account's role is role or ranks above it."""
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class Counter(db.Model):
    """A desk where staff work; a PAS unit is served from one counter."""

    __tablename__ = "counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), unique=True)
    unit_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("unit.id", ondelete="SET NULL"), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    unit: Mapped[Unit | None] = relationship()


class WalkInStatus(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    SERVED = "served"
    NO_SHOW = "no_show"


class WalkIn(db.Model):
    """A citizen without a booking, registered at the front desk and served when a unit
    is free. Its times are compared with those of booked citizens."""

    __tablename__ = "walk_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Local day of arrival; the ticket number starts again at 1 each day.
    service_day: Mapped[date] = mapped_column(sa.Date)
    number: Mapped[int]
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(12))
    persons: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(sa.String(12), default=WalkInStatus.WAITING, index=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    serving_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_show_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff.id", ondelete="SET NULL"))

    unit: Mapped[Unit | None] = relationship()

    __table_args__ = (
        sa.UniqueConstraint("service_day", "number", name="uq_walk_in_service_day_number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.CheckConstraint(f"persons BETWEEN 1 AND {MAX_PERSONS}", name="persons_range"),
        sa.CheckConstraint(_enum_check("status", [s.value for s in WalkInStatus]),
                           name="status_known"),
        sa.CheckConstraint(_enum_check("purpose", [p.value for p in Purpose]),
                           name="purpose_known"),
    )

    @property
    def ticket(self):
        """The number shown on the info screen and called out, e.g. 'W12'."""
        return f"W{self.number}"


class KioskDevice(db.Model):
    """A tablet put into self check-in mode by a staff member; usable until revoked."""

    __tablename__ = "kiosk_device"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    # SHA-256 of the random token in the device's cookie; the token itself is not kept.
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[Staff | None] = relationship()


class AuditEntry(db.Model):
    """One staff action that changed a booking, a walk-in, an account or a setting.

    before and after are JSON objects of the changed fields. They never contain
    passwords, hashes, tokens or a citizen's name and contact details (see admin.audit).
    """

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # None for actions without a logged-in staff member: the command line and self check-in.
    staff_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("staff.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    object_type: Mapped[str] = mapped_column(sa.String(30))
    object_id: Mapped[str | None] = mapped_column(sa.String(40))
    before: Mapped[str | None] = mapped_column(sa.Text)
    after: Mapped[str | None] = mapped_column(sa.Text)

    staff: Mapped[Staff | None] = relationship()

    __table_args__ = (
        sa.Index("ix_audit_entry_object", "object_type", "object_id"),
    )
