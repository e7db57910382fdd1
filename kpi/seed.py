"""Demo data for the KPI module: the 2010 agreement, a current-year copy, and live figures.

The live figures make the current year's dashboard show every status. They are past
bookings with their slot rows (served, no-show and cancelled, online and assisted),
walk-ins, survey answers, two citizen-survey rounds with focus areas, staff development
talks, an APV result, efficiency effects and monthly budget actuals. A fixed random
seed per year keeps the figures the same on every run. Each part is created only when
missing, so running the seeder twice changes nothing.
"""

import hashlib
import random
import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from admin.models import WalkIn, WalkInStatus
from booking.codes import new_code
from booking.models import Booking, SlotReservation, Unit
from booking.queries import load_closures, load_holiday_modes, load_schedules
from booking.slots import closing_days, generate_slots
from kpi import agreement_2010
from kpi.reports import months_ended
from kpi.models import (
    Agreement, BudgetActual, DevelopmentTalk, EfficiencyEffect, Employee, FocusArea, Goal,
    Question, SurveyAnswer, SurveyRound, WellbeingResult,
)
from pastid.extensions import db
from pastid.timeutil import local_midnight, local_today, now_utc, zone

# Share of a day's slots that are booked, and how bookings end.
BOOKED_SHARE = 0.7
CANCELLED_SHARE = 0.04
NO_SHOW_SHARE = 0.05
ASSISTED_SHARE = 0.15
ANSWER_SHARE = 0.4
# Chance per score, from 1 to 5, before and after the focus areas were worked on.
SCORES_BASE = (0.01, 0.02, 0.05, 0.30, 0.62)
SCORES_WEAK = (0.04, 0.07, 0.13, 0.40, 0.36)
FOCUS_QUESTIONS = (Question.WAITING_TIME, Question.PROFESSIONAL_QUALITY)
COMMENTS = (
    "Meget hurtig ekspedition, tak.",
    "Det var nemt at bestille tid på nettet.",
    "Svært at finde ledige tider om eftermiddagen.",
    "Venlig og grundig medarbejder.",
    "Jeg ventede lidt, selv om jeg havde bestilt tid.",
    "Skiltningen til PAS-enhederne kunne være tydeligere.",
)
EMPLOYEES = (
    ("Mette Kjær", "Borgerservicemedarbejder"), ("Lars Holm", "Borgerservicemedarbejder"),
    ("Anne Vestergaard", "Teamleder"), ("Jonas Brandt", "Borgerservicemedarbejder"),
    ("Sofie Lund", "Borgerservicemedarbejder"), ("Peter Dam", "Elev"),
    ("Karin Bech", "Borgerservicemedarbejder"), ("Ali Hassan", "Borgerservicemedarbejder"),
    ("Maria Friis", "Teamleder"), ("Henrik Skov", "Borgerservicemedarbejder"),
    ("Louise Winther", "Borgerservicemedarbejder"), ("Thomas Krogh", "Borgerservicemedarbejder"),
)
# (description, measure, expected, realised, documentation)
EFFECTS = (
    ("Digital ansøgning om boligstøtte erstatter papirblanketten", "sparede timer pr. år",
     "600", "640", "Tidsregistrering for første halvår sammenholdt med samme periode sidste år."),
    ("Automatisk udsendelse af breve om efterregulering", "sparede timer pr. år", "300", "310",
     "Opgørelse fra fagsystemet over automatisk dannede breve."),
    ("Kortere tid fra efterregulering til udbetaling", "sparede sagsbehandlingsdage", "20", "15",
     "Måling på 120 sager; målet for udbetalingstiden er ikke nået endnu."),
    ("Online tidsbestilling til pas", "procent af pasbesøg bestilt online", "60", "82",
     "Månedstal fra tidsbestillingen, se dashboardets digitale andel."),
    ("Selvbetjening af flytning via borger.dk", "færre henvendelser pr. måned", "150", "165",
     "Henvendelsesstatistik fra omstillingen."),
)


def _hash(text):
    return hashlib.sha256(text.encode()).hexdigest()


# Agreements ----------------------------------------------------------------------------

def _ensure_agreement(year, title):
    if db.session.scalar(sa.select(Agreement).where(Agreement.year == year)) is not None:
        return None
    agreement = Agreement(
        year=year, title=title, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31),
        grantor=agreement_2010.GRANTOR, holder=agreement_2010.HOLDER,
        preamble=agreement_2010.PREAMBLE, budget_text=agreement_2010.BUDGET_TEXT,
        salary_budget=agreement_2010.SALARY_BUDGET,
        operating_budget=agreement_2010.OPERATING_BUDGET)
    agreement.goals = [Goal(**_goal_for_year(fields, year)) for fields in agreement_2010.GOALS]
    db.session.add(agreement)
    return agreement


