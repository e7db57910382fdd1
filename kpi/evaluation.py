"""The agreement's success criteria as rules: plain figures in, a status and figures out.

Each rule returns a GoalResult whose status is one of met, partly_met, not_met and
not_measured, the figures the status rests on, and codes for what is missing to
evaluate it (kpi.messages turns the codes into sentences). Thresholds are compared
with integer arithmetic, so 89.95 % is below 90 %.
"""

import enum
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from kpi import statistics
from kpi.formatting import round_half_up

MET_SHARE = Fraction(9, 10)
PARTLY_MET_SHARE = Fraction(8, 10)


class Status(enum.StrEnum):
    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_MEASURED = "not_measured"


@dataclass
class GoalResult:
    """A rule's verdict.

    figures holds plain values (numbers, dates, lists, dicts). missing lists codes of
    what must still be entered or done; notes lists codes of cautions about the figures.
    """

    status: Status
    figures: dict = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def share_status(satisfied, answers):
    """Return met at >= 90 %, partly met at >= 80 %, else not met; exact in integers."""
    if 10 * satisfied >= 9 * answers:
        return Status.MET
    if 10 * satisfied >= 8 * answers:
        return Status.PARTLY_MET
    return Status.NOT_MET


# Online booking for passports --------------------------------------------------------

def evaluate_online_booking(bookings, answers, satisfied):
    """Evaluate the online booking goal.

    bookings counts the period's online bookings; answers and satisfied count survey
    answers to the overall booking question and those of 4 or 5. No bookings means the
    solution is not established (not met); bookings without answers cannot be measured.
    """
    interval = statistics.wilson_interval(satisfied, answers)
    undecided = statistics.thresholds_inside(
        interval, [float(PARTLY_MET_SHARE), float(MET_SHARE)]) if answers else []
    figures = {
        "bookings": bookings,
        "answers": answers,
        "satisfied": satisfied,
        "share": Fraction(satisfied, answers) if answers else None,
        "interval": interval,
        "undecided_thresholds": undecided,
    }
    if bookings == 0:
        return GoalResult(Status.NOT_MET, figures, ["no_bookings"])
    if answers == 0:
        return GoalResult(Status.NOT_MEASURED, figures, ["no_answers"])
    notes = ["interval_spans_threshold"] if undecided else []
    return GoalResult(share_status(satisfied, answers), figures, notes=notes)


# Citizen survey ----------------------------------------------------------------------

@dataclass(frozen=True)
class RoundPeriod:
    number: int
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class FocusAreaCounts:
    """The score distributions ({score: answers}) of one question in both rounds."""

    question: str
    first: dict
    second: dict


def _satisfied(distribution):
    return sum(count for score, count in distribution.items() if score >= 4)


def compare_focus_area(area, alpha=statistics.ALPHA):
    """Return the figures of one focus area: shares, tests and whether it improved."""
    n1, n2 = sum(area.first.values()), sum(area.second.values())
    k1, k2 = _satisfied(area.first), _satisfied(area.second)
    proportion_test = statistics.compare_proportions(k1, n1, k2, n2)
    rank_test = statistics.compare_distributions(area.first, area.second)
    improved = bool(n1 and n2 and k2 * n1 > k1 * n2)
    significant = improved and proportion_test is not None and proportion_test.p_value < alpha
    return {
        "question": area.question,
        "first": {"answers": n1, "satisfied": k1, "distribution": dict(area.first),
                  "share": Fraction(k1, n1) if n1 else None},
        "second": {"answers": n2, "satisfied": k2, "distribution": dict(area.second),
                   "share": Fraction(k2, n2) if n2 else None},
        "difference_points": (Fraction(100 * k2, n2) - Fraction(100 * k1, n1))
        if n1 and n2 else None,
        "proportion_test": proportion_test,
        "rank_test": rank_test,
        "rank_significant": rank_test is not None and rank_test.p_value < alpha,
        "improved": improved,
        "significant": significant,
    }


def _round_gaps(rounds, today):
    by_number = {period.number: period for period in rounds}
    missing = [f"round_{number}_missing" for number in (1, 2) if number not in by_number]
    if 2 in by_number and by_number[2].ends_on >= today:
        missing.append("round_2_not_ended")
    return missing


def evaluate_citizen_survey(rounds, areas, today, alpha=statistics.ALPHA):
    """Evaluate the citizen survey goal from its two rounds and the focus areas' counts.

    Met when every focus area's satisfied share rose significantly (one-sided test at
    alpha), partly met when every share rose, not met otherwise. Requiring every area
    to be significant is an intersection-union test, so the chance of calling the goal
    met by luck stays at most alpha without a multiplicity correction. Mann-Whitney U
    on the score distributions is reported beside it but does not decide the status.
    Not measured until the second round has ended (the day after its last day).
    """
    compared = [compare_focus_area(area, alpha) for area in areas]
    missing = _round_gaps(rounds, today)
    if not areas:
        missing.append("no_focus_areas")
    for result in compared:
        if not result["first"]["answers"] or not result["second"]["answers"]:
            missing.append("focus_area_without_answers")
            break
    figures = {"rounds": sorted(rounds, key=lambda period: period.number),
               "areas": compared, "alpha": alpha}
    if missing:
        return GoalResult(Status.NOT_MEASURED, figures, missing)
    if all(result["significant"] for result in compared):
        return GoalResult(Status.MET, figures)
    if all(result["improved"] for result in compared):
        return GoalResult(Status.PARTLY_MET, figures)
    return GoalResult(Status.NOT_MET, figures)


# Efficiency and digitalisation -------------------------------------------------------

