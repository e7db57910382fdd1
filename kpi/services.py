"""Changes: storing a survey answer once, and the figures the chief enters, with audit.

The functions take plain values, the acting staff id and the time; they flush only
where an id or a constraint is needed, and the caller commits once.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from admin import audit
from booking.models import Booking, Channel
from kpi.models import (
    BOOKING_QUESTIONS, BudgetActual, DevelopmentTalk, EfficiencyEffect, Employee,
    FocusArea, Question, SurveyAnswer, SurveyRound, WellbeingResult,
)
from pastid.extensions import db

logger = logging.getLogger(__name__)


class KpiError(Exception):
    """Base of the refusals of KPI changes; views turn each into a Danish message."""


class SurveyClosed(KpiError):
    """The survey link was answered already or has expired."""


class RoundsOverlap(KpiError):
    """The second measurement round starts before the first one ends."""


class FocusAreasTooEarly(KpiError):
    """Focus areas are chosen from the first round's result, so it must have ended."""


class DuplicateRecord(KpiError):
    """A record for the same month, employee or question exists already."""


# The post-visit survey ---------------------------------------------------------------

def survey_expiry(booking, valid_days):
    """Return when the booking's survey link expires, or None if no link was sent."""
    if booking.survey_expires_at is not None:
        return booking.survey_expires_at
    if booking.survey_sent_at is not None:
        return booking.survey_sent_at + timedelta(days=valid_days)
    return None


def survey_link_state(booking, *, now, valid_days):
    """Return 'answered', 'expired' or 'open' for the booking's survey link."""
    if booking.survey_answered_at is not None:
        return "answered"
    expiry = survey_expiry(booking, valid_days)
    if expiry is None or now >= expiry:
        return "expired"
    return "open"


def _still_open(now, valid_days):
    return sa.or_(
        Booking.survey_expires_at > now,
        sa.and_(Booking.survey_expires_at.is_(None),
                Booking.survey_sent_at > now - timedelta(days=valid_days)),
    )