def _goal_for_year(fields, year):
    """Return a 2010 goal's fields with the year in its title, deadline and follow-up
    times moved to year; the longer texts stay as written in 2010."""
    if year == agreement_2010.YEAR:
        return fields
    moved = dict(fields)
    for key in ("title", "deadline", "follow_up_times"):
        if moved.get(key):
            moved[key] = moved[key].replace(str(agreement_2010.YEAR), str(year))
    return moved


# Live figures of the current year ------------------------------------------------------

def _past_days(year, today):
    day = date(year, 1, 1)
    while day < today:
        yield day
        day += timedelta(days=1)


def _day_slots(day, tz):
    """Return the open slots of every active unit on a past local day."""
    starts_at, ends_at = local_midnight(day, tz), local_midnight(day + timedelta(1), tz)
    schedules = load_schedules()
    lead = max((schedule.lead_minutes for schedule in schedules), default=0)
    # Slot generation leaves out slots before now plus the lead time: pretend it is
    # just before the day starts.
    now = starts_at - timedelta(minutes=lead)
    return generate_slots(schedules, load_closures(starts_at, ends_at),
                          closing_days(day, day, load_holiday_modes()), set(), day, day, now, tz)


def _taken_slots(day, tz):
    """Return the (unit_id, start) pairs of the day that another seeder already booked."""
    starts_at, ends_at = local_midnight(day, tz), local_midnight(day + timedelta(1), tz)
    return set(db.session.execute(
        sa.select(SlotReservation.unit_id, SlotReservation.start_at)
        .where(SlotReservation.start_at >= starts_at, SlotReservation.start_at < ends_at)).all())


def _visit_times(rng, start, minutes):
    checked_in = start - timedelta(minutes=rng.uniform(0, 12))
    if rng.random() < 0.1:
        checked_in = start + timedelta(minutes=rng.uniform(0, 6))
    called = max(checked_in, start) + timedelta(minutes=rng.expovariate(1 / 1.5))
    served = called + timedelta(minutes=rng.uniform(0.6, 0.95) * minutes)
    return checked_in, called, served


def _unused_code(used_codes):
    """Draw a booking code that is in neither the database nor this run's rows.

    Thousands of demo bookings are inserted in bulk, where a duplicate among about 887
    million codes is likely enough (5 % at 10,000 codes) to break the seed.
    """
    code = new_code()
    while code in used_codes:
        code = new_code()
    used_codes.add(code)
    return code


def _booking_row(rng, slot, minutes, visible_until, used_codes):
    """Return the column values of one past booking for slot."""
    roll = rng.random()
    purpose = rng.choices(("own", "child", "household"), (0.7, 0.25, 0.05))[0]
    row = {
        "code": _unused_code(used_codes), "unit_id": slot.unit_id, "start_at": slot.start, "end_at": slot.end,
        "persons": 1, "purpose": purpose, "language": "da" if rng.random() < 0.9 else "en",
        "channel": "assisted" if rng.random() < ASSISTED_SHARE else "online",
        "created_at": slot.start - timedelta(days=rng.randint(1, 30)),
        "reminder_sent_at": slot.start - timedelta(hours=24),
    }
    if slot.start >= visible_until:
        row.update(name="Demo Borger", email="demo@pastid.invalid")
    else:
        row["erased_at"] = slot.start + timedelta(days=30)
    if roll < CANCELLED_SHARE:
        row.update(status="cancelled", cancelled_at=slot.start - timedelta(days=rng.randint(1, 5)))
    elif roll < CANCELLED_SHARE + NO_SHOW_SHARE:
        row.update(status="no_show", no_show_at=slot.start + timedelta(minutes=15))
    else:
        checked_in, called, served = _visit_times(rng, slot.start, minutes)
        row.update(status="served", checked_in_at=checked_in, called_at=called,
                   serving_started_at=called, served_at=served,
                   survey_sent_at=served + timedelta(hours=1),
                   survey_expires_at=served + timedelta(days=14, hours=1),
                   survey_token_hash=_hash(secrets.token_urlsafe(32)))
    row["updated_at"] = row["created_at"]
    return row


