"""KPI figures computed in SQL: counts, distributions, weekly and monthly series."""

from datetime import date, timedelta

import pytest

from admin.models import WalkIn
from kpi import queries, reports
from kpi.evaluation import Status
from kpi.models import Question
from pastid.extensions import db
from support import CPH, local


def walk_in(day, number, arrived, called=None, status="served", unit=None):
    db.session.add(WalkIn(service_day=day, number=number, unit_id=unit.id if unit else None,
                          purpose="own", status=status, arrived_at=arrived, called_at=called))
    db.session.commit()


def test_count_satisfied_includes_both_end_days(make_answers):
    make_answers(date(2027, 2, 1), {5: 3, 4: 1, 3: 1})
    make_answers(date(2027, 2, 28), {2: 1})
    make_answers(date(2027, 3, 1), {5: 10})

    assert queries.count_satisfied(date(2027, 2, 1), date(2027, 2, 28)) == (6, 4)
    assert queries.count_satisfied(date(2027, 2, 2), date(2027, 2, 27)) == (0, 0)


def test_unanswered_question_is_not_counted(make_answers):
    make_answers(date(2027, 2, 1), {5: 2}, question="waiting_time")

    assert queries.count_satisfied(date(2027, 2, 1), date(2027, 2, 1)) == (0, 0)
    assert queries.count_satisfied(date(2027, 2, 1), date(2027, 2, 1),
                                   Question.WAITING_TIME) == (2, 2)


def test_score_distributions_of_every_question(make_answers):
    make_answers(date(2027, 2, 1), {5: 12, 4: 4, 2: 1})
    make_answers(date(2027, 2, 2), {1: 2}, question="general_service",
                 scores_of={"professional_quality": 5})

    result = queries.score_distributions(date(2027, 2, 1), date(2027, 2, 2))
    assert result["booking_overall"] == {1: 0, 2: 1, 3: 0, 4: 4, 5: 12}
    assert result["general_service"] == {1: 2, 2: 0, 3: 0, 4: 0, 5: 0}
    assert result["professional_quality"] == {1: 0, 2: 0, 3: 0, 4: 0, 5: 2}
    assert result["waiting_time"] == {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}


def test_weekly_satisfaction_buckets(make_answers):
    make_answers(date(2027, 2, 3), {5: 1})   # Wednesday of week 5, before the period
    make_answers(date(2027, 2, 4), {5: 2})   # Thursday of week 5: first day of the period
    make_answers(date(2027, 2, 7), {3: 1})   # Sunday of week 5
    make_answers(date(2027, 2, 8), {4: 1})   # Monday of week 6
    make_answers(date(2027, 2, 16), {1: 1})  # Tuesday of week 7: last day of the period
    period = reports.Period(date(2027, 2, 4), date(2027, 2, 16))

    bounds = reports.week_starts(period)
    assert bounds == [date(2027, 2, 4), date(2027, 2, 8), date(2027, 2, 15), date(2027, 2, 17)]
    assert queries.series_satisfaction(bounds) == [(3, 2), (1, 1), (1, 0)]


def test_online_bookings_by_local_day(make_unit, make_booking):
    unit = make_unit()
    make_booking(unit, local(2027, 3, 22, 0, 30))                      # first local day
    make_booking(unit, local(2027, 3, 28, 23, 30))                     # last day, summer time
    make_booking(unit, local(2027, 3, 29, 0, 15))                      # the day after
    make_booking(unit, local(2027, 3, 22, 10, 0), status="cancelled")  # cancelled
    make_booking(unit, local(2027, 3, 23, 10, 0), channel="assisted")  # booked by staff
    make_booking(unit, local(2027, 3, 24, 10, 0), status="no_show")
    period = reports.Period(date(2027, 3, 22), date(2027, 3, 28))

    assert queries.count_online_bookings(*period.utc_bounds(CPH)) == 3