def record_survey_answer(booking, scores, comment, *, now, tz, valid_days):
    """Store one answer for the booking's survey link; raise SurveyClosed.

    scores maps Question to 1-5 or None. The link is claimed with a conditional UPDATE
    (survey_answered_at still null and the link not expired) in the same transaction
    as the insert, so two submissions at once store one answer and the second gets
    SurveyClosed. The answer keeps no reference to the booking.
    """
    claimed = db.session.execute(
        sa.update(Booking)
        .where(Booking.id == booking.id, Booking.survey_answered_at.is_(None),
               _still_open(now, valid_days))
        .values(survey_answered_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        logger.warning("survey link of booking %s submitted but already answered or expired",
                       booking.id)
        raise SurveyClosed()

    values = {Question(question).value: score for question, score in scores.items()}
    if booking.channel != Channel.ONLINE:
        values.update({question.value: None for question in BOOKING_QUESTIONS})
    visited_at = booking.served_at or booking.start_at
    answer = SurveyAnswer(unit_id=booking.unit_id, visit_date=visited_at.astimezone(tz).date(),
                          channel=booking.channel, purpose=booking.purpose,
                          comment=(comment or "").strip() or None, **values)
    db.session.add(answer)
    logger.info("survey link of booking %s answered", booking.id)
    return answer


# Audit helpers -----------------------------------------------------------------------

def _snapshot(obj, fields):
    """Return the audit snapshot of obj, with Decimals as strings for the JSON column."""
    if obj is None:
        return None
    values = {name: getattr(obj, name) for name in fields}
    return audit.clean({name: str(value) if isinstance(value, Decimal) else value
                        for name, value in values.items()})


def _record(actor_id, action, obj, fields, before, now, deleted=False):
    """Add an audit entry with obj's fields before and after (None after a delete)."""
    audit.record(actor_id, action, obj, before, None if deleted else _snapshot(obj, fields), now)


def _flush_or_duplicate():
    """Flush so a unique constraint fires now; raise DuplicateRecord when it does."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise DuplicateRecord() from None


# The agreement's milestones and budget frame ----------------------------------------

AGREEMENT_FIELDS = ("salary_budget", "operating_budget", "efficiency_analysis_on",
                    "efficiency_analysis_note", "competence_plan_on", "competence_plan_note")


def update_agreement(agreement, changes, *, actor_id, now):
    """Set some of AGREEMENT_FIELDS on the agreement, with an audit entry."""
    unknown = set(changes) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValueError(f"fields {sorted(unknown)} cannot be changed here")
    before = _snapshot(agreement, AGREEMENT_FIELDS)
    for name, value in changes.items():
        setattr(agreement, name, value)
    _record(actor_id, "kpi.agreement.update", agreement, AGREEMENT_FIELDS, before, now)
    logger.info("agreement %s updated by staff %s: %s", agreement.id, actor_id,
                ", ".join(sorted(changes)))
    return agreement


# Citizen survey rounds and focus areas -----------------------------------------------

ROUND_FIELDS = ("number", "starts_on", "ends_on")


def save_survey_rounds(agreement, first, second, *, actor_id, now):
    """Set the two measurement rounds; first and second are (starts_on, ends_on) or None.

    Raise RoundsOverlap when the second round starts on or before the first one's end.
    """
    if first and second and second[0] <= first[1]:
        raise RoundsOverlap()
    existing = {r.number: r for r in db.session.scalars(
        sa.select(SurveyRound).where(SurveyRound.agreement_id == agreement.id))}
    for number, period in ((1, first), (2, second)):
        current = existing.get(number)
        if period is None:
            if current is not None:
                _record(actor_id, "kpi.survey_round.delete", current, ROUND_FIELDS,
                        _snapshot(current, ROUND_FIELDS), now, deleted=True)
                db.session.delete(current)
            continue
        before = _snapshot(current, ROUND_FIELDS) if current else None
        if current is None:
            current = SurveyRound(agreement_id=agreement.id, number=number)
            db.session.add(current)
        current.starts_on, current.ends_on = period
        _flush_or_duplicate()
        action = "kpi.survey_round.update" if before else "kpi.survey_round.create"
        _record(actor_id, action, current, ROUND_FIELDS, before, now)
    return first, second


FOCUS_FIELDS = ("question", "actions")


def save_focus_areas(agreement, questions, actions, *, actor_id, today, now):
    """Replace the agreement's focus areas with questions, each with the same actions text.

    Raise FocusAreasTooEarly unless the first round has ended before today.
    """
    first = db.session.scalar(sa.select(SurveyRound).where(
        SurveyRound.agreement_id == agreement.id, SurveyRound.number == 1))
    if first is None or first.ends_on >= today:
        raise FocusAreasTooEarly()
    wanted = {Question(question).value for question in questions}
    current = {area.question: area for area in db.session.scalars(
        sa.select(FocusArea).where(FocusArea.agreement_id == agreement.id))}
    for question, area in current.items():
        if question not in wanted:
            _record(actor_id, "kpi.focus_area.delete", area, FOCUS_FIELDS,
                    _snapshot(area, FOCUS_FIELDS), now, deleted=True)
            db.session.delete(area)
    for question in sorted(wanted):
        area = current.get(question)
        before = _snapshot(area, FOCUS_FIELDS) if area else None
        if area is None:
            area = FocusArea(agreement_id=agreement.id, question=question)
            db.session.add(area)
        area.actions = actions
        _flush_or_duplicate()
        _record(actor_id, "kpi.focus_area.update" if before else "kpi.focus_area.create",
                area, FOCUS_FIELDS, before, now)


# Efficiency effects -----------------------------------------------------------------

EFFECT_FIELDS = ("description", "measure", "expected_value", "realised_value",
                 "documentation")


@dataclass(frozen=True)
class EffectInput:
    description: str
    measure: str
    expected_value: object
    realised_value: object
    documentation: str


def create_effect(agreement, data, *, actor_id, now):
    effect = EfficiencyEffect(agreement_id=agreement.id, created_at=now, **vars(data))
    db.session.add(effect)
    db.session.flush()  # The audit entry names the new effect's id.
    _record(actor_id, "kpi.effect.create", effect, EFFECT_FIELDS, None, now)
    return effect


def update_effect(effect, data, *, actor_id, now):
    before = _snapshot(effect, EFFECT_FIELDS)
    for name, value in vars(data).items():
        setattr(effect, name, value)
    _record(actor_id, "kpi.effect.update", effect, EFFECT_FIELDS, before, now)
    return effect


def delete_effect(effect, *, actor_id, now):
    _record(actor_id, "kpi.effect.delete", effect, EFFECT_FIELDS,
            _snapshot(effect, EFFECT_FIELDS), now, deleted=True)
    db.session.delete(effect)


# Employees and staff development talks ----------------------------------------------

EMPLOYEE_FIELDS = ("name", "job_title", "left_on")


def create_employee(name, job_title, left_on, *, actor_id, now):
    employee = Employee(name=name.strip(), job_title=job_title.strip(), left_on=left_on,
                        created_at=now)
    db.session.add(employee)
    db.session.flush()  # The audit entry names the new employee's id.
    _record(actor_id, "kpi.employee.create", employee, EMPLOYEE_FIELDS, None, now)
    return employee


def update_employee(employee, name, job_title, left_on, *, actor_id, now):
    before = _snapshot(employee, EMPLOYEE_FIELDS)
    employee.name, employee.job_title, employee.left_on = name.strip(), job_title.strip(), left_on
    _record(actor_id, "kpi.employee.update", employee, EMPLOYEE_FIELDS, before, now)
    return employee


TALK_FIELDS = ("employee_id", "agreement_id", "held_on")


def set_development_talk(agreement, employee, held_on, *, actor_id, now):
    """Record the day of the employee's talk in the agreement's year; None removes it."""
    talk = db.session.scalar(sa.select(DevelopmentTalk).where(
        DevelopmentTalk.agreement_id == agreement.id,
        DevelopmentTalk.employee_id == employee.id))
    before = _snapshot(talk, TALK_FIELDS) if talk else None
    if held_on is None:
        if talk is not None:
            _record(actor_id, "kpi.talk.delete", talk, TALK_FIELDS, before, now, deleted=True)
            db.session.delete(talk)
        return None
    if talk is None:
        talk = DevelopmentTalk(agreement_id=agreement.id, employee_id=employee.id)
        db.session.add(talk)
    talk.held_on = held_on
    _flush_or_duplicate()
    _record(actor_id, "kpi.talk.update" if before else "kpi.talk.create", talk, TALK_FIELDS,
            before, now)
    return talk


# Wellbeing --------------------------------------------------------------------------

WELLBEING_FIELDS = ("centre_score", "centre_decimals", "town_hall_score",
                    "town_hall_decimals", "measured_on", "note")


def save_wellbeing(agreement, centre, town_hall, measured_on, note, *, actor_id, now):
    """Store the APV scores; centre and town_hall are Decimals as reported."""
    result = db.session.scalar(sa.select(WellbeingResult).where(
        WellbeingResult.agreement_id == agreement.id))
    before = _snapshot(result, WELLBEING_FIELDS) if result else None
    if result is None:
        result = WellbeingResult(agreement_id=agreement.id)
        db.session.add(result)
    result.centre_score, result.centre_decimals = centre, _decimals(centre)
    result.town_hall_score, result.town_hall_decimals = town_hall, _decimals(town_hall)
    result.measured_on, result.note = measured_on, note
    _flush_or_duplicate()
    _record(actor_id, "kpi.wellbeing.update" if before else "kpi.wellbeing.create", result,
            WELLBEING_FIELDS, before, now)
    return result


def _decimals(value):
    """Return how many decimals a Decimal was written with: Decimal('4.20') gives 2."""
    return max(0, -value.as_tuple().exponent)


# Budget actuals ---------------------------------------------------------------------

BUDGET_FIELDS = ("month", "salary_spent", "operating_spent", "note")


def save_budget_actual(agreement, month, salary_spent, operating_spent, note, *, actor_id,
                       now):
    """Store the month's actual salary and operating sums, replacing earlier figures."""
    if not 1 <= month <= 12:
        raise ValueError(f"month {month} is not 1-12")
    actual = db.session.scalar(sa.select(BudgetActual).where(
        BudgetActual.agreement_id == agreement.id, BudgetActual.month == month))
    before = _snapshot(actual, BUDGET_FIELDS) if actual else None
    if actual is None:
        actual = BudgetActual(agreement_id=agreement.id, month=month)
        db.session.add(actual)
    actual.salary_spent, actual.operating_spent, actual.note = (
        salary_spent, operating_spent, note)
    _flush_or_duplicate()
    _record(actor_id, "kpi.budget.update" if before else "kpi.budget.create", actual,
            BUDGET_FIELDS, before, now)
    return actual


def delete_budget_actual(actual, *, actor_id, now):
    _record(actor_id, "kpi.budget.delete", actual, BUDGET_FIELDS,
            _snapshot(actual, BUDGET_FIELDS), now, deleted=True)
    db.session.delete(actual)

