"""Reads for the KPIs: counts and averages computed in SQL, never by loading rows.

Survey answers are selected by their local visit day (first_day..last_day, inclusive).
Bookings and walk-ins are selected by UTC instants [starts_at, ends_at). Series take
bucket bounds: ascending starts of local weeks or months, as dates for answers and as
UTC instants for bookings, followed by the end of the last bucket.
"""

import sqlalchemy as sa

from admin.models import WalkIn, WalkInStatus
from booking.models import Booking, Channel, Status, Unit
from kpi.models import (
    SATISFIED_MIN, SCORE_MAX, SCORE_MIN, Agreement, BudgetActual, DevelopmentTalk,
    EfficiencyEffect, Employee, FocusArea, Question, SurveyAnswer, SurveyRound,
    WellbeingResult,
)
from kpi.sql import bucket_index, greatest, seconds_between
from pastid.extensions import db

SCORES = range(SCORE_MIN, SCORE_MAX + 1)


def _count_if(condition):
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


# Agreements and what the chief entered -----------------------------------------------

def list_agreements():
    return db.session.scalars(sa.select(Agreement).order_by(Agreement.year.desc())).all()


def get_agreement_by_year(year):
    return db.session.scalar(sa.select(Agreement).where(Agreement.year == year))


def get_agreement_for_day(day):
    """Return the agreement whose period contains day, else the latest one before it."""
    covering = db.session.scalar(
        sa.select(Agreement).where(Agreement.starts_on <= day, Agreement.ends_on >= day)
        .order_by(Agreement.starts_on.desc()).limit(1))
    if covering is not None:
        return covering
    return db.session.scalar(
        sa.select(Agreement).where(Agreement.starts_on <= day)
        .order_by(Agreement.starts_on.desc()).limit(1))


def list_survey_rounds(agreement_id):
    return db.session.scalars(
        sa.select(SurveyRound).where(SurveyRound.agreement_id == agreement_id)
        .order_by(SurveyRound.number)).all()


def list_focus_areas(agreement_id):
    return db.session.scalars(
        sa.select(FocusArea).where(FocusArea.agreement_id == agreement_id)
        .order_by(FocusArea.id)).all()


def list_effects(agreement_id):
    return db.session.scalars(
        sa.select(EfficiencyEffect).where(EfficiencyEffect.agreement_id == agreement_id)
        .order_by(EfficiencyEffect.id)).all()


def list_employees(include_left=True):
    query = sa.select(Employee).order_by(Employee.name, Employee.id)
    if not include_left:
        query = query.where(Employee.left_on.is_(None))
    return db.session.scalars(query).all()


def list_employee_talks(agreement_id, day):
    """Return (employee, held_on or None) for each employee still employed on day."""
    talk = sa.orm.aliased(DevelopmentTalk)
    rows = db.session.execute(
        sa.select(Employee, talk.held_on)
        .outerjoin(talk, sa.and_(talk.employee_id == Employee.id,
                                 talk.agreement_id == agreement_id))
        .where(sa.or_(Employee.left_on.is_(None), Employee.left_on > day))
        .order_by(Employee.name, Employee.id)
    ).all()
    return [(row[0], row[1]) for row in rows]


def get_development_talk(agreement_id, employee_id):
    return db.session.scalar(sa.select(DevelopmentTalk).where(
        DevelopmentTalk.agreement_id == agreement_id, DevelopmentTalk.employee_id == employee_id))


def count_development_talks(agreement_id, day):
    """Return (employees still employed on day, those with a talk in the agreement)."""
    employed = sa.or_(Employee.left_on.is_(None), Employee.left_on > day)
    employees = db.session.scalar(sa.select(sa.func.count()).select_from(Employee)
                                  .where(employed))
    held = db.session.scalar(
        sa.select(sa.func.count()).select_from(DevelopmentTalk)
        .join(Employee, Employee.id == DevelopmentTalk.employee_id)
        .where(DevelopmentTalk.agreement_id == agreement_id, employed))
    return employees, held


