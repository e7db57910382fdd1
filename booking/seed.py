"""Demo data: a centre with two PAS units, opening hours, holiday rules and closures."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from booking.models import Closure, HolidayRule, OpeningPeriod, Unit
from booking.slots import DEFAULT_HOLIDAY_MODES
from pastid.extensions import db
from pastid.timeutil import zone

# Monday to Friday in local time: a long Thursday and a short Friday, as at most
# Danish citizen service centres.
DEMO_HOURS = {
    0: [(time(9, 30), time(12, 0)), (time(12, 30), time(15, 0))],
    1: [(time(9, 30), time(12, 0)), (time(12, 30), time(15, 0))],
    2: [(time(9, 30), time(12, 0)), (time(12, 30), time(15, 0))],
    3: [(time(9, 30), time(12, 0)), (time(12, 30), time(17, 30))],
    4: [(time(9, 30), time(13, 0))],
}

DEMO_UNITS = [
    ("PAS 1", "Borgerservice, stueetagen, skranke 5", 1),
    ("PAS 2", "Borgerservice, stueetagen, skranke 6", 2),
]

# (unit name or None for the whole centre, first day, last day, local hours or None, reason)
DEMO_CLOSURES = [
    (None, date(2026, 12, 28), date(2026, 12, 30), None, "Lukket mellem jul og nytår"),
    ("PAS 2", date(2027, 1, 14), date(2027, 1, 14), (time(12, 30), time(17, 30)),
     "Service af pasudstyr"),
    (None, date(2027, 2, 3), date(2027, 2, 3), (time(9, 30), time(11, 0)), "Personalemøde"),
    (None, date(2027, 5, 7), date(2027, 5, 7), None, "Fredag efter Kristi himmelfartsdag"),
]


def _ensure_unit(name, location, position):
    unit = db.session.scalar(sa.select(Unit).where(Unit.name == name))
    if unit is not None:
        return unit, False
    unit = Unit(name=name, location=location, position=position, slot_minutes=15,
                horizon_days=60, lead_minutes=120)
    unit.opening_periods = [
        OpeningPeriod(weekday=weekday, opens_at=opens_at, closes_at=closes_at)
        for weekday, periods in DEMO_HOURS.items() for opens_at, closes_at in periods
    ]
    db.session.add(unit)
    return unit, True


def _closure_bounds(first_day, last_day, hours, tz):
    if hours is None:
        starts = datetime.combine(first_day, time(0), tzinfo=tz)
        ends = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=tz)
    else:
        starts = datetime.combine(first_day, hours[0], tzinfo=tz)
        ends = datetime.combine(last_day, hours[1], tzinfo=tz)
    return starts, ends


def seed_demo_centre():
    """Create what is missing of the demo centre and commit; return lines to print.

    Running it again adds nothing: units are matched by name, closures by unit, start
    and reason, and holiday rules by key.
    """
    tz = zone(current_app.config["TIMEZONE"])
    lines = []
    units = {}
    for name, location, position in DEMO_UNITS:
        unit, created = _ensure_unit(name, location, position)
        units[name] = unit
        lines.append(f"unit {name}: {'created' if created else 'already there'}")
    db.session.flush()  # The closures below need the new units' ids.

    for key, mode in DEFAULT_HOLIDAY_MODES.items():
        if db.session.get(HolidayRule, key) is None:
            db.session.add(HolidayRule(key=key, mode=mode))
            lines.append(f"holiday rule {key}: {mode}")

    for unit_name, first_day, last_day, hours, reason in DEMO_CLOSURES:
        unit_id = units[unit_name].id if unit_name else None
        starts_at, ends_at = _closure_bounds(first_day, last_day, hours, tz)
        exists = db.session.scalar(
            sa.select(sa.func.count()).select_from(Closure)
            .where(Closure.unit_id.is_(unit_id) if unit_id is None else Closure.unit_id == unit_id)
            .where(Closure.starts_at == starts_at, Closure.reason == reason))
        if not exists:
            db.session.add(Closure(unit_id=unit_id, starts_at=starts_at, ends_at=ends_at,
                                   reason=reason))
            lines.append(f"closure {first_day.isoformat()}: {reason}")
    db.session.commit()
    return lines
