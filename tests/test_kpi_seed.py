"""The demo seeder: the 2010 agreement as written, a current-year copy, and live figures."""

from datetime import date

import pytest
import sqlalchemy as sa

from booking.models import Booking, SlotReservation
from kpi import agreement_2010, queries, reports
from kpi.evaluation import Status
from kpi.models import Agreement, Goal, SurveyAnswer
from pastid.extensions import db
from support import CPH


def row_counts():
    return {table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


@pytest.fixture
def seeded(app, clock):
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0, result.output
    return result.output


def test_agreement_2010_is_loaded_as_written(seeded):
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.year == 2010))

    assert agreement.title == "Aftale for Borgerservicecenteret"
    assert (agreement.starts_on, agreement.ends_on) == (date(2010, 1, 1), date(2010, 12, 31))
    assert agreement.salary_budget == 21_120_200
    assert agreement.operating_budget == 476_700
    assert agreement.total_budget == 21_596_900
    assert agreement.preamble.startswith("Ved indgåelse af denne aftale forpligter aftalegiveren")
    assert "Lønsum\t21.120.200\nDriftssum\t476.700" in agreement.budget_text
    goals = {goal.rule: goal for goal in agreement.goals}
    assert [(goal.level, goal.title) for goal in agreement.goals] == [
        (1, "Budgetanalysearbejdet videreføres i 2010"),
        (2, "Effektivisering og digitalisering"), (2, "Borgerundersøgelse"),
        (2, "Kompetenceudviklingsplan"), (3, "Tidsbestilling til pas"), (3, "Trivsel")]
    online = goals["online_booking"]
    assert online.objective == ("Bedre borgerservice ved indførelse af mulighed for on-line "
                                "tidsbestilling til pas-ekspedition")
    assert online.criteria_met == ("Løsningen er etableret og mindst 90% af brugerne er "
                                   "tilfredse med løsningen")
    assert online.criteria_partly_met == ("Løsningen er etableret og mindst 80% af brugerne er "
                                          "tilfredse med løsningen")
    assert online.follow_up_method == "Der måles på brugertilfredsheden, metode ikke fastlagt"
    assert online.follow_up_times == "Fastlægges senere"
    assert online.responsible == "Centerchefen"
    assert goals["efficiency"].follow_up_times == (
        "1. Når analysen er gennemført\n"
        "2. Når anbefalingerne er gennemført, dog senest ultimo 2010")
    assert goals["wellbeing"].deadline == "Målet skal være opfyldt pr.31.12.2009."
    assert goals["wellbeing"].initiatives.startswith("Fokus på samarbejdet i LokalMED")
    assert goals["citizen_survey"].criteria_met == (
        "Begge målinger er gennemført og der er konstateret signifikante forbedringer i "
        "forhold til indsatsområderne")
    assert goals["budget"].follow_up_method == (
        "Der følges op på ovenstående i forbindelse med dialog om udmøntningen af budgettet, "
        "som afstemmes hver måned.")


def test_every_goal_field_matches_the_agreement_text(seeded):
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.year == 2010))
    for stored, written in zip(agreement.goals, agreement_2010.GOALS):
        for field, value in written.items():
            assert getattr(stored, field) == value, (written["rule"], field)


def test_current_year_copy_has_the_same_goals(seeded):
    current = db.session.scalar(sa.select(Agreement).where(Agreement.year == 2027))
    assert current.total_budget == 21_596_900
    copied = [(goal.rule, goal.level, goal.title, goal.criteria_met) for goal in current.goals]
    original = [(goal["rule"], goal["level"], goal["title"].replace("2010", "2027"),
                 goal.get("criteria_met", ""))
                for goal in agreement_2010.GOALS]
    assert copied == original
    assert copied[0][2] == "Budgetanalysearbejdet videreføres i 2027"
    deadlines = [goal.deadline for goal in current.goals]
    assert "Målet er 1-årigt, med midtvejsstatus ultimo 2027" in deadlines


def test_seeding_twice_changes_nothing(app, seeded):
    before = row_counts()
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code == 0
    assert "KPI demo data 2027: already there" in result.output
    assert row_counts() == before


def test_live_data_has_slot_rows(seeded):
    bookings = db.session.scalar(sa.select(sa.func.count()).select_from(Booking)
                                 .where(Booking.status != "cancelled"))
    reservations = db.session.scalar(sa.select(sa.func.count()).select_from(SlotReservation)
                                     .where(SlotReservation.booking_id.is_not(None)))
    assert bookings > 100
    assert reservations == bookings
    unmatched = db.session.scalar(
        sa.select(sa.func.count()).select_from(Booking)
        .outerjoin(SlotReservation, sa.and_(SlotReservation.booking_id == Booking.id,
                                            SlotReservation.start_at == Booking.start_at))
        .where(Booking.status != "cancelled", SlotReservation.id.is_(None)))
    assert unmatched == 0


def test_live_data_is_evaluated_for_the_current_year(seeded):
    current = db.session.scalar(sa.select(Agreement).where(Agreement.year == 2027))
    report = reports.evaluate_agreement(current, reports.default_period(current, date(2027, 2, 15)),
                                        date(2027, 2, 15), CPH)
    statuses = {item.goal.rule: item.result.status for item in report.goals}

    assert statuses["online_booking"] in (Status.MET, Status.PARTLY_MET)
    assert statuses["wellbeing"] == Status.MET
    assert statuses["competence"] == Status.NOT_MET
    assert statuses["efficiency"] == Status.PARTLY_MET
    assert statuses["budget"] == Status.MET
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyAnswer)) > 50
    assert queries.count_online_bookings(*report.period.utc_bounds(CPH)) > 100


def test_agreement_2010_online_booking_was_not_established(seeded):
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.year == 2010))
    report = reports.evaluate_agreement(agreement, reports.default_period(agreement,
                                                                          date(2027, 2, 15)),
                                        date(2027, 2, 15), CPH)
    online = report.goal("online_booking").result
    assert online.status == Status.NOT_MET
    assert online.missing == ["no_bookings"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Goal)) == 12