def test_weekly_bookings_no_shows_and_units(make_unit, make_booking):
    first, second = make_unit("PAS 1"), make_unit("PAS 2")
    make_booking(first, local(2027, 2, 15, 9, 0), status="served")
    make_booking(first, local(2027, 2, 15, 9, 15), status="no_show")
    make_booking(second, local(2027, 2, 16, 9, 0), status="served")
    make_booking(second, local(2027, 2, 17, 9, 0), status="cancelled")
    make_booking(second, local(2027, 2, 22, 9, 0), status="booked")
    period = reports.Period(date(2027, 2, 15), date(2027, 2, 28))
    bounds = [reports.local_midnight(day, CPH) for day in reports.week_starts(period)]

    weeks = queries.series_bookings(bounds)
    assert weeks[0] == {"bookings": 3, "served": 2, "no_show": 1,
                        "units": {first.id: 2, second.id: 1}, "called": 0,
                        "wait_seconds": 0.0}
    assert weeks[1] == {"bookings": 1, "served": 0, "no_show": 0, "units": {second.id: 1},
                        "called": 0, "wait_seconds": 0.0}


def test_waiting_time_to_call(make_unit, make_booking):
    unit = make_unit()
    # Early arrival: the wait starts at the booked time, 09.00, and ends at 09.03.
    make_booking(unit, local(2027, 2, 15, 9, 0), status="served",
                 checked_in_at=local(2027, 2, 15, 8, 50), called_at=local(2027, 2, 15, 9, 3))
    # Late arrival: the wait starts at the check-in, 09.20, and ends at 09.23.
    make_booking(unit, local(2027, 2, 15, 9, 15), status="served",
                 checked_in_at=local(2027, 2, 15, 9, 20), called_at=local(2027, 2, 15, 9, 23))
    # Called before the booked time: no wait.
    make_booking(unit, local(2027, 2, 15, 9, 30), status="served",
                 checked_in_at=local(2027, 2, 15, 9, 20), called_at=local(2027, 2, 15, 9, 28))
    # Never called: left out.
    make_booking(unit, local(2027, 2, 15, 9, 45), status="no_show")
    walk_in(date(2027, 2, 16), 1, local(2027, 2, 16, 10, 0), local(2027, 2, 16, 10, 20))
    walk_in(date(2027, 2, 16), 2, local(2027, 2, 16, 10, 5), local(2027, 2, 16, 10, 15))
    walk_in(date(2027, 2, 16), 3, local(2027, 2, 16, 10, 6), None, status="waiting")
    period = reports.Period(date(2027, 2, 15), date(2027, 2, 21))
    bounds = [reports.local_midnight(day, CPH) for day in reports.week_starts(period)]

    (week,) = queries.series_waiting(bounds)
    count, mean_seconds = week["booked"]
    assert count == 3
    assert mean_seconds == pytest.approx(120, abs=0.01)
    count, mean_seconds = week["walk_in"]
    assert count == 2
    assert mean_seconds == pytest.approx(900, abs=0.01)


def test_monthly_channels_count_served_visits(make_unit, make_booking):
    unit = make_unit()
    for day in (1, 2, 3):
        make_booking(unit, local(2027, 1, day + 3, 9, 0), status="served")
    make_booking(unit, local(2027, 1, 8, 9, 0), status="served", channel="assisted")
    make_booking(unit, local(2027, 1, 11, 9, 0), status="no_show")
    make_booking(unit, local(2027, 2, 1, 9, 0), status="served")
    walk_in(date(2027, 1, 12), 1, local(2027, 1, 12, 9, 0), local(2027, 1, 12, 9, 5))
    walk_in(date(2027, 1, 12), 2, local(2027, 1, 12, 9, 1), None, status="no_show")
    period = reports.Period(date(2027, 1, 1), date(2027, 2, 15))

    monthly = reports.monthly_series(period, CPH)
    assert [(b.first_day, b.last_day) for b in monthly["buckets"]] == [
        (date(2027, 1, 1), date(2027, 1, 31)), (date(2027, 2, 1), date(2027, 2, 15))]
    assert monthly["channels"] == [{"online": 3, "assisted": 1, "walk_in": 1},
                                   {"online": 1, "assisted": 0, "walk_in": 0}]


