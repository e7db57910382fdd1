"""Units, counters, weekly opening hours, closures and holiday rules.

A change that would leave existing bookings outside the opening hours (a closure,
shorter hours, a new slot length, a holiday rule, a deactivated unit) is made in two
steps. The first call raises ConfirmationNeeded with the affected bookings, and the
caller shows them and calls again with their ids as `confirmed`. The second call
cancels those bookings along with the change if the affected set is still the same.
If it has changed in between, it raises ConfirmationNeeded again with the new list.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from admin import audit
from admin.assisted import cancel_for_citizen
from admin.models import Counter
from booking import queries as booking_queries
from booking.models import (
    Booking, Closure, HolidayRule, OpeningPeriod, SlotReservation, Status, Unit,
)
from booking.slots import ClosedPeriod, UnitSchedule, closing_days, generate_slots
from pastid.extensions import db
from pastid.timeutil import local_day_bounds

logger = logging.getLogger(__name__)

UNIT_FIELDS = ("name", "location", "position", "is_active", "slot_minutes", "horizon_days",
               "lead_minutes")
CLOSURE_FIELDS = ("unit_id", "starts_at", "ends_at", "reason")
COUNTER_FIELDS = ("name", "unit_id", "position", "is_active")


class ScheduleError(Exception):
    """Base of the refusals of schedule changes; views turn each into a Danish message."""


class ConfirmationNeeded(ScheduleError):
    """The change would cancel these bookings; call again with confirmed set to their ids."""

    def __init__(self, bookings):
        super().__init__(f"{len(bookings)} bookings affected")
        self.bookings = bookings


class InvalidHours(ScheduleError):
    """An opening period of one weekday is wrong: reason is 'order', 'overlap' or 'fit'."""

    def __init__(self, weekday, reason, period):
        super().__init__(f"weekday {weekday}: {reason}")
        self.weekday = weekday
        self.reason = reason
        self.period = period


class NameTaken(ScheduleError):
    pass


class UnitHasCounter(ScheduleError):
    """Another counter already serves this unit."""


@dataclass(frozen=True)
class UnitValues:
    name: str
    location: str
    position: int
    slot_minutes: int
    horizon_days: int
    lead_minutes: int
    is_active: bool


def _minutes(value):
    return value.hour * 60 + value.minute


def check_periods(periods_by_weekday, slot_minutes):
    """Raise InvalidHours unless every period opens before it closes, no two periods of a
    day overlap, and each period is a whole number of slots long."""
    for weekday, periods in sorted(periods_by_weekday.items()):
        previous_close = None
        for opens, closes in sorted(periods):
            if opens >= closes:
                raise InvalidHours(weekday, "order", (opens, closes))
            if previous_close is not None and opens < previous_close:
                raise InvalidHours(weekday, "overlap", (opens, closes))
            if (_minutes(closes) - _minutes(opens)) % slot_minutes:
                raise InvalidHours(weekday, "fit", (opens, closes))
            previous_close = closes


def periods_of(unit):
    """Return {weekday: [(opens, closes)]} of the unit's stored opening hours."""
    periods = defaultdict(list)
    for period in unit.opening_periods:
        periods[period.weekday].append((period.opens_at, period.closes_at))
    return {weekday: sorted(values) for weekday, values in periods.items()}


def _schedule(unit_id, values, periods_by_weekday):
    if not values.is_active:
        return None
    periods = tuple(sorted((weekday, opens, closes)
                           for weekday, day_periods in periods_by_weekday.items()
                           for opens, closes in day_periods))
    return UnitSchedule(unit_id, values.slot_minutes, values.horizon_days, values.lead_minutes,
                        periods)