def _scores(rng, weights, channel):
    values = {}
    for question in Question:
        if channel != "online" and question.value in ("booking_overall", "booking_ease"):
            values[question.value] = None
        else:
            values[question.value] = rng.choices(range(1, 6), weights[question.value])[0]
    return values


def _weights(day, first_round_end):
    weak = day <= first_round_end
    return {question.value: SCORES_WEAK if weak and question in FOCUS_QUESTIONS else SCORES_BASE
            for question in Question}


def _seed_day(rng, day, tz, first_round_end, visible_until, used_codes):
    """Insert one past day's bookings, slot rows, walk-ins and survey answers."""
    taken = _taken_slots(day, tz)
    slots = [slot for slot in _day_slots(day, tz)
             if rng.random() < BOOKED_SHARE and (slot.unit_id, slot.start) not in taken]
    minutes = {unit.id: unit.slot_minutes for unit in db.session.scalars(sa.select(Unit))}
    rows = [_booking_row(rng, slot, minutes[slot.unit_id], visible_until, used_codes)
            for slot in slots]
    if rows:
        ids = db.session.scalars(
            sa.insert(Booking).returning(Booking.id, sort_by_parameter_order=True), rows).all()
        reservations = [{"unit_id": row["unit_id"], "start_at": row["start_at"],
                         "booking_id": booking_id}
                        for booking_id, row in zip(ids, rows) if row["status"] != "cancelled"]
        if reservations:
            db.session.execute(sa.insert(SlotReservation), reservations)
    answers = []
    for row in rows:
        if row["status"] != "served" or rng.random() >= ANSWER_SHARE:
            continue
        answers.append({"unit_id": row["unit_id"], "visit_date": day, "channel": row["channel"],
                        "purpose": row["purpose"],
                        "comment": rng.choice(COMMENTS) if rng.random() < 0.08 else None,
                        **_scores(rng, _weights(day, first_round_end), row["channel"])})
    if answers:
        db.session.execute(sa.insert(SurveyAnswer), answers)
    _seed_walk_ins(rng, day, tz, [slot.unit_id for slot in slots])
    return len(rows), len(answers)


def _seed_walk_ins(rng, day, tz, unit_ids):
    if not unit_ids:
        return
    taken = db.session.scalar(sa.select(sa.func.count()).select_from(WalkIn)
                              .where(WalkIn.service_day == day))
    if taken:
        return
    rows = []
    for number in range(1, rng.randint(3, 9) + 1):
        arrived = datetime.combine(day, time(9, 30), tzinfo=tz) + timedelta(
            minutes=rng.uniform(0, 300))
        row = {"service_day": day, "number": number, "unit_id": rng.choice(unit_ids),
               "purpose": "own", "persons": 1, "arrived_at": arrived}
        if rng.random() < 0.06:
            row.update(status=WalkInStatus.NO_SHOW, no_show_at=arrived + timedelta(minutes=40))
        else:
            called = arrived + timedelta(minutes=rng.uniform(4, 45))
            row.update(status=WalkInStatus.SERVED, called_at=called, serving_started_at=called,
                       served_at=called + timedelta(minutes=rng.uniform(8, 16)))
        rows.append(row)
    db.session.execute(sa.insert(WalkIn), rows)


def _round_periods(year, today):
    """Return the citizen survey's two rounds for the demo: the second ends a week ago."""
    elapsed = (today - date(year, 1, 1)).days
    if elapsed < 70:
        return None, None
    first = (date(year, 1, 1), date(year, 1, 1) + timedelta(days=int(elapsed * 0.35)))
    second = (date(year, 1, 1) + timedelta(days=int(elapsed * 0.6)), today - timedelta(days=7))
    return first, second


