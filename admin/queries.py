"""Reads for the staff pages: the day's bookings, a unit's queue, the info screen,
booking search and the audit log."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from admin.models import AuditEntry, Counter, KioskDevice, Staff, WalkIn, WalkInStatus
from admin.services import queue_sort_key
from booking.codes import normalize_code
from booking.models import Booking, Status, Unit
from pastid.extensions import db
from pastid.timeutil import local_day_bounds

SCREEN_CALLS = 6
SCREEN_CODE_CHARACTERS = 3
SEARCH_LIMIT = 50
AUDIT_PAGE_SIZE = 200


def list_day_bookings(day, tz, unit_id=None):
    """Return every booking starting on the local day, cancelled ones included."""
    starts_at, ends_at = local_day_bounds(day, tz)
    query = (sa.select(Booking).where(Booking.start_at >= starts_at, Booking.start_at < ends_at)
             .order_by(Booking.start_at, Booking.unit_id, Booking.id))
    if unit_id is not None:
        query = query.where(Booking.unit_id == unit_id)
    return db.session.scalars(query).all()


def list_day_walk_ins(day):
    return db.session.scalars(
        sa.select(WalkIn).where(WalkIn.service_day == day).order_by(WalkIn.number)).all()


@dataclass(frozen=True)
class QueueItem:
    """A checked-in booking or a walk-in, as the PAS unit page shows it."""

    kind: str  # "booking" or "walk_in"
    item: Booking | WalkIn

    @property
    def id(self):
        return self.item.id

    @property
    def label(self):
        return self.item.code if self.kind == "booking" else self.item.ticket

    @property
    def arrived_at(self):
        return self.item.checked_in_at if self.kind == "booking" else self.item.arrived_at

    @property
    def booked_at(self):
        return self.item.start_at if self.kind == "booking" else None


@dataclass(frozen=True)
class UnitQueue:
    in_progress: list[QueueItem]
    waiting: list[QueueItem]


def get_unit_queue(unit_id, day, tz):
    """Return the citizens at unit_id now (called or being served) and those waiting.

    Waiting are the unit's checked-in bookings and every waiting walk-in of the day,
    in queue_sort_key order.
    """
    starts_at, ends_at = local_day_bounds(day, tz)
    bookings = db.session.scalars(
        sa.select(Booking).where(
            Booking.unit_id == unit_id, Booking.start_at >= starts_at, Booking.start_at < ends_at,
            Booking.status.in_([Status.CHECKED_IN, Status.CALLED, Status.SERVING]))).all()
    walk_ins = db.session.scalars(
        sa.select(WalkIn).where(
            WalkIn.service_day == day,
            sa.or_(WalkIn.status == WalkInStatus.WAITING,
                   sa.and_(WalkIn.unit_id == unit_id,
                           WalkIn.status.in_([WalkInStatus.CALLED, WalkInStatus.SERVING]))))
    ).all()
    items = [QueueItem("booking", booking) for booking in bookings]
    items += [QueueItem("walk_in", walk_in) for walk_in in walk_ins]
    items.sort(key=lambda entry: queue_sort_key(entry.kind, entry.item))
    waiting_statuses = (Status.CHECKED_IN, WalkInStatus.WAITING)
    return UnitQueue(
        in_progress=[entry for entry in items if entry.item.status not in waiting_statuses],
        waiting=[entry for entry in items if entry.item.status in waiting_statuses])


@dataclass(frozen=True)
class ScreenCall:
    label: str
    unit_name: str
    counter_name: str | None
    called_at: datetime


def list_recent_calls(day, tz, limit=SCREEN_CALLS):
    """Return the day's latest calls, newest first, with nothing that names a citizen.

    A booking shows only the last characters of its code; a walk-in its ticket.
    """
    starts_at, ends_at = local_day_bounds(day, tz)
    counters = dict(db.session.execute(
        sa.select(Counter.unit_id, Counter.name).where(Counter.unit_id.is_not(None),
                                                       Counter.is_active)).all())
    units = dict(db.session.execute(sa.select(Unit.id, Unit.name)).all())
    bookings = db.session.execute(
        sa.select(Booking.code, Booking.unit_id, Booking.called_at)
        .where(Booking.called_at >= starts_at, Booking.called_at < ends_at)
        .order_by(Booking.called_at.desc()).limit(limit)).all()
    walk_ins = db.session.execute(
        sa.select(WalkIn.number, WalkIn.unit_id, WalkIn.called_at)
        .where(WalkIn.service_day == day, WalkIn.called_at.is_not(None))
        .order_by(WalkIn.called_at.desc()).limit(limit)).all()
    calls = [ScreenCall(code[-SCREEN_CODE_CHARACTERS:], units.get(unit_id, ""),
                        counters.get(unit_id), called_at)
             for code, unit_id, called_at in bookings]
    calls += [ScreenCall(f"W{number}", units.get(unit_id, ""), counters.get(unit_id), called_at)
              for number, unit_id, called_at in walk_ins]
    calls.sort(key=lambda call: call.called_at, reverse=True)
    return calls[:limit]


def search_bookings(text, limit=SEARCH_LIMIT):
    """Return bookings whose code is text, or whose name, e-mail or phone contains it.

    Newest booked time first. A phone number matches on its digits, so "20 12 34 56"
    finds "+4520123456".
    """
    text = (text or "").strip()
    if not text:
        return []
    code = normalize_code(text)
    conditions = []
    if code is not None:
        conditions.append(Booking.code == code)
    pattern = f"%{_escape_like(text.lower())}%"
    conditions.append(_lower(Booking.name).like(pattern, escape="\\"))
    conditions.append(_lower(Booking.email).like(pattern, escape="\\"))
    digits = "".join(char for char in text if char.isdigit())
    if len(digits) >= 6:
        conditions.append(Booking.phone.like(f"%{digits}", escape="\\"))
    return db.session.scalars(
        sa.select(Booking).where(sa.or_(*conditions))
        .order_by(Booking.start_at.desc()).limit(limit)).all()


def _lower(column):
    """Return column in lower case, the Danish letters included, on either database."""
    if db.engine.dialect.name == "sqlite":
        return sa.func.unicode_lower(column)
    return sa.func.lower(column)


def add_sqlite_functions(dbapi_connection, connection_record):
    """Give a SQLite connection unicode_lower(), because SQLite's lower() folds only ASCII
    and would not match "øby" with "Øby"."""
    dbapi_connection.create_function(
        "unicode_lower", 1, lambda value: value.lower() if isinstance(value, str) else value,
        deterministic=True)


def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_audit_entries(*, day=None, tz=None, staff_id=None, booking_id=None,
                       limit=AUDIT_PAGE_SIZE):
    """Return audit entries, newest first, filtered by local day, staff member and booking."""
    query = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if day is not None:
        starts_at, ends_at = local_day_bounds(day, tz)
        query = query.where(AuditEntry.at >= starts_at, AuditEntry.at < ends_at)
    if staff_id is not None:
        query = query.where(AuditEntry.staff_id == staff_id)
    if booking_id is not None:
        query = query.where(AuditEntry.object_type == "booking",
                            AuditEntry.object_id == str(booking_id))
    return db.session.scalars(query.limit(limit)).all()


def booking_codes_for(entries):
    """Return {booking id as text: code} for the bookings the audit entries name."""
    ids = {int(entry.object_id) for entry in entries
           if entry.object_type == "booking" and (entry.object_id or "").isdigit()}
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Booking.id, Booking.code).where(Booking.id.in_(ids)))
    return {str(booking_id): code for booking_id, code in rows}


def list_staff_choices():
    return db.session.execute(
        sa.select(Staff.id, Staff.display_name, Staff.username).order_by(Staff.display_name)).all()


def list_kiosk_devices():
    return db.session.scalars(
        sa.select(KioskDevice).order_by(KioskDevice.revoked_at.is_not(None),
                                        KioskDevice.created_at.desc())).all()


def list_counters():
    return db.session.scalars(sa.select(Counter).order_by(Counter.position, Counter.id)).all()