def find_conflicting_bookings(*, now, tz, schedules=None, extra_closures=(), holiday_modes=None):
    """Return the upcoming bookings that would no longer fit the opening hours.

    schedules maps a unit id to a proposed UnitSchedule, or to None for a unit that
    would stop taking bookings. extra_closures and holiday_modes add a proposed closure
    or holiday rule. Lead time and horizon are ignored, because they only limit new
    bookings. A booking fits when every slot it reserves is a slot of its unit under
    the proposed hours.
    """
    bookings = db.session.scalars(
        sa.select(Booking).where(Booking.status == Status.BOOKED, Booking.start_at > now)
        .order_by(Booking.start_at, Booking.id)).all()
    if not bookings:
        return []

    current = {schedule.unit_id: schedule for schedule in booking_queries.load_schedules()}
    current.update(schedules or {})
    days = [booking.start_at.astimezone(tz).date() for booking in bookings]
    first_day, last_day = min(days), max(days)
    starts_at, ends_at = local_day_bounds(first_day, tz)[0], local_day_bounds(last_day, tz)[1]
    closures = booking_queries.load_closures(starts_at, ends_at) + list(extra_closures)
    modes = {**booking_queries.load_holiday_modes(), **(holiday_modes or {})}
    horizon = (last_day - now.astimezone(tz).date()).days + 1
    relaxed = [replace(schedule, lead_minutes=0, horizon_days=max(schedule.horizon_days, horizon))
               for schedule in current.values() if schedule is not None]
    slots = generate_slots(relaxed, closures, closing_days(first_day, last_day, modes), set(),
                           first_day, last_day, now, tz)
    valid = {(slot.unit_id, slot.start) for slot in slots}

    reserved = defaultdict(list)
    for booking_id, unit_id, start in db.session.execute(
            sa.select(SlotReservation.booking_id, SlotReservation.unit_id,
                      SlotReservation.start_at)
            .where(SlotReservation.booking_id.in_([booking.id for booking in bookings]))):
        reserved[booking_id].append((unit_id, start))
    return [booking for booking in bookings
            if not reserved[booking.id] or any(key not in valid for key in reserved[booking.id])]


def _confirm_and_cancel(conflicts, confirmed, *, now, settings, actor_id):
    """Raise ConfirmationNeeded unless confirmed matches conflicts; then cancel them."""
    if conflicts and {booking.id for booking in conflicts} != set(confirmed or ()):
        raise ConfirmationNeeded(conflicts)
    for booking in conflicts:
        cancel_for_citizen(booking, now=now, settings=settings, actor_id=actor_id,
                           action="booking.cancel_by_centre")
    if conflicts:
        logger.info("%s bookings cancelled by a schedule change", len(conflicts))
    return conflicts


def _flush_unique(error_type):
    """Flush in a savepoint so a unique constraint failure becomes error_type."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise error_type() from None


# Units.

def create_unit(values, *, actor_id, now):
    unit = Unit(name=values.name, location=values.location, position=values.position,
                slot_minutes=values.slot_minutes, horizon_days=values.horizon_days,
                lead_minutes=values.lead_minutes, is_active=values.is_active, created_at=now)
    db.session.add(unit)
    _flush_unique(NameTaken)
    audit.record(actor_id, "unit.create", unit, None, audit.snapshot(unit, UNIT_FIELDS), now)
    logger.info("unit %s created", unit.id)
    return unit


def update_unit(unit, values, *, now, tz, settings, actor_id, confirmed=None):
    """Change a unit's settings; return the bookings cancelled because of the change."""
    periods = periods_of(unit)
    check_periods(periods, values.slot_minutes)
    conflicts = find_conflicting_bookings(
        now=now, tz=tz, schedules={unit.id: _schedule(unit.id, values, periods)})
    cancelled = _confirm_and_cancel(conflicts, confirmed, now=now, settings=settings,
                                    actor_id=actor_id)
    before = audit.snapshot(unit, UNIT_FIELDS)
    for field in UNIT_FIELDS:
        setattr(unit, field, getattr(values, field))
    _flush_unique(NameTaken)
    audit.record(actor_id, "unit.update", unit, before, audit.snapshot(unit, UNIT_FIELDS), now)
    return cancelled


def _periods_snapshot(periods_by_weekday):
    return {"periods": [[weekday, opens.strftime("%H:%M"), closes.strftime("%H:%M")]
                        for weekday, periods in sorted(periods_by_weekday.items())
                        for opens, closes in periods]}