def get_wellbeing(agreement_id):
    return db.session.scalar(
        sa.select(WellbeingResult).where(WellbeingResult.agreement_id == agreement_id))


def list_budget_actuals(agreement_id):
    return db.session.scalars(
        sa.select(BudgetActual).where(BudgetActual.agreement_id == agreement_id)
        .order_by(BudgetActual.month)).all()


# Survey answers ----------------------------------------------------------------------

def _answers_between(first_day, last_day):
    return [SurveyAnswer.visit_date >= first_day, SurveyAnswer.visit_date <= last_day]


def count_satisfied(first_day, last_day, question=Question.BOOKING_OVERALL):
    """Return (answers, satisfied) to question: answers with a score, and those >= 4."""
    column = getattr(SurveyAnswer, Question(question).value)
    answers, satisfied = db.session.execute(
        sa.select(sa.func.count(column), _count_if(column >= SATISFIED_MIN))
        .where(*_answers_between(first_day, last_day))
    ).one()
    return int(answers), int(satisfied)


def score_distributions(first_day, last_day, questions=tuple(Question)):
    """Return {question: {score: answers}} for every score 1-5, in one query."""
    columns = []
    for question in questions:
        column = getattr(SurveyAnswer, Question(question).value)
        columns.extend(_count_if(column == score) for score in SCORES)
    row = db.session.execute(
        sa.select(*columns).where(*_answers_between(first_day, last_day))).one()
    result, values = {}, iter(row)
    for question in questions:
        result[Question(question).value] = {score: int(next(values)) for score in SCORES}
    return result


def list_comments(first_day, last_day, limit=200):
    """Return (visit_date, unit name, comment) of the newest comments in the period."""
    return db.session.execute(
        sa.select(SurveyAnswer.visit_date, Unit.name, SurveyAnswer.comment)
        .outerjoin(Unit, Unit.id == SurveyAnswer.unit_id)
        .where(*_answers_between(first_day, last_day), SurveyAnswer.comment.is_not(None))
        .order_by(SurveyAnswer.visit_date.desc(), SurveyAnswer.id.desc()).limit(limit)
    ).all()


def series_satisfaction(day_bounds, question=Question.BOOKING_OVERALL):
    """Return [(answers, satisfied)] per bucket of visit days given by day_bounds."""
    column = getattr(SurveyAnswer, Question(question).value)
    bucket = bucket_index(SurveyAnswer.visit_date, day_bounds).label("bucket")
    rows = db.session.execute(
        sa.select(bucket, sa.func.count(column), _count_if(column >= SATISFIED_MIN))
        .where(SurveyAnswer.visit_date >= day_bounds[0],
               SurveyAnswer.visit_date < day_bounds[-1])
        .group_by(bucket)
    ).all()
    result = [(0, 0)] * (len(day_bounds) - 1)
    for index, answers, satisfied in rows:
        result[index] = (int(answers), int(satisfied))
    return result


# Bookings and walk-ins ---------------------------------------------------------------

