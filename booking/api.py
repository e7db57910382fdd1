"""Public JSON API: free times at the centre's PAS units."""

import re
from datetime import date

from flask import Blueprint, current_app, jsonify, request

from booking import queries
from booking.models import MAX_PERSONS, Unit
from pastid.extensions import db, limiter
from pastid.timeutil import now_utc, zone

bp = Blueprint("booking_api", __name__, url_prefix="/api/v1")

MAX_RANGE_DAYS = 92
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ParameterError(Exception):
    def __init__(self, parameter, message):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


def _date_parameter(name):
    raw = request.args.get(name)
    if raw is None:
        raise ParameterError(name, f"missing required parameter '{name}' (YYYY-MM-DD)")
    try:
        if not ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise ParameterError(name, f"'{name}' must be a date as YYYY-MM-DD, got {raw!r}") from None


def _int_parameter(name, minimum, maximum, default=None):
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise ParameterError(
            name, f"'{name}' must be a whole number from {minimum} to {maximum}, got {raw!r}")
    return int(raw)


def _parse_parameters():
    first_day = _date_parameter("from")
    last_day = _date_parameter("to")
    if last_day < first_day:
        raise ParameterError("to", "'to' must not be before 'from'")
    if (last_day - first_day).days + 1 > MAX_RANGE_DAYS:
        raise ParameterError("to", f"the range from 'from' to 'to' must be at most "
                                   f"{MAX_RANGE_DAYS} days")
    unit_id = _int_parameter("unit", 1, 2**31 - 1)
    if unit_id is not None and db.session.get(Unit, unit_id) is None:
        raise ParameterError("unit", f"no unit with id {unit_id}")
    persons = _int_parameter("persons", 1, MAX_PERSONS, default=1)
    return first_day, last_day, unit_id, persons


@bp.get("/availability")
@limiter.limit(lambda: current_app.config["RATELIMIT_API"])
def availability():
    """Return the free start times in a range of local days, sorted by start."""
    try:
        first_day, last_day, unit_id, persons = _parse_parameters()
    except ParameterError as error:
        return jsonify(error=error.message, parameter=error.parameter), 400

    tz_name = current_app.config["TIMEZONE"]
    tz = zone(tz_name)
    slots = queries.list_free_slots(first_day, last_day, now=now_utc(), tz=tz,
                                    unit_id=unit_id, persons=persons)
    return jsonify(timezone=tz_name, slots=[
        {"unit": slot.unit_id, "start": slot.start.astimezone(tz).isoformat(),
         "end": slot.end.astimezone(tz).isoformat()}
        for slot in slots
    ])
