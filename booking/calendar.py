"""Calendar files (iCalendar, RFC 5545) for booked times, sent with the booking e-mails.

A file contains one VCALENDAR with a hand-written VTIMEZONE and one VEVENT whose start
and end are local wall times with a TZID. Calendar clients match a rescheduled or
cancelled booking to the entry they already have by its UID and take the file with
the highest SEQUENCE as current.

RFC 5546 (iTIP) requires ORGANIZER for PUBLISH, REQUEST and CANCEL, and ATTENDEE for
REQUEST. The booking e-mails therefore send PUBLISH and CANCEL with the centre as
ORGANIZER and no ATTENDEE, which clients import as a plain entry with nothing to answer.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import (
    Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress,
)

from pastid.timeutil import ensure_utc

PRODID = "-//Pastid//Tidsbestilling til pas//DA"
METHODS = ("PUBLISH", "REQUEST", "CANCEL")


@dataclass(frozen=True)
class CalendarEvent:
    """One booked time as a calendar entry."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    location: str
    description: str
    url: str | None = None
    organizer_email: str | None = None
    organizer_name: str | None = None


@dataclass(frozen=True)
class _Observance:
    """One STANDARD or DAYLIGHT part of a VTIMEZONE with a yearly rule."""

    component: type[TimezoneStandard] | type[TimezoneDaylight]
    offset_from: timedelta
    offset_to: timedelta
    tzname: str
    first_onset: datetime
    rule: dict


# icalendar's Timezone.from_tzid writes each past transition as an RDATE, and
# Outlook desktop misreads such lists. Each zone here therefore gets one DAYLIGHT and
# one STANDARD part with the current yearly rule, as Outlook itself writes them.
# EU summer time runs from 01:00 UTC on the last Sunday of March to 01:00 UTC on the
# last Sunday of October. Each DTSTART is that instant in the offset in force before it.
_OBSERVANCES = {
    "Europe/Copenhagen": (
        _Observance(
            component=TimezoneDaylight,
            offset_from=timedelta(hours=1),
            offset_to=timedelta(hours=2),
            tzname="CEST",
            first_onset=datetime(1970, 3, 29, 2, 0),
            rule={"freq": "yearly", "bymonth": 3, "byday": "-1SU"},
        ),
        _Observance(
            component=TimezoneStandard,
            offset_from=timedelta(hours=2),
            offset_to=timedelta(hours=1),
            tzname="CET",
            first_onset=datetime(1970, 10, 25, 3, 0),
            rule={"freq": "yearly", "bymonth": 10, "byday": "-1SU"},
        ),
    ),
}


def build_calendar(
    event: CalendarEvent, method: str, stamp: datetime, tz_name: str = "Europe/Copenhagen"
) -> bytes:
    """Build the iCalendar file for event as UTF-8 bytes with CRLF line endings.

    method is PUBLISH or REQUEST for a new or moved time and CANCEL for a cancelled
    one. stamp, an aware datetime, becomes DTSTAMP in UTC. Raises ValueError for
    another method, a tz_name without a VTIMEZONE definition here, a naive datetime
    or an end that is not after the start.
    """
    if method not in METHODS:
        raise ValueError(f"calendar method must be one of {', '.join(METHODS)}, not {method!r}")
    if tz_name not in _OBSERVANCES:
        raise ValueError(
            f"no VTIMEZONE definition for time zone {tz_name!r}; "
            f"supported: {', '.join(_OBSERVANCES)}"
        )

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    # Clients resolve the event's TZID through a VTIMEZONE that comes before it.
    calendar.add_component(_build_timezone(tz_name))
    calendar.add_component(_build_event(event, method, stamp, ZoneInfo(tz_name)))
    # sorted=False writes properties and components in the order they were added.
    return calendar.to_ical(sorted=False)


def _build_timezone(tz_name):
    timezone = Timezone()
    timezone.add("tzid", tz_name)
    for observance in _OBSERVANCES[tz_name]:
        part = observance.component()
        part.add("dtstart", observance.first_onset)
        part.add("tzoffsetfrom", observance.offset_from)
        part.add("tzoffsetto", observance.offset_to)
        part.add("tzname", observance.tzname)
        part.add("rrule", observance.rule)
        timezone.add_component(part)
    return timezone


def _build_event(event, method, stamp, zone):
    start = ensure_utc(event.start)
    end = ensure_utc(event.end)
    if end <= start:
        raise ValueError(
            f"calendar event {event.uid!r} ends at {end.isoformat()}, "
            f"not after its start {start.isoformat()}"
        )
    if event.sequence < 0:
        raise ValueError(f"calendar event {event.uid!r} has negative SEQUENCE {event.sequence}")

    vevent = Event()
    vevent.add("uid", event.uid)
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", ensure_utc(stamp))
    # icalendar writes a ZoneInfo datetime as local wall time with TZID=<zone key>.
    vevent.add("dtstart", start.astimezone(zone))
    vevent.add("dtend", end.astimezone(zone))
    vevent.add("summary", event.summary)
    vevent.add("location", event.location)
    vevent.add("description", event.description)
    if event.url:
        vevent.add("url", event.url)
    if event.organizer_email:
        parameters = {"CN": event.organizer_name} if event.organizer_name else {}
        vevent.add("organizer", vCalAddress(f"mailto:{event.organizer_email}"),
                   parameters=parameters)
    vevent.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    return vevent