def _seed_live_data(agreement, today, tz):
    lines = []
    answered = db.session.scalar(sa.select(sa.func.count()).select_from(SurveyAnswer).where(
        SurveyAnswer.visit_date >= agreement.starts_on, SurveyAnswer.visit_date < today))
    if answered:
        return [f"KPI demo data {agreement.year}: already there"]
    rng = random.Random(agreement.year)
    first, second = _round_periods(agreement.year, today)
    first_round_end = first[1] if first else date(agreement.year, 1, 1)
    visible_until = local_midnight(today - timedelta(days=30), tz)
    bookings = answers = 0
    used_codes = set(db.session.scalars(sa.select(Booking.code)))
    for day in _past_days(agreement.year, today):
        booked, answered = _seed_day(rng, day, tz, first_round_end, visible_until, used_codes)
        bookings += booked
        answers += answered
    lines.append(f"KPI demo data {agreement.year}: {bookings} past bookings, "
                 f"{answers} survey answers")
    if first:
        db.session.add_all([
            SurveyRound(agreement_id=agreement.id, number=1, starts_on=first[0], ends_on=first[1]),
            SurveyRound(agreement_id=agreement.id, number=2, starts_on=second[0],
                        ends_on=second[1])])
        db.session.add_all([FocusArea(agreement_id=agreement.id, question=question.value,
                                      actions="Flere medarbejdere i spidsbelastning og faglig "
                                              "sparring hver uge.")
                            for question in FOCUS_QUESTIONS])
        lines.append(f"citizen survey rounds {first[0]}..{first[1]} and {second[0]}..{second[1]}")
    return lines


def _seed_entered_figures(agreement, today):
    """Create employees, talks, the APV result, effects and budget actuals if missing."""
    rng = random.Random(agreement.year * 7)
    lines = []
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Employee)):
        db.session.add_all([Employee(name=name, job_title=title) for name, title in EMPLOYEES])
        db.session.flush()  # The talks below need the employees' ids.
        lines.append(f"{len(EMPLOYEES)} employees")
    if not db.session.scalar(sa.select(sa.func.count()).select_from(DevelopmentTalk)
                             .where(DevelopmentTalk.agreement_id == agreement.id)):
        employees = db.session.scalars(sa.select(Employee).order_by(Employee.id)).all()
        held = employees[:-2]
        for index, employee in enumerate(held):
            day = min(today - timedelta(days=1), date(agreement.year, 2, 1) + timedelta(index * 9))
            db.session.add(DevelopmentTalk(employee_id=employee.id, agreement_id=agreement.id,
                                           held_on=max(day, agreement.starts_on)))
        lines.append(f"{len(held)} staff development talks")
    if db.session.scalar(sa.select(WellbeingResult).where(
            WellbeingResult.agreement_id == agreement.id)) is None:
        db.session.add(WellbeingResult(
            agreement_id=agreement.id, centre_score=Decimal("4.1"), centre_decimals=1,
            town_hall_score=Decimal("3.9"), town_hall_decimals=1,
            measured_on=date(agreement.year, 1, 15),
            note="Central APV-undersøgelse, svarprocent 87."))
        lines.append("APV result")
    if not db.session.scalar(sa.select(sa.func.count()).select_from(EfficiencyEffect)
                             .where(EfficiencyEffect.agreement_id == agreement.id)):
        for description, measure, expected, realised, documentation in EFFECTS:
            db.session.add(EfficiencyEffect(
                agreement_id=agreement.id, description=description, measure=measure,
                expected_value=Decimal(expected), realised_value=Decimal(realised),
                documentation=documentation))
        agreement.efficiency_analysis_on = date(agreement.year, 3, 31)
        agreement.efficiency_analysis_note = ("Analyse af boligstøtteområdet med anbefalinger "
                                              "om digitalisering og efterregulering.")
        lines.append(f"{len(EFFECTS)} efficiency effects")
    if not db.session.scalar(sa.select(sa.func.count()).select_from(BudgetActual)
                             .where(BudgetActual.agreement_id == agreement.id)):
        months = range(1, months_ended(agreement, today - timedelta(days=1)) + 1)
        for month in months:
            db.session.add(BudgetActual(
                agreement_id=agreement.id, month=month,
                salary_spent=round(agreement.salary_budget / 12 * rng.uniform(0.96, 1.02)),
                operating_spent=round(agreement.operating_budget / 12 * rng.uniform(0.8, 1.15))))
        lines.append(f"budget actuals for {len(months)} months")
    return lines


def seed_demo_kpi():
    """Create what is missing of the KPI demo and commit; return lines to print."""
    tz = zone(current_app.config["TIMEZONE"])
    today = local_today(tz, now_utc())
    lines = []
    for year, title in ((agreement_2010.YEAR, agreement_2010.TITLE),
                        (today.year, agreement_2010.TITLE)):
        created = _ensure_agreement(year, title)
        lines.append(f"agreement {year}: {'created' if created else 'already there'}")
    db.session.flush()  # The live data below needs the current agreement's id.

    current = db.session.scalar(sa.select(Agreement).where(Agreement.year == today.year))
    lines += _seed_live_data(current, today, tz)
    lines += _seed_entered_figures(current, today)
    db.session.commit()
    return lines
