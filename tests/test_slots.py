"""Slot generation as a pure function: weekdays, holidays, closures, DST, horizon, lead."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from booking.slots import (
    ClosedPeriod, Slot, UnitSchedule, closing_days, consecutive_starts, generate_slots,
)
from support import CPH, local

TUESDAY_SPLIT = UnitSchedule(
    unit_id=1, slot_minutes=15, horizon_days=60, lead_minutes=120,
    periods=((1, time(8, 0), time(10, 0)), (1, time(13, 0), time(15, 30))))

WEEKDAYS_9_TO_12 = UnitSchedule(
    unit_id=1, slot_minutes=15, horizon_days=60, lead_minutes=120,
    periods=tuple((weekday, time(9, 0), time(12, 0)) for weekday in range(5)))


def slots_on(day, now, schedules=(WEEKDAYS_9_TO_12,), closures=(), taken=frozenset(),
             modes=None):
    return generate_slots(list(schedules), list(closures), closing_days(day, day, modes),
                          set(taken), day, day, now, CPH)


def test_tuesday_split_hours_summer():
    now = local(2027, 2, 15, 10, 0)
    slots = slots_on(date(2027, 4, 6), now, [TUESDAY_SPLIT])

    assert len(slots) == 18
    assert slots[0].start.astimezone(CPH).isoformat() == "2027-04-06T08:00:00+02:00"
    assert slots[0].start == datetime(2027, 4, 6, 6, 0, tzinfo=UTC)
    assert slots[-1].start.astimezone(CPH).isoformat() == "2027-04-06T15:15:00+02:00"
    assert slots[-1].end.astimezone(CPH).isoformat() == "2027-04-06T15:30:00+02:00"


def test_same_wall_times_in_winter():
    summer = slots_on(date(2027, 4, 6), local(2027, 2, 15, 10, 0), [TUESDAY_SPLIT])
    winter = slots_on(date(2027, 11, 2), local(2027, 9, 15, 10, 0), [TUESDAY_SPLIT])

    assert len(winter) == 18
    assert winter[0].start.astimezone(CPH).isoformat() == "2027-11-02T08:00:00+01:00"
    assert winter[-1].start.astimezone(CPH).isoformat() == "2027-11-02T15:15:00+01:00"
    wall = [slot.start.astimezone(CPH).time() for slot in summer]
    assert wall == [slot.start.astimezone(CPH).time() for slot in winter]


def test_wall_times_do_not_depend_on_now():
    day = date(2027, 4, 6)
    early = slots_on(day, local(2027, 2, 10, 8, 0), [TUESDAY_SPLIT])
    late = slots_on(day, local(2027, 3, 30, 16, 0), [TUESDAY_SPLIT])

    assert early == late


@pytest.mark.parametrize("day, expected_offset", [
    # The Sunday of the spring change: a unit open 00:00-06:00 loses the 02:00 hour.
    (date(2027, 3, 28), "+02:00"),
    # The Sunday of the autumn change: 02:00-03:00 happens twice but is laid out once.
    (date(2027, 10, 31), "+01:00"),
])
def test_dst_sundays_open_all_night(day, expected_offset):
    night = UnitSchedule(unit_id=1, slot_minutes=60, horizon_days=366, lead_minutes=0,
                         periods=((6, time(0, 0), time(6, 0)),))
    slots = generate_slots([night], [], {}, set(), day, day, local(2027, 1, 1), CPH)

    local_hours = [slot.start.astimezone(CPH).hour for slot in slots]
    if day.month == 3:
        assert local_hours == [0, 1, 3, 4, 5]
    else:
        assert local_hours == [0, 1, 2, 3, 4, 5]
    assert slots[-1].start.astimezone(CPH).isoformat()[-6:] == expected_offset
    assert slots[0].start.astimezone(CPH).isoformat()[-6:] == (
        "+01:00" if day.month == 3 else "+02:00")


@pytest.mark.parametrize("day, count, offset", [
    (date(2027, 3, 26), 0, None),        # Good Friday
    (date(2027, 3, 29), 0, None),        # Easter Monday
    (date(2027, 3, 30), 12, "+02:00"),   # first Tuesday of summer time
    (date(2027, 10, 29), 12, "+02:00"),  # last Friday of summer time
    (date(2027, 11, 1), 12, "+01:00"),   # first Monday of winter time
])
def test_weekdays_around_dst_changes(day, count, offset):
    slots = slots_on(day, local(2027, 2, 15, 10, 0) if day.month < 6
                     else local(2027, 9, 15, 10, 0))

    assert len(slots) == count
    if count:
        assert {slot.start.astimezone(CPH).isoformat()[-6:] for slot in slots} == {offset}
        assert all(slot.end - slot.start == timedelta(minutes=15) for slot in slots)


@pytest.mark.parametrize("day", [
    date(2027, 1, 1),    # New Year's Day
    date(2027, 3, 25),   # Maundy Thursday
    date(2027, 3, 26),   # Good Friday
    date(2027, 3, 29),   # Easter Monday
    date(2027, 5, 6),    # Ascension Day
    date(2027, 5, 17),   # Whit Monday
])
def test_public_holidays_2027_have_no_slots(day):
    now = local(day.year, day.month, day.day) - timedelta(days=30)

    assert slots_on(day, now) == []


def test_former_store_bededag_is_a_normal_day():
    day = date(2027, 4, 23)  # the fourth Friday after Easter; no holiday since 2024

    assert len(slots_on(day, local(2027, 3, 1, 9, 0))) == 12


@pytest.mark.parametrize("mode, expected", [
    ("open", 12),
    ("half_day", 12),   # 09:00-12:00 ends exactly at the 12:00 closing
    ("closed", 0),
])
def test_constitution_day_modes(mode, expected):
    day = date(2026, 6, 5)  # a Friday
    slots = slots_on(day, local(2026, 5, 1, 9, 0), modes={"constitution_day": mode})

    assert len(slots) == expected


def test_half_day_cuts_afternoon_slots():
    long_day = UnitSchedule(unit_id=1, slot_minutes=30, horizon_days=60, lead_minutes=0,
                            periods=((0, time(10, 0), time(14, 0)),))
    day = date(2027, 5, 31)  # a Monday; treat it as a half day through the mapping
    slots = generate_slots([long_day], [], {day: time(12, 0)}, set(), day, day,
                           local(2027, 5, 1), CPH)

    assert [slot.start.astimezone(CPH).strftime("%H:%M") for slot in slots] == [
        "10:00", "10:30", "11:00", "11:30"]


def test_default_christmas_eve_closed_new_years_eve_half():
    days = closing_days(date(2027, 12, 20), date(2027, 12, 31))

    assert days[date(2027, 12, 24)] is None
    assert days[date(2027, 12, 25)] is None
    assert days[date(2027, 12, 31)] == time(12, 0)
    assert date(2027, 12, 27) not in days


def test_unit_and_centre_closures():
    day = date(2027, 4, 5)  # a Monday
    other_unit = WEEKDAYS_9_TO_12.__class__(**{**WEEKDAYS_9_TO_12.__dict__, "unit_id": 2})
    closures = [
        ClosedPeriod(local(2027, 4, 5, 9, 0), local(2027, 4, 5, 10, 0), unit_id=1),
        ClosedPeriod(local(2027, 4, 5, 11, 40), local(2027, 4, 5, 11, 50), unit_id=None),
    ]
    slots = slots_on(day, local(2027, 3, 1), [WEEKDAYS_9_TO_12, other_unit], closures)

    unit_one = [s.start.astimezone(CPH).strftime("%H:%M") for s in slots if s.unit_id == 1]
    unit_two = [s.start.astimezone(CPH).strftime("%H:%M") for s in slots if s.unit_id == 2]
    assert unit_one == ["10:00", "10:15", "10:30", "10:45", "11:00", "11:15"]
    # 11:40-11:50 overlaps both 11:30-11:45 and 11:45-12:00.
    assert len(unit_two) == 10
    assert "11:30" not in unit_two
    assert "11:45" not in unit_two


def test_lead_time_hides_slots_within_two_hours():
    day = date(2027, 4, 5)
    slots = slots_on(day, local(2027, 4, 5, 8, 30))

    assert slots[0].start.astimezone(CPH).strftime("%H:%M") == "10:30"
    assert all(slot.start >= local(2027, 4, 5, 10, 30) for slot in slots)


def test_horizon_is_sixty_days_inclusive():
    now = local(2027, 2, 15, 10, 0)
    last = date(2027, 2, 15) + timedelta(days=60)  # 2027-04-16, a Friday
    slots = generate_slots([WEEKDAYS_9_TO_12], [], {}, set(), last - timedelta(days=3),
                           last + timedelta(days=7), now, CPH)

    assert max(slot.start.astimezone(CPH).date() for slot in slots) == last


def test_no_slot_in_the_past():
    now = local(2027, 4, 7, 11, 0)
    slots = generate_slots([WEEKDAYS_9_TO_12], [], {}, set(), date(2027, 4, 1),
                           date(2027, 4, 9), now, CPH)

    assert slots
    assert min(slot.start for slot in slots) >= now


def test_taken_slots_are_left_out():
    day = date(2027, 4, 5)
    taken = {(1, local(2027, 4, 5, 9, 0).astimezone(UTC))}
    slots = slots_on(day, local(2027, 3, 1), taken=taken)

    assert len(slots) == 11
    assert slots[0].start.astimezone(CPH).strftime("%H:%M") == "09:15"


def test_consecutive_starts_for_three_persons():
    schedule = UnitSchedule(unit_id=1, slot_minutes=15, horizon_days=60, lead_minutes=0,
                            periods=((0, time(9, 0), time(10, 0)), (0, time(10, 30), time(11, 0))))
    day = date(2027, 4, 5)
    taken = {(1, local(2027, 4, 5, 9, 15).astimezone(UTC))}
    slots = generate_slots([schedule], [], {}, taken, day, day, local(2027, 3, 1), CPH)

    runs = consecutive_starts(slots, 3)

    # Free: 09:00 | 09:30 09:45 | 10:30 10:45: no run of three, the break splits them.
    assert runs == []
    runs = consecutive_starts(slots, 2)
    assert [(r.start.astimezone(CPH).strftime("%H:%M"), r.end.astimezone(CPH).strftime("%H:%M"))
            for r in runs] == [("09:30", "10:00"), ("10:30", "11:00")]


def test_consecutive_starts_keep_units_apart():
    first = Slot(local(2027, 4, 5, 9, 0).astimezone(UTC), 1, local(2027, 4, 5, 9, 15).astimezone(UTC))
    second = Slot(local(2027, 4, 5, 9, 15).astimezone(UTC), 2,
                  local(2027, 4, 5, 9, 30).astimezone(UTC))

    assert consecutive_starts([first, second], 2) == []
