"""Evaluate an agreement for a period: every goal's rule on figures read in SQL, and the
weekly and monthly series behind the charts.

Survey-based goals use the chosen period. The citizen survey uses its own two rounds,
and the goals on entered figures (effects, talks, APV, budget) use the agreement's year
up to the evaluation day: the period's last day, or today if that is earlier.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from kpi import evaluation, queries
from kpi.evaluation import EffectFigures, FocusAreaCounts, RoundPeriod
from kpi.models import GoalRule, Question
from pastid.timeutil import local_midnight


class InvalidPeriod(ValueError):
    """The period's first day is after its last day."""


@dataclass(frozen=True)
class Period:
    """Local calendar days first_day..last_day, both included."""

    first_day: date
    last_day: date

    def __post_init__(self):
        if self.first_day > self.last_day:
            raise InvalidPeriod(f"period starts {self.first_day} after it ends {self.last_day}")

    def utc_bounds(self, tz):
        """Return the UTC instants [start, end) of the period's local days."""
        return local_midnight(self.first_day, tz), local_midnight(self.last_day + timedelta(1), tz)


def default_period(agreement, today):
    """Return the agreement's period up to today (all of it once it has ended)."""
    last_day = min(agreement.ends_on, max(today, agreement.starts_on))
    return Period(agreement.starts_on, last_day)


def week_starts(period):
    """Return bucket bounds by ISO week: the first day, each Monday, the day after."""
    bounds = [period.first_day]
    monday = period.first_day - timedelta(days=period.first_day.weekday()) + timedelta(7)
    while monday <= period.last_day:
        bounds.append(monday)
        monday += timedelta(7)
    bounds.append(period.last_day + timedelta(1))
    return bounds


def month_starts(period):
    """Return bucket bounds by month: the first day, each 1st, the day after the last."""
    bounds = [period.first_day]
    year, month = period.first_day.year, period.first_day.month
    while True:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        first = date(year, month, 1)
        if first > period.last_day:
            break
        bounds.append(first)
    bounds.append(period.last_day + timedelta(1))
    return bounds


def months_ended(agreement, day):
    """Return how many months of the agreement's year have ended by the end of day."""
    count = 0
    for month in range(1, 13):
        last = date(agreement.year, month, calendar.monthrange(agreement.year, month)[1])
        if last <= day:
            count = month
    return count


@dataclass
class GoalReport:
    goal: object
    result: evaluation.GoalResult


@dataclass
class AgreementReport:
    agreement: object
    period: Period
    evaluated_on: date
    goals: list[GoalReport] = field(default_factory=list)

    def goal(self, rule):
        return next((item for item in self.goals if item.goal.rule == rule), None)


# One function per rule: read the figures, then apply the rule.

def _evaluate_online_booking(agreement, period, today, tz):
    starts_at, ends_at = period.utc_bounds(tz)
    bookings = queries.count_online_bookings(starts_at, ends_at)
    answers, satisfied = queries.count_satisfied(period.first_day, period.last_day)
    return evaluation.evaluate_online_booking(bookings, answers, satisfied)


def round_distributions(agreement):
    """Return the survey rounds and {round number: {question: {score: answers}}}."""
    rounds = queries.list_survey_rounds(agreement.id)
    distributions = {
        survey_round.number: queries.score_distributions(survey_round.starts_on,
                                                         survey_round.ends_on)
        for survey_round in rounds
    }
    return rounds, distributions


def _evaluate_citizen_survey(agreement, period, today, tz):
    rounds, distributions = round_distributions(agreement)
    empty = {score: 0 for score in queries.SCORES}
    areas = [
        FocusAreaCounts(
            area.question,
            distributions.get(1, {}).get(area.question, empty),
            distributions.get(2, {}).get(area.question, empty))
        for area in queries.list_focus_areas(agreement.id)
    ]
    periods = [RoundPeriod(r.number, r.starts_on, r.ends_on) for r in rounds]
    return evaluation.evaluate_citizen_survey(periods, areas, today)


def _evaluate_efficiency(agreement, period, today, tz):
    effects = [EffectFigures(effect.expected_value, effect.realised_value,
                             bool(effect.documentation.strip()))
               for effect in queries.list_effects(agreement.id)]
    return evaluation.evaluate_efficiency(agreement.efficiency_analysis_on, effects)


def _evaluate_competence(agreement, period, today, tz):
    employees, held = queries.count_development_talks(agreement.id, today)
    return evaluation.evaluate_competence(employees, held, agreement.competence_plan_on)


def _evaluate_wellbeing(agreement, period, today, tz):
    result = queries.get_wellbeing(agreement.id)
    if result is None:
        return evaluation.evaluate_wellbeing(None, 0, None, 0)
    return evaluation.evaluate_wellbeing(result.centre_score, result.centre_decimals,
                                         result.town_hall_score, result.town_hall_decimals)


def _evaluate_budget(agreement, period, today, tz):
    actuals = {row.month: (row.salary_spent, row.operating_spent)
               for row in queries.list_budget_actuals(agreement.id)}
    return evaluation.evaluate_budget(agreement.salary_budget, agreement.operating_budget,
                                      actuals, months_ended(agreement, today))


RULES = {
    GoalRule.ONLINE_BOOKING: _evaluate_online_booking,
    GoalRule.CITIZEN_SURVEY: _evaluate_citizen_survey,
    GoalRule.EFFICIENCY: _evaluate_efficiency,
    GoalRule.COMPETENCE: _evaluate_competence,
    GoalRule.WELLBEING: _evaluate_wellbeing,
    GoalRule.BUDGET: _evaluate_budget,
}


def evaluate_goal(goal, period, today, tz):
    """Return the GoalResult of one goal; entered figures count up to the evaluation day."""
    evaluated_on = min(period.last_day, today)
    return RULES[GoalRule(goal.rule)](goal.agreement, period, evaluated_on, tz)


def evaluate_agreement(agreement, period, today, tz, rules=None):
    """Evaluate every goal of agreement (or only those whose rule is in rules)."""
    report = AgreementReport(agreement, period, min(period.last_day, today))
    for goal in agreement.goals:
        if rules is None or goal.rule in rules:
            report.goals.append(GoalReport(goal, evaluate_goal(goal, period, today, tz)))
    return report


# Series for the charts ---------------------------------------------------------------

@dataclass(frozen=True)
class Bucket:
    """One week or month of a series: its first and last local day."""

    first_day: date
    last_day: date


def _buckets(bounds):
    return [Bucket(bounds[i], bounds[i + 1] - timedelta(1)) for i in range(len(bounds) - 1)]


def _utc(bounds, tz):
    return [local_midnight(day, tz) for day in bounds]


def weekly_series(period, tz):
    """Return the weekly figures: satisfaction, bookings, waiting times."""
    bounds = week_starts(period)
    instants = _utc(bounds, tz)
    bookings = queries.series_bookings(instants)
    return {
        "buckets": _buckets(bounds),
        "satisfaction": queries.series_satisfaction(bounds, Question.BOOKING_OVERALL),
        "bookings": bookings,
        "waiting": queries.series_waiting(instants, bookings),
    }


def monthly_series(period, tz):
    """Return the monthly served visits by channel, for the digital share."""
    bounds = month_starts(period)
    return {"buckets": _buckets(bounds), "channels": queries.series_channels(_utc(bounds, tz))}