def count_online_bookings(starts_at, ends_at):
    """Count online bookings for times in [starts_at, ends_at) that were not cancelled."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Booking)
        .where(Booking.channel == Channel.ONLINE, Booking.status != Status.CANCELLED,
               Booking.start_at >= starts_at, Booking.start_at < ends_at))


def series_bookings(bounds):
    """Return per bucket the bookings not cancelled: counts by outcome and unit, and waits.

    Each item is {"bookings": n, "served": n, "no_show": n, "units": {unit_id: n},
    "called": n, "wait_seconds": seconds waited by those called, in total}. One scan
    gives both the counts and the waits.
    """
    bucket = bucket_index(Booking.start_at, bounds).label("bucket")
    called = Booking.called_at.is_not(None)
    rows = db.session.execute(
        sa.select(bucket, Booking.unit_id, sa.func.count(),
                  _count_if(Booking.status == Status.SERVED),
                  _count_if(Booking.status == Status.NO_SHOW), _count_if(called),
                  sa.func.sum(sa.case((called, _booked_wait_seconds()), else_=None)))
        .where(Booking.start_at >= bounds[0], Booking.start_at < bounds[-1],
               Booking.status != Status.CANCELLED)
        .group_by(bucket, Booking.unit_id)
    ).all()
    result = [{"bookings": 0, "served": 0, "no_show": 0, "units": {}, "called": 0,
               "wait_seconds": 0.0} for _ in range(len(bounds) - 1)]
    for index, unit_id, bookings, served, no_show, called_count, wait_seconds in rows:
        item = result[index]
        item["bookings"] += int(bookings)
        item["served"] += int(served)
        item["no_show"] += int(no_show)
        item["units"][unit_id] = int(bookings)
        item["called"] += int(called_count)
        item["wait_seconds"] += float(wait_seconds or 0)
    return result


def _booked_wait_seconds():
    """Seconds from check-in, or the booked time if later, to the call; never negative.

    NOTE: PostgreSQL's GREATEST skips nulls, so this is 0, not null, for a booking that
    was never called. Callers must select only called bookings.
    """
    ready_at = greatest(sa.func.coalesce(Booking.checked_in_at, Booking.start_at),
                        Booking.start_at)
    return greatest(sa.literal(0.0), seconds_between(Booking.called_at, ready_at))


def _walk_in_wait_seconds():
    return greatest(sa.literal(0.0), seconds_between(WalkIn.called_at, WalkIn.arrived_at))


def series_waiting(bounds, bookings=None):
    """Return per bucket {"booked": (n, mean seconds), "walk_in": (n, mean seconds)}.

    Only citizens who were called count, and the mean is None for a bucket without any.
    bookings is series_bookings(bounds) when the caller has it already.
    """
    bookings = bookings if bookings is not None else series_bookings(bounds)
    result = [{"booked": (item["called"], item["wait_seconds"] / item["called"]
                          if item["called"] else None), "walk_in": (0, None)}
              for item in bookings]

    walk_in_bucket = bucket_index(WalkIn.arrived_at, bounds).label("bucket")
    walk_ins = db.session.execute(
        sa.select(walk_in_bucket, sa.func.count(), sa.func.avg(_walk_in_wait_seconds()))
        .where(WalkIn.arrived_at >= bounds[0], WalkIn.arrived_at < bounds[-1],
               WalkIn.called_at.is_not(None))
        .group_by(walk_in_bucket)
    ).all()
    for index, count, mean in walk_ins:
        result[index]["walk_in"] = (int(count), float(mean))
    return result


def series_channels(bounds):
    """Return per bucket the served visits: {"online": n, "assisted": n, "walk_in": n}."""
    result = [{"online": 0, "assisted": 0, "walk_in": 0} for _ in range(len(bounds) - 1)]
    bucket = bucket_index(Booking.start_at, bounds).label("bucket")
    served = Booking.status == Status.SERVED
    # The status is tested in the sums, not in WHERE: a WHERE on status would make
    # SQLite use the status index and look up most rows of the table one by one.
    rows = db.session.execute(
        sa.select(bucket, _count_if(sa.and_(served, Booking.channel == Channel.ONLINE)),
                  _count_if(sa.and_(served, Booking.channel == Channel.ASSISTED)))
        .where(Booking.start_at >= bounds[0], Booking.start_at < bounds[-1])
        .group_by(bucket)
    ).all()
    for index, online, assisted in rows:
        result[index]["online"] = int(online)
        result[index]["assisted"] = int(assisted)

    walk_in_bucket = bucket_index(WalkIn.arrived_at, bounds).label("bucket")
    walk_ins = db.session.execute(
        sa.select(walk_in_bucket, sa.func.count())
        .where(WalkIn.arrived_at >= bounds[0], WalkIn.arrived_at < bounds[-1],
               WalkIn.status == WalkInStatus.SERVED)
        .group_by(walk_in_bucket)
    ).all()
    for index, count in walk_ins:
        result[index]["walk_in"] = int(count)
    return result