def test_months_ended_by_day(make_agreement):
    agreement = make_agreement(2027)
    assert reports.months_ended(agreement, date(2027, 1, 30)) == 0
    assert reports.months_ended(agreement, date(2027, 1, 31)) == 1
    assert reports.months_ended(agreement, date(2027, 2, 15)) == 1
    assert reports.months_ended(agreement, date(2028, 3, 1)) == 12
    assert reports.months_ended(agreement, date(2026, 12, 31)) == 0


def test_default_period_runs_to_today(make_agreement):
    agreement = make_agreement(2027)
    assert reports.default_period(agreement, date(2027, 2, 15)) == reports.Period(
        date(2027, 1, 1), date(2027, 2, 15))
    assert reports.default_period(agreement, date(2028, 5, 1)).last_day == date(2027, 12, 31)
    assert reports.default_period(agreement, date(2026, 5, 1)).last_day == date(2027, 1, 1)


def test_period_refuses_end_before_start():
    with pytest.raises(reports.InvalidPeriod):
        reports.Period(date(2027, 2, 2), date(2027, 2, 1))


def test_field_case_evaluates_to_met(make_agreement, make_answers, make_unit, make_booking):
    agreement = make_agreement(2027)
    unit = make_unit()
    make_booking(unit, local(2027, 2, 1, 9, 0), status="served")
    make_answers(date(2027, 2, 1), {5: 12, 4: 4, 2: 1})
    period = reports.Period(date(2027, 1, 1), date(2027, 2, 15))

    report = reports.evaluate_agreement(agreement, period, date(2027, 2, 15), CPH)
    online = report.goal("online_booking").result
    assert online.status == Status.MET
    assert (online.figures["answers"], online.figures["satisfied"]) == (17, 16)
    assert [item.goal.rule for item in report.goals] == [
        "budget", "efficiency", "citizen_survey", "competence", "online_booking", "wellbeing"]


def test_period_without_answers_is_not_measured(make_agreement, make_unit, make_booking):
    agreement = make_agreement(2027)
    make_booking(make_unit(), local(2027, 2, 1, 9, 0), status="served")
    period = reports.Period(date(2027, 2, 1), date(2027, 2, 7))

    report = reports.evaluate_agreement(agreement, period, date(2027, 2, 15), CPH)
    online = report.goal("online_booking").result
    assert online.status == Status.NOT_MEASURED
    assert online.figures["share"] is None
    others = {item.goal.rule: item.result.status for item in report.goals}
    assert others == {"budget": Status.NOT_MEASURED, "efficiency": Status.NOT_MEASURED,
                      "citizen_survey": Status.NOT_MEASURED, "competence": Status.NOT_MEASURED,
                      "online_booking": Status.NOT_MEASURED, "wellbeing": Status.NOT_MEASURED}


def test_week_and_month_bounds_of_a_short_period():
    period = reports.Period(date(2027, 2, 15), date(2027, 2, 15))
    assert reports.week_starts(period) == [date(2027, 2, 15), date(2027, 2, 16)]
    assert reports.month_starts(period) == [date(2027, 2, 15), date(2027, 2, 16)]
    year = reports.Period(date(2027, 1, 1), date(2027, 12, 31))
    assert len(reports.month_starts(year)) == 13
    assert reports.month_starts(year)[-1] == date(2028, 1, 1)
    assert len(reports.week_starts(year)) == 54  # 1 Jan 2027 is a Friday: 53 buckets
    assert reports.week_starts(year)[1] == date(2027, 1, 4)
    assert reports.week_starts(year)[-2] == date(2027, 12, 27)
    assert reports.week_starts(year)[-1] - timedelta(1) == date(2027, 12, 31)
