"""Calendar files, read back with icalendar and with vobject as a second parser."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from icalendar import Calendar

from booking.calendar import CalendarEvent, build_calendar

COPENHAGEN = ZoneInfo("Europe/Copenhagen")
STAMP = datetime(2027, 3, 1, 12, 30, tzinfo=UTC)

# 2027-03-29 09:00 local is summer time (+02:00), 2027-11-01 09:00 local is winter (+01:00).
SUMMER_START = datetime(2027, 3, 29, 9, 0, tzinfo=COPENHAGEN)
WINTER_START = datetime(2027, 11, 1, 9, 0, tzinfo=COPENHAGEN)

EXPECTED_VTIMEZONE = (
    b"BEGIN:VTIMEZONE\r\n"
    b"TZID:Europe/Copenhagen\r\n"
    b"BEGIN:DAYLIGHT\r\n"
    b"DTSTART:19700329T020000\r\n"
    b"TZOFFSETFROM:+0100\r\n"
    b"TZOFFSETTO:+0200\r\n"
    b"TZNAME:CEST\r\n"
    b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\n"
    b"END:DAYLIGHT\r\n"
    b"BEGIN:STANDARD\r\n"
    b"DTSTART:19701025T030000\r\n"
    b"TZOFFSETFROM:+0200\r\n"
    b"TZOFFSETTO:+0100\r\n"
    b"TZNAME:CET\r\n"
    b"RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\n"
    b"END:STANDARD\r\n"
    b"END:VTIMEZONE\r\n"
)


def make_event(start=SUMMER_START, sequence=0, url="http://127.0.0.1:5000/booking/abc"):
    return CalendarEvent(
        uid="booking-42@pastid",
        sequence=sequence,
        start=start,
        end=start + timedelta(minutes=15),
        summary="Pas – fast track, PAS 1",
        location="Borgerservice, Bygaden 2, 2630 Taastrup",
        description="Husk dit gamle pas.\nMød op 5 minutter før; tag billedlegitimation med.",
        url=url,
    )


def build(event=None, method="REQUEST", stamp=STAMP):
    return build_calendar(event or make_event(), method, stamp)


def parse_icalendar_event(data):
    calendar = Calendar.from_ical(data)
    assert len(calendar.events) == 1
    return calendar, calendar.events[0]


def parse_vobject(data):
    return vobject.readOne(data.decode("utf-8"))


def test_summer_start_icalendar():
    _, event = parse_icalendar_event(build(make_event(SUMMER_START)))

    assert event.start == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert event.start.utcoffset() == timedelta(hours=2)
    assert event.end == datetime(2027, 3, 29, 7, 15, tzinfo=UTC)


def test_winter_start_icalendar():
    _, event = parse_icalendar_event(build(make_event(WINTER_START)))

    assert event.start == datetime(2027, 11, 1, 8, 0, tzinfo=UTC)
    assert event.start.utcoffset() == timedelta(hours=1)
    assert event.end == datetime(2027, 11, 1, 8, 15, tzinfo=UTC)


def test_start_written_as_local_time():
    summer = build(make_event(SUMMER_START))
    winter = build(make_event(WINTER_START))

    assert b"DTSTART;TZID=Europe/Copenhagen:20270329T090000\r\n" in summer
    assert b"DTEND;TZID=Europe/Copenhagen:20270329T091500\r\n" in summer
    assert b"DTSTART;TZID=Europe/Copenhagen:20271101T090000\r\n" in winter
    assert b"DTEND;TZID=Europe/Copenhagen:20271101T091500\r\n" in winter


def test_start_given_in_utc_written_local():
    start = datetime(2027, 3, 29, 7, 0, tzinfo=UTC)

    data = build(make_event(start))

    assert b"DTSTART;TZID=Europe/Copenhagen:20270329T090000\r\n" in data


def test_summer_start_vobject():
    vevent = parse_vobject(build(make_event(SUMMER_START))).vevent

    assert vevent.dtstart.value.astimezone(UTC) == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert vevent.dtstart.value.utcoffset() == timedelta(hours=2)
    assert vevent.dtend.value.astimezone(UTC) == datetime(2027, 3, 29, 7, 15, tzinfo=UTC)


def test_winter_start_vobject():
    vevent = parse_vobject(build(make_event(WINTER_START))).vevent

    assert vevent.dtstart.value.astimezone(UTC) == datetime(2027, 11, 1, 8, 0, tzinfo=UTC)
    assert vevent.dtstart.value.utcoffset() == timedelta(hours=1)
    assert vevent.dtend.value.astimezone(UTC) == datetime(2027, 11, 1, 8, 15, tzinfo=UTC)


def test_vtimezone_rules_match_zoneinfo():
    # vobject keeps the first VTIMEZONE it reads for a TZID for the rest of the process,
    # so this test takes the rules from this file's VTIMEZONE with gettzinfo().
    vtimezone_tz = parse_vobject(build()).vtimezone.gettzinfo()
    instants = []
    for year in range(2026, 2041):
        for month in (3, 10):
            last_day = datetime(year, month, 31, tzinfo=UTC)
            last_sunday = last_day - timedelta(days=(last_day.weekday() + 1) % 7)
            change = last_sunday.replace(hour=1)
            instants += [change - timedelta(minutes=1), change, change + timedelta(minutes=1)]
        instants.append(datetime(year, 7, 1, 12, tzinfo=UTC))
        instants.append(datetime(year, 1, 15, 12, tzinfo=UTC))

    for instant in instants:
        expected = instant.astimezone(COPENHAGEN).utcoffset()
        assert instant.astimezone(vtimezone_tz).utcoffset() == expected, instant


def test_vtimezone_exact_lines():
    data = build()

    assert data.count(b"BEGIN:VTIMEZONE") == 1
    assert EXPECTED_VTIMEZONE in data
    assert b"RDATE" not in data


def test_vtimezone_before_vevent():
    data = build()

    assert data.index(b"END:VTIMEZONE") < data.index(b"BEGIN:VEVENT")


def test_vtimezone_parsed_shape():
    calendar, _ = parse_icalendar_event(build())

    assert len(calendar.timezones) == 1
    timezone = calendar.timezones[0]
    assert str(timezone["TZID"]) == "Europe/Copenhagen"
    assert len(timezone.daylight) == 1
    assert len(timezone.standard) == 1

    daylight = timezone.daylight[0]
    assert daylight.TZOFFSETFROM == timedelta(hours=1)
    assert daylight.TZOFFSETTO == timedelta(hours=2)
    assert str(daylight["TZNAME"]) == "CEST"
    assert daylight.DTSTART == datetime(1970, 3, 29, 2, 0)
    assert dict(daylight["RRULE"]) == {"FREQ": ["YEARLY"], "BYMONTH": [3], "BYDAY": ["-1SU"]}

    standard = timezone.standard[0]
    assert standard.TZOFFSETFROM == timedelta(hours=2)
    assert standard.TZOFFSETTO == timedelta(hours=1)
    assert str(standard["TZNAME"]) == "CET"
    assert standard.DTSTART == datetime(1970, 10, 25, 3, 0)
    assert dict(standard["RRULE"]) == {"FREQ": ["YEARLY"], "BYMONTH": [10], "BYDAY": ["-1SU"]}


def test_calendar_header_properties():
    calendar, _ = parse_icalendar_event(build())

    assert str(calendar["PRODID"]) == "-//Pastid//Tidsbestilling til pas//DA"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["METHOD"]) == "REQUEST"


def test_danish_letters_icalendar():
    _, event = parse_icalendar_event(build())

    assert event.summary == "Pas – fast track, PAS 1"
    assert event.location == "Borgerservice, Bygaden 2, 2630 Taastrup"
    assert event.description == (
        "Husk dit gamle pas.\nMød op 5 minutter før; tag billedlegitimation med."
    )


def test_danish_letters_vobject():
    event = replace(make_event(), location="Rådhuset, Bygaden 2, Høje-Taastrup")

    vevent = parse_vobject(build(event)).vevent

    assert vevent.summary.value == "Pas – fast track, PAS 1"
    assert vevent.location.value == "Rådhuset, Bygaden 2, Høje-Taastrup"
    assert vevent.description.value == (
        "Husk dit gamle pas.\nMød op 5 minutter før; tag billedlegitimation med."
    )


def test_output_is_utf8():
    data = build()

    assert "SUMMARY:Pas – fast track\\, PAS 1\r\n".encode("utf-8") in data
    assert "Mød op".encode("utf-8") in data


def test_long_text_folded_at_75_octets():
    description = "Særlige forhold for ægtefæller og børn på øerne. " * 8
    event = replace(make_event(), description=description)

    data = build(event)

    for line in data.split(b"\r\n"):
        assert len(line) <= 75, line
    assert data.count(b"\r\n ") >= 5
    _, parsed = parse_icalendar_event(data)
    assert parsed.description == description
    assert parse_vobject(data).vevent.description.value == description


def test_crlf_line_endings():
    data = build()

    assert data.endswith(b"END:VCALENDAR\r\n")
    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.count(b"\r") == data.count(b"\r\n")


def test_uid_stable_across_reschedule():
    first = build(make_event(SUMMER_START, sequence=0))
    moved = build(make_event(WINTER_START, sequence=1), stamp=STAMP + timedelta(days=2))

    assert parse_icalendar_event(first)[1].uid == "booking-42@pastid"
    assert parse_icalendar_event(moved)[1].uid == "booking-42@pastid"
    assert parse_vobject(moved).vevent.uid.value == "booking-42@pastid"


def test_same_input_same_bytes():
    assert build() == build()


def test_sequence_values():
    for sequence in (0, 1, 7):
        _, event = parse_icalendar_event(build(make_event(sequence=sequence)))

        assert event.sequence == sequence
        assert f"\r\nSEQUENCE:{sequence}\r\n".encode() in build(make_event(sequence=sequence))


@pytest.mark.parametrize("method", ["PUBLISH", "REQUEST"])
def test_new_event_confirmed(method):
    calendar, event = parse_icalendar_event(build(method=method))

    assert str(calendar["METHOD"]) == method
    assert str(event["STATUS"]) == "CONFIRMED"


def test_cancel_method_and_status():
    data = build(make_event(sequence=2), method="CANCEL")
    calendar, event = parse_icalendar_event(data)

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["STATUS"]) == "CANCELLED"
    assert event.sequence == 2
    assert b"\r\nMETHOD:CANCEL\r\n" in data
    assert b"\r\nSTATUS:CANCELLED\r\n" in data
    assert parse_vobject(data).vevent.status.value == "CANCELLED"


def test_dtstamp_in_utc():
    stamp = datetime(2027, 3, 1, 13, 30, 5, tzinfo=COPENHAGEN)

    data = build(stamp=stamp)

    assert b"\r\nDTSTAMP:20270301T123005Z\r\n" in data
    _, event = parse_icalendar_event(data)
    assert event.DTSTAMP == datetime(2027, 3, 1, 12, 30, 5, tzinfo=UTC)


def test_url_written_when_given():
    _, event = parse_icalendar_event(build())

    assert event.url == "http://127.0.0.1:5000/booking/abc"


def test_url_left_out_when_none():
    data = build(make_event(url=None))

    assert b"\r\nURL" not in data


def test_no_alarm():
    assert b"VALARM" not in build()


def test_unknown_method_rejected():
    with pytest.raises(ValueError, match="'ADD'"):
        build(method="ADD")


def test_unknown_zone_rejected():
    with pytest.raises(ValueError, match="'Europe/Oslo'"):
        build_calendar(make_event(), "REQUEST", STAMP, tz_name="Europe/Oslo")


def test_naive_start_rejected():
    event = replace(make_event(), start=datetime(2027, 3, 29, 9, 0))

    with pytest.raises(ValueError, match="naive"):
        build(event)


def test_naive_stamp_rejected():
    with pytest.raises(ValueError, match="naive"):
        build(stamp=datetime(2027, 3, 1, 12, 30))


def test_end_before_start_rejected():
    event = replace(make_event(), end=SUMMER_START)

    with pytest.raises(ValueError, match="not after its start"):
        build(event)
