"""Reads: schedules, free times, days with free times, and bookings by link or code."""

import hashlib
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from booking.models import Booking, Closure, HolidayRule, OpeningPeriod, SlotReservation, Unit
from booking.slots import (
    ClosedPeriod, UnitSchedule, closing_days, consecutive_starts, generate_slots,
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


def load_schedules(unit_id=None):
    """Return the UnitSchedule of every active unit, or of one unit, in display order."""
    query = sa.select(Unit).where(Unit.is_active).order_by(Unit.position, Unit.id)
    if unit_id is not None:
        query = query.where(Unit.id == unit_id)
    units = db.session.scalars(query).all()
    periods = db.session.execute(
        sa.select(OpeningPeriod.unit_id, OpeningPeriod.weekday, OpeningPeriod.opens_at,
                  OpeningPeriod.closes_at)
        .where(OpeningPeriod.unit_id.in_([unit.id for unit in units]))
    ).all()
    by_unit = {unit.id: [] for unit in units}
    for unit_id_, weekday, opens_at, closes_at in periods:
        by_unit[unit_id_].append((weekday, opens_at, closes_at))
    return [
        UnitSchedule(unit.id, unit.slot_minutes, unit.horizon_days, unit.lead_minutes,
                     tuple(sorted(by_unit[unit.id])))
        for unit in units
    ]


def load_closures(starts_at, ends_at):
    rows = db.session.execute(
        sa.select(Closure.starts_at, Closure.ends_at, Closure.unit_id)
        .where(Closure.starts_at < ends_at, Closure.ends_at > starts_at)
    ).all()
    return [ClosedPeriod(row.starts_at, row.ends_at, row.unit_id) for row in rows]


def load_holiday_modes():
    return dict(db.session.execute(sa.select(HolidayRule.key, HolidayRule.mode)).all())


def load_taken(starts_at, ends_at, now, exclude_hold_token=None, exclude_booking_id=None):
    """Return the (unit_id, start) pairs taken by bookings, live holds or held-back times."""
    query = (
        sa.select(SlotReservation.unit_id, SlotReservation.start_at)
        .where(SlotReservation.start_at >= starts_at, SlotReservation.start_at < ends_at)
        .where(sa.or_(SlotReservation.booking_id.is_not(None), SlotReservation.expires_at > now))
    )
    if exclude_hold_token:
        query = query.where(sa.or_(SlotReservation.hold_token.is_(None),
                                   SlotReservation.hold_token != exclude_hold_token))
    if exclude_booking_id:
        query = query.where(sa.or_(SlotReservation.booking_id.is_(None),
                                   SlotReservation.booking_id != exclude_booking_id))
    return {(row.unit_id, row.start_at) for row in db.session.execute(query)}


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
        closing_days(first_day, last_day, load_holiday_modes()),
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