def set_opening_hours(unit, periods_by_weekday, *, now, tz, settings, actor_id, confirmed=None):
    """Replace the unit's weekly hours; return the bookings cancelled because of it."""
    check_periods(periods_by_weekday, unit.slot_minutes)
    values = UnitValues(**{field: getattr(unit, field) for field in UNIT_FIELDS})
    conflicts = find_conflicting_bookings(
        now=now, tz=tz, schedules={unit.id: _schedule(unit.id, values, periods_by_weekday)})
    cancelled = _confirm_and_cancel(conflicts, confirmed, now=now, settings=settings,
                                    actor_id=actor_id)
    before = _periods_snapshot(periods_of(unit))
    unit.opening_periods = [
        OpeningPeriod(weekday=weekday, opens_at=opens, closes_at=closes)
        for weekday, periods in sorted(periods_by_weekday.items()) for opens, closes in periods]
    audit.record(actor_id, "unit.opening_hours", unit, before,
                 _periods_snapshot(periods_by_weekday), now)
    logger.info("opening hours of unit %s replaced", unit.id)
    return cancelled


# Closures and blocked times.

def add_closure(unit_id, starts_at: datetime, ends_at: datetime, reason, *, now, tz, settings,
                actor_id, confirmed=None):
    """Close a unit (or the whole centre when unit_id is None) from starts_at to ends_at.

    Return (closure, cancelled bookings). A blocked slot is a closure one slot long.
    """
    if starts_at >= ends_at:
        raise ValueError("a closure must start before it ends")
    # NOTE: a booking committed inside the period between the check below and this
    # transaction's commit is not cancelled and not flagged. Slot generation reads the
    # closure only after the commit, so the window is one request long.
    conflicts = find_conflicting_bookings(
        now=now, tz=tz, extra_closures=[ClosedPeriod(starts_at, ends_at, unit_id)])
    cancelled = _confirm_and_cancel(conflicts, confirmed, now=now, settings=settings,
                                    actor_id=actor_id)
    closure = Closure(unit_id=unit_id, starts_at=starts_at, ends_at=ends_at, reason=reason,
                      created_at=now)
    db.session.add(closure)
    db.session.flush()  # The audit entry names the closure's id.
    audit.record(actor_id, "closure.create", closure, None,
                 audit.snapshot(closure, CLOSURE_FIELDS), now)
    logger.info("closure %s added for unit %s", closure.id, unit_id)
    return closure, cancelled


def delete_closure(closure, *, actor_id, now):
    audit.record(actor_id, "closure.delete", closure, audit.snapshot(closure, CLOSURE_FIELDS),
                 None, now)
    db.session.delete(closure)
    logger.info("closure %s deleted", closure.id)


def list_closures(now):
    """Return the closures that end after now, earliest first."""
    return db.session.scalars(
        sa.select(Closure).where(Closure.ends_at > now)
        .order_by(Closure.starts_at, Closure.id)).all()


# Holiday rules.

def set_holiday_modes(modes, *, now, tz, settings, actor_id, confirmed=None):
    """Store {key: mode} for the customary closing days; return the cancelled bookings."""
    conflicts = find_conflicting_bookings(now=now, tz=tz, holiday_modes=modes)
    cancelled = _confirm_and_cancel(conflicts, confirmed, now=now, settings=settings,
                                    actor_id=actor_id)
    before = booking_queries.load_holiday_modes()
    for key, mode in modes.items():
        rule = db.session.get(HolidayRule, key)
        if rule is None:
            db.session.add(HolidayRule(key=key, mode=mode))
        else:
            rule.mode = mode
    audit.record(actor_id, "holiday_rule.update", None, before, dict(modes), now,
                 object_type="holiday_rule")
    return cancelled


# Counters.

def save_counter(counter, name, unit_id, position, is_active, *, actor_id, now):
    """Create (counter None) or change a counter; raise NameTaken or UnitHasCounter."""
    if unit_id is not None:
        serving = db.session.scalar(sa.select(Counter.id).where(Counter.unit_id == unit_id))
        if serving is not None and (counter is None or serving != counter.id):
            raise UnitHasCounter()
    before = None if counter is None else audit.snapshot(counter, COUNTER_FIELDS)
    if counter is None:
        counter = Counter()
        db.session.add(counter)
    counter.name = name
    counter.unit_id = unit_id
    counter.position = position
    counter.is_active = is_active
    _flush_unique(NameTaken)
    audit.record(actor_id, "counter.create" if before is None else "counter.update", counter,
                 before, audit.snapshot(counter, COUNTER_FIELDS), now)
    return counter