@dataclass(frozen=True)
class EffectFigures:
    expected: Decimal
    realised: Decimal | None
    documented: bool

    @property
    def is_realised(self):
        return self.realised is not None and self.realised >= self.expected


def evaluate_efficiency(analysis_on, effects):
    """Evaluate the efficiency goal from the analysis date and the register of effects.

    Met when the analysis is recorded and every effect is realised and documented,
    partly met when at least 80 % of the effects are realised, else not met. Without
    any registered effect there is nothing to measure.
    """
    total = len(effects)
    realised = sum(1 for effect in effects if effect.is_realised)
    documented = sum(1 for effect in effects if effect.documented)
    figures = {"analysis_on": analysis_on, "effects": total, "realised": realised,
               "documented": documented,
               "share": Fraction(realised, total) if total else None}
    missing = []
    if analysis_on is None:
        missing.append("analysis_missing")
    if total == 0:
        return GoalResult(Status.NOT_MEASURED, figures, missing + ["no_effects"])
    if documented < total:
        missing.append("effects_undocumented")
    if analysis_on is not None and realised == total and documented == total:
        return GoalResult(Status.MET, figures, missing)
    if 5 * realised >= 4 * total:
        return GoalResult(Status.PARTLY_MET, figures, missing)
    return GoalResult(Status.NOT_MET, figures, missing)


# Competence development --------------------------------------------------------------

def evaluate_competence(employees, talks_held, plan_done_on):
    """Evaluate the competence goal: staff development talks held and the centre's plan.

    Met when every employee has had the talk and the competence plan is done, partly
    met when every talk is held, else not met; not measured without employees.
    """
    figures = {"employees": employees, "talks_held": talks_held,
               "share": Fraction(talks_held, employees) if employees else None,
               "plan_done_on": plan_done_on}
    if employees == 0:
        return GoalResult(Status.NOT_MEASURED, figures, ["no_employees"])
    missing = []
    if talks_held < employees:
        missing.append("talks_missing")
    if plan_done_on is None:
        missing.append("plan_missing")
    if talks_held >= employees:
        status = Status.MET if plan_done_on is not None else Status.PARTLY_MET
        return GoalResult(status, figures, missing)
    return GoalResult(Status.NOT_MET, figures, missing)


# Wellbeing ---------------------------------------------------------------------------

def evaluate_wellbeing(centre_score, centre_decimals, town_hall_score, town_hall_decimals):
    """Compare the centre's APV score with the town hall's average at reported precision.

    Both scores are rounded half up to the fewer of their two reported decimals, so
    4.2 against 4.15 compares 4.2 with 4.2: at the average, partly met.
    """
    if centre_score is None or town_hall_score is None:
        return GoalResult(Status.NOT_MEASURED, {"centre": None, "town_hall": None},
                          ["apv_missing"])
    decimals = min(centre_decimals, town_hall_decimals)
    centre = round_half_up(centre_score, decimals)
    town_hall = round_half_up(town_hall_score, decimals)
    figures = {"centre": centre, "town_hall": town_hall, "decimals": decimals,
               "difference": centre - town_hall}
    if centre > town_hall:
        return GoalResult(Status.MET, figures)
    if centre == town_hall:
        return GoalResult(Status.PARTLY_MET, figures)
    return GoalResult(Status.NOT_MET, figures)


# Budget frame ------------------------------------------------------------------------

def _pro_rata(frame, months):
    return int(round_half_up(Fraction(frame * months, 12)))


def budget_months(salary_budget, operating_budget, actuals):
    """Return one row per month: actuals, cumulative spend, pro-rata frame and forecast.

    actuals maps month (1-12) to (salary, operating) in whole kroner. The forecast after
    a month extrapolates the spend of the months recorded so far to twelve months.
    """
    frame = salary_budget + operating_budget
    rows, cumulative, recorded = [], 0, 0
    for month in range(1, 13):
        salary, operating = actuals.get(month, (None, None))
        if salary is not None:
            cumulative += salary + operating
            recorded += 1
        rows.append({
            "month": month, "salary": salary, "operating": operating,
            "total": None if salary is None else salary + operating,
            "cumulative": cumulative if recorded else None,
            "pro_rata": _pro_rata(frame, month),
            "forecast": int(round_half_up(Fraction(cumulative * 12, recorded)))
            if recorded else None,
        })
    return rows


def evaluate_budget(salary_budget, operating_budget, actuals, months_due):
    """Evaluate the monthly follow-up of the budget frame.

    months_due is the number of months that have ended by the evaluation day. Not
    measured without actuals; not met when the forecast exceeds the frame; partly met
    when it stays within the frame but a month that has ended has no actuals; else met.
    """
    frame = salary_budget + operating_budget
    rows = budget_months(salary_budget, operating_budget, actuals)
    recorded = sorted(actuals)
    gaps = [month for month in range(1, months_due + 1) if month not in actuals]
    figures = {"salary_budget": salary_budget, "operating_budget": operating_budget,
               "frame": frame, "months": rows, "months_due": months_due, "gaps": gaps}
    if not recorded:
        return GoalResult(Status.NOT_MEASURED, figures, ["no_actuals"])
    spent = sum(salary + operating for salary, operating in actuals.values())
    figures["spent"] = spent
    figures["last_month"] = recorded[-1]
    figures["pro_rata"] = _pro_rata(frame, len(recorded))
    figures["forecast"] = int(round_half_up(Fraction(spent * 12, len(recorded))))
    missing = ["months_without_actuals"] if gaps else []
    if spent * 12 > frame * len(recorded):
        return GoalResult(Status.NOT_MET, figures, missing)
    if gaps:
        return GoalResult(Status.PARTLY_MET, figures, missing)
    return GoalResult(Status.MET, figures, missing)
