"""The agreement's success criteria as rules, at and around every threshold."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from kpi.evaluation import (
    EffectFigures, FocusAreaCounts, RoundPeriod, Status, budget_months, evaluate_budget,
    evaluate_citizen_survey, evaluate_competence, evaluate_efficiency, evaluate_online_booking,
    evaluate_wellbeing,
)

# Online booking for passports ----------------------------------------------------------


@pytest.mark.parametrize("bookings, answers, satisfied, expected", [
    (0, 0, 0, Status.NOT_MET),              # no bookings: the solution is not established
    (0, 10, 10, Status.NOT_MET),            # answers without bookings in the period
    (5, 0, 0, Status.NOT_MEASURED),         # bookings, but nobody answered
    (1, 1, 1, Status.MET),                  # one answer, satisfied
    (1, 1, 0, Status.NOT_MET),              # one answer, not satisfied
    (100, 10, 9, Status.MET),               # exactly 90 %
    (100, 2000, 1799, Status.PARTLY_MET),   # 89.95 % is not 90 %
    (100, 10, 8, Status.PARTLY_MET),        # exactly 80 %
    (100, 2000, 1599, Status.NOT_MET),      # 79.95 % is not 80 %
    (100, 17, 16, Status.MET),              # the field case: 94.1 %
])
def test_online_booking_status(bookings, answers, satisfied, expected):
    assert evaluate_online_booking(bookings, answers, satisfied).status == expected


def test_online_booking_figures_of_field_case():
    result = evaluate_online_booking(40, 17, 16)

    assert result.figures["share"] == Fraction(16, 17)
    assert result.figures["answers"] == 17
    low, high = result.figures["interval"]
    assert (round(low, 4), round(high, 4)) == (0.7302, 0.9895)
    # 73.0-98.9 % contains both 80 % and 90 %: n is too small to separate the statuses.
    assert result.figures["undecided_thresholds"] == [0.8, 0.9]
    assert result.notes == ["interval_spans_threshold"]


def test_online_booking_large_n_separates_thresholds():
    result = evaluate_online_booking(5000, 2000, 1900)
    assert result.status == Status.MET
    assert result.figures["undecided_thresholds"] == []
    assert result.notes == []


def test_online_booking_without_answers_has_no_share():
    result = evaluate_online_booking(12, 0, 0)
    assert result.figures["share"] is None
    assert result.figures["interval"] is None
    assert result.missing == ["no_answers"]


# Citizen survey ---------------------------------------------------------------------------

ROUNDS = [RoundPeriod(1, date(2027, 1, 1), date(2027, 3, 31)),
          RoundPeriod(2, date(2027, 6, 1), date(2027, 8, 31))]
AFTER_SECOND_ROUND = date(2027, 9, 1)


def counts(*per_score):
    """Return {score: answers} from the counts of scores 1 to 5."""
    return dict(zip(range(1, 6), per_score))


def test_citizen_survey_met_when_every_area_improves_significantly():
    areas = [FocusAreaCounts("waiting_time", counts(10, 10, 20, 30, 30), counts(2, 3, 5, 40, 50)),
             FocusAreaCounts("professional_quality", counts(5, 10, 25, 30, 30),
                             counts(1, 2, 7, 40, 50))]
    result = evaluate_citizen_survey(ROUNDS, areas, AFTER_SECOND_ROUND)

    assert result.status == Status.MET
    waiting = result.figures["areas"][0]
    assert waiting["first"]["share"] == Fraction(60, 100)
    assert waiting["second"]["share"] == Fraction(90, 100)
    assert waiting["difference_points"] == 30
    assert waiting["proportion_test"].method == "z"
    assert waiting["significant"] is True
    assert waiting["rank_significant"] is True


def test_citizen_survey_partly_met_without_significance():
    areas = [FocusAreaCounts("waiting_time", counts(0, 1, 1, 4, 4), counts(0, 0, 1, 4, 5))]
    result = evaluate_citizen_survey(ROUNDS, areas, AFTER_SECOND_ROUND)

    assert result.status == Status.PARTLY_MET
    area = result.figures["areas"][0]
    assert area["improved"] is True
    assert area["proportion_test"].method == "fisher"
    assert area["significant"] is False


def test_citizen_survey_not_met_without_improvement():
    areas = [FocusAreaCounts("waiting_time", counts(10, 10, 20, 30, 30), counts(2, 3, 5, 40, 50)),
             FocusAreaCounts("general_service", counts(0, 0, 10, 45, 45),
                             counts(0, 0, 10, 45, 45))]
    result = evaluate_citizen_survey(ROUNDS, areas, AFTER_SECOND_ROUND)

    assert result.status == Status.NOT_MET
    assert result.figures["areas"][1]["improved"] is False


def test_citizen_survey_not_measured_before_second_round_ends():
    areas = [FocusAreaCounts("waiting_time", counts(10, 10, 20, 30, 30), counts(2, 3, 5, 40, 50))]

    on_last_day = evaluate_citizen_survey(ROUNDS, areas, date(2027, 8, 31))
    assert on_last_day.status == Status.NOT_MEASURED
    assert on_last_day.missing == ["round_2_not_ended"]
    assert evaluate_citizen_survey(ROUNDS, areas, date(2027, 9, 1)).status == Status.MET


@pytest.mark.parametrize("rounds, areas, missing", [
    ([], [], ["round_1_missing", "round_2_missing", "no_focus_areas"]),
    (ROUNDS[:1], [], ["round_2_missing", "no_focus_areas"]),
    (ROUNDS, [], ["no_focus_areas"]),
    (ROUNDS, [FocusAreaCounts("waiting_time", counts(0, 0, 0, 0, 0), counts(0, 0, 1, 2, 3))],
     ["focus_area_without_answers"]),
])
def test_citizen_survey_lists_what_is_missing(rounds, areas, missing):
    result = evaluate_citizen_survey(rounds, areas, AFTER_SECOND_ROUND)
    assert result.status == Status.NOT_MEASURED
    assert result.missing == missing


# Efficiency and digitalisation --------------------------------------------------------------

def effects(realised_flags, documented=True):
    return [EffectFigures(Decimal("100"), Decimal("100") if realised else Decimal("99.99"),
                          documented) for realised in realised_flags]


@pytest.mark.parametrize("analysis_on, flags, documented, expected", [
    (date(2027, 3, 1), [True] * 5, True, Status.MET),
    (None, [True] * 5, True, Status.PARTLY_MET),             # no analysis recorded
    (date(2027, 3, 1), [True] * 5, False, Status.PARTLY_MET),  # effects not documented
    (date(2027, 3, 1), [True] * 4 + [False], True, Status.PARTLY_MET),  # exactly 80 %
    (date(2027, 3, 1), [True] * 3 + [False] * 2, True, Status.NOT_MET),  # 60 %
    (date(2027, 3, 1), [True] * 79 + [False] * 21, True, Status.NOT_MET),  # 79 %
    (date(2027, 3, 1), [], True, Status.NOT_MEASURED),
])
def test_efficiency_status(analysis_on, flags, documented, expected):
    assert evaluate_efficiency(analysis_on, effects(flags, documented)).status == expected


def test_effect_without_realised_value_is_not_realised():
    result = evaluate_efficiency(date(2027, 3, 1), [
        EffectFigures(Decimal("10"), None, True), EffectFigures(Decimal("10"), Decimal("12"), True)])
    assert result.figures["realised"] == 1
    assert result.figures["share"] == Fraction(1, 2)
    assert result.status == Status.NOT_MET


# Competence development ---------------------------------------------------------------------

@pytest.mark.parametrize("employees, held, plan_on, expected, missing", [
    (12, 12, date(2027, 6, 1), Status.MET, []),
    (12, 12, None, Status.PARTLY_MET, ["plan_missing"]),
    (12, 11, date(2027, 6, 1), Status.NOT_MET, ["talks_missing"]),
    (12, 0, None, Status.NOT_MET, ["talks_missing", "plan_missing"]),
    (0, 0, None, Status.NOT_MEASURED, ["no_employees"]),
])
def test_competence_status(employees, held, plan_on, expected, missing):
    result = evaluate_competence(employees, held, plan_on)
    assert result.status == expected
    assert result.missing == missing


def test_competence_progress_share():
    assert evaluate_competence(12, 9, None).figures["share"] == Fraction(3, 4)


# Wellbeing ----------------------------------------------------------------------------------

@pytest.mark.parametrize("centre, centre_decimals, town_hall, town_hall_decimals, expected", [
    (Decimal("4.1"), 1, Decimal("3.9"), 1, Status.MET),
    (Decimal("3.9"), 1, Decimal("3.9"), 1, Status.PARTLY_MET),
    (Decimal("3.8"), 1, Decimal("3.9"), 1, Status.NOT_MET),
    (Decimal("4.2"), 1, Decimal("4.15"), 2, Status.PARTLY_MET),  # 4.15 is 4.2 at one decimal
    (Decimal("4.2"), 1, Decimal("4.14"), 2, Status.MET),
    (Decimal("4.25"), 2, Decimal("4.24"), 2, Status.MET),
    (Decimal("72"), 0, Decimal("72.4"), 1, Status.PARTLY_MET),
])
def test_wellbeing_status(centre, centre_decimals, town_hall, town_hall_decimals, expected):
    result = evaluate_wellbeing(centre, centre_decimals, town_hall, town_hall_decimals)
    assert result.status == expected


def test_wellbeing_without_scores_is_not_measured():
    result = evaluate_wellbeing(None, 0, None, 0)
    assert result.status == Status.NOT_MEASURED
    assert result.missing == ["apv_missing"]


# Budget ---------------------------------------------------------------------------------------

SALARY = 21_120_200
OPERATING = 476_700


def test_budget_months_pro_rata_and_forecast():
    rows = budget_months(SALARY, OPERATING, {1: (1_700_000, 40_000), 2: (1_800_000, 30_000)})

    assert rows[0]["total"] == 1_740_000
    assert rows[0]["pro_rata"] == 1_799_742  # 21,596,900 / 12 = 1,799,741.67, rounded up
    assert rows[0]["forecast"] == 20_880_000
    assert rows[1]["cumulative"] == 3_570_000
    assert rows[1]["pro_rata"] == 3_599_483  # 21,596,900 * 2 / 12 = 3,599,483.33
    assert rows[1]["forecast"] == 21_420_000
    assert rows[2]["total"] is None
    assert rows[2]["cumulative"] == 3_570_000
    assert rows[11]["pro_rata"] == 21_596_900


def test_budget_met_within_frame():
    result = evaluate_budget(SALARY, OPERATING, {1: (1_700_000, 40_000), 2: (1_800_000, 30_000)},
                             months_due=2)
    assert result.status == Status.MET
    assert result.figures["spent"] == 3_570_000
    assert result.figures["forecast"] == 21_420_000


def test_budget_forecast_exactly_at_frame_is_met():
    # Three months of 100,000 kr. forecast 1,200,000 kr., exactly the frame.
    result = evaluate_budget(1_200_000, 0, {1: (100_000, 0), 2: (100_000, 0), 3: (100_000, 0)},
                             months_due=3)
    assert result.figures["forecast"] == 1_200_000
    assert result.status == Status.MET
    over = evaluate_budget(1_200_000, 0, {1: (100_000, 0), 2: (100_000, 0), 3: (100_001, 0)},
                           months_due=3)
    assert over.status == Status.NOT_MET


def test_budget_partly_met_with_missing_month():
    result = evaluate_budget(SALARY, OPERATING, {1: (1_700_000, 40_000)}, months_due=2)
    assert result.status == Status.PARTLY_MET
    assert result.figures["gaps"] == [2]
    assert result.missing == ["months_without_actuals"]


def test_budget_without_actuals_is_not_measured():
    result = evaluate_budget(SALARY, OPERATING, {}, months_due=5)
    assert result.status == Status.NOT_MEASURED
    assert result.missing == ["no_actuals"]
