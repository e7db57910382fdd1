"""Reads: schedules, free times, days with free times, and bookings by link or code."""

import hashlib
from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from booking.models import Booking, Closure, HolidayRule, OpeningPeriod, SlotReservation, Unit
from booking.slots import (
    OPTIONAL_CLOSING_DAYS, ClosedPeriod, UnitSchedule, closing_days, consecutive_starts,
    generate_slots,
)
from pastid.extensions import db
from pastid.timeutil import local_day_bounds, local_today


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def list_units(active_only=True):
    query = sa.select(Unit).order_by(Unit.position, Unit.id)
    if active_only:
        query = query.where(Unit.is_active)
    return db.session.scalars(query).all()


def get_unit(unit_id):
    return db.session.get(Unit, unit_id)


# The reads behind every availability answer are built once: constructing a statement
# costs more than SQLite takes to run these small queries.
_unit = Unit.__table__
_period = OpeningPeriod.__table__
_closure = Closure.__table__
_reservation = SlotReservation.__table__

_SCHEDULE_ROWS = (
    sa.select(_unit.c.id, _unit.c.slot_minutes, _unit.c.horizon_days, _unit.c.lead_minutes,
              _period.c.weekday, _period.c.opens_at, _period.c.closes_at)
    .select_from(_unit.outerjoin(_period, _period.c.unit_id == _unit.c.id))
    .where(_unit.c.is_active)
    .order_by(_unit.c.position, _unit.c.id)
)
_ONE_UNIT_SCHEDULE_ROWS = _SCHEDULE_ROWS.where(_unit.c.id == sa.bindparam("unit_id"))

_CLOSURES = sa.select(_closure.c.starts_at, _closure.c.ends_at, _closure.c.unit_id).where(
    _closure.c.starts_at < sa.bindparam("ends_at"), _closure.c.ends_at > sa.bindparam("starts_at"))

_HOLIDAY_MODES = sa.select(HolidayRule.__table__.c.key, HolidayRule.__table__.c.mode)

_TAKEN = sa.select(_reservation.c.unit_id, _reservation.c.start_at).where(
    _reservation.c.start_at >= sa.bindparam("starts_at"),
    _reservation.c.start_at < sa.bindparam("ends_at"),
    sa.or_(_reservation.c.booking_id.is_not(None),
           _reservation.c.expires_at > sa.bindparam("now")))


def load_schedules(unit_id=None):
    """Return the UnitSchedule of every active unit, or of one unit, in display order."""
    if unit_id is None:
        rows = db.session.execute(_SCHEDULE_ROWS)
    else:
        rows = db.session.execute(_ONE_UNIT_SCHEDULE_ROWS, {"unit_id": unit_id})
    units = {}
    for unit_id_, slot_minutes, horizon_days, lead_minutes, weekday, opens_at, closes_at in rows:
        unit = units.setdefault(unit_id_, ((unit_id_, slot_minutes, horizon_days, lead_minutes),
                                           []))
        if weekday is not None:
            unit[1].append((weekday, opens_at, closes_at))
    return [UnitSchedule(*columns, tuple(sorted(periods))) for columns, periods in units.values()]


def load_closures(starts_at, ends_at):
    rows = db.session.execute(_CLOSURES, {"starts_at": starts_at, "ends_at": ends_at})
    return [ClosedPeriod(*row) for row in rows]


def load_holiday_modes():
    return dict(db.session.execute(_HOLIDAY_MODES).all())


def load_holiday_modes_for(first_day, last_day):
    """Return the holiday modes when first_day..last_day has a customary closing day.

    Other ranges need none, because closing_days uses the modes only on those days, so
    most availability reads skip this query.
    """
    for year in range(first_day.year, last_day.year + 1):
        for month, day in OPTIONAL_CLOSING_DAYS.values():
            if first_day <= date(year, month, day) <= last_day:
                return load_holiday_modes()
    return {}


