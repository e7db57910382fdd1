"""Aware time helpers: one clock for the whole application, and Danish date formats.

Instants are aware datetimes in UTC everywhere inside the application. The centre's
local zone appears only where people read or choose times: slot generation, forms,
templates, e-mails and calendar files.
"""

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

_clock = None

WEEKDAYS = {
    "da": ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
MONTHS = {
    "da": ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august",
           "september", "oktober", "november", "december"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}


def now_utc():
    """Return the current instant as an aware UTC datetime (frozen in tests)."""
    if _clock is not None:
        return _clock()
    return datetime.now(UTC)


def set_clock(clock):
    """Replace the clock with a callable returning aware datetimes; None restores it."""
    global _clock
    _clock = clock


@lru_cache(maxsize=8)
def zone(name="Europe/Copenhagen"):
    return ZoneInfo(name)


def ensure_utc(value):
    """Return an aware datetime converted to UTC; reject naive values."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value.isoformat()} has no time zone")
    return value.astimezone(UTC)


def local_today(tz, now=None):
    return (now or now_utc()).astimezone(tz).date()


def local_midnight(day, tz):
    """Return the UTC instant at which the local calendar day starts."""
    return datetime.combine(day, datetime.min.time(), tzinfo=tz).astimezone(UTC)


def local_day_bounds(day, tz):
    return local_midnight(day, tz), local_midnight(day + timedelta(days=1), tz)


def _language(lang):
    """Return "en" or "da"; None means the language of the current request, if any."""
    if lang is None:
        lang = _request_language()
    return "en" if lang == "en" else "da"


def _request_language():
    from flask import has_request_context
    from flask_babel import get_locale

    if not has_request_context():
        return "da"
    locale = get_locale()
    return locale.language if locale else "da"


def format_day(value, lang=None):
    """Format a date as 'mandag den 29. marts 2027' or 'Monday 29 March 2027'.

    Without lang, the current request's language is used, and Danish outside a request.
    """
    day = value if type(value) is date else value.date()
    lang = _language(lang)
    weekday = WEEKDAYS[lang][day.weekday()]
    month = MONTHS[lang][day.month - 1]
    if lang == "da":
        return f"{weekday} den {day.day}. {month} {day.year}"
    return f"{weekday} {day.day} {month} {day.year}"


def format_time(value, lang=None):
    """Format a local time as '10.15' (Danish) or '10:15' (English)."""
    separator = ":" if _language(lang) == "en" else "."
    return f"{value.hour:02d}{separator}{value.minute:02d}"


def format_local(instant, tz, lang=None):
    """Format an instant in local time: 'mandag den 29. marts 2027 kl. 10.15'."""
    local = instant.astimezone(tz)
    if _language(lang) == "en":
        return f"{format_day(local, lang)} at {format_time(local, lang)}"
    return f"{format_day(local, lang)} kl. {format_time(local, lang)}"


def format_short_date(value):
    """Format a date as '29.03.2027'."""
    return f"{value.day:02d}.{value.month:02d}.{value.year}"