def load_taken(starts_at, ends_at, now, exclude_hold_token=None, exclude_booking_id=None):
    """Return the (unit_id, start) pairs taken by bookings, live holds or held-back times."""
    query = _TAKEN
    if exclude_hold_token:
        query = query.where(sa.or_(_reservation.c.hold_token.is_(None),
                                   _reservation.c.hold_token != exclude_hold_token))
    if exclude_booking_id:
        query = query.where(sa.or_(_reservation.c.booking_id.is_(None),
                                   _reservation.c.booking_id != exclude_booking_id))
    rows = db.session.execute(query, {"starts_at": starts_at, "ends_at": ends_at, "now": now})
    return {tuple(row) for row in rows}


def list_free_slots(first_day, last_day, *, now, tz, unit_id=None, persons=1,
                    exclude_hold_token=None, exclude_booking_id=None, ignore_taken=False):
    """Return the slots (spanning `persons` slots each) free on local days first..last."""
    schedules = load_schedules(unit_id)
    starts_at = local_day_bounds(first_day, tz)[0]
    ends_at = local_day_bounds(last_day, tz)[1]
    taken = set() if ignore_taken else load_taken(
        starts_at, ends_at, now, exclude_hold_token, exclude_booking_id)
    slots = generate_slots(
        schedules,
        load_closures(starts_at, ends_at),
        closing_days(first_day, last_day, load_holiday_modes_for(first_day, last_day)),
        taken, first_day, last_day, now, tz,
    )
    return consecutive_starts(slots, persons)


def count_free_slots_by_day(first_day, last_day, *, now, tz, unit_id=None, persons=1,
                            exclude_hold_token=None, exclude_booking_id=None):
    """Return {local date: number of distinct free start times} for days that have any."""
    slots = list_free_slots(first_day, last_day, now=now, tz=tz, unit_id=unit_id,
                            persons=persons, exclude_hold_token=exclude_hold_token,
                            exclude_booking_id=exclude_booking_id)
    starts = {slot.start for slot in slots}
    return dict(sorted(Counter(start.astimezone(tz).date() for start in starts).items()))


def booking_window(now, tz, unit_id=None):
    """Return the first and last local day anyone can book, over the chosen units."""
    schedules = load_schedules(unit_id)
    today = local_today(tz, now)
    horizon = max((schedule.horizon_days for schedule in schedules), default=0)
    return today, today + timedelta(days=horizon)


def nearest_alternatives(start, *, now, tz, unit_id=None, persons=1, limit=5,
                         exclude_hold_token=None, exclude_booking_id=None):
    """Return up to `limit` free start times closest to `start`, one per start time."""
    day = start.astimezone(tz).date()
    first_day, last_day = booking_window(now, tz, unit_id)
    first_day = max(first_day, day - timedelta(days=7))
    last_day = min(last_day, day + timedelta(days=7))
    if first_day > last_day:
        return []
    slots = list_free_slots(first_day, last_day, now=now, tz=tz, unit_id=unit_id,
                            persons=persons, exclude_hold_token=exclude_hold_token,
                            exclude_booking_id=exclude_booking_id)
    by_start = {}
    for slot in slots:
        by_start.setdefault(slot.start, slot)
    ordered = sorted(by_start.values(), key=lambda slot: (abs(slot.start - start), slot.start))
    return sorted(ordered[:limit])


def get_booking_by_token(token):
    if not token:
        return None
    return db.session.scalar(
        sa.select(Booking).where(Booking.manage_token_hash == hash_token(token)))


def get_booking_by_code(code):
    return db.session.scalar(sa.select(Booking).where(Booking.code == code))


def count_active_bookings(*, now, email=None, phone=None):
    """Count upcoming, uncancelled bookings with this e-mail address or phone number."""
    query = sa.select(sa.func.count()).select_from(Booking).where(
        Booking.status == "booked", Booking.end_at > now)
    if email is not None:
        query = query.where(sa.func.lower(Booking.email) == email.lower())
    if phone is not None:
        query = query.where(Booking.phone == phone)
    return db.session.scalar(query)
