"""The chief's data entry: validation, the stored figures, and an audit entry per change."""

import json
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from admin.models import AuditEntry
from kpi.models import (
    BudgetActual, DevelopmentTalk, EfficiencyEffect, Employee, FocusArea, SurveyRound,
    WellbeingResult,
)
from pastid.extensions import db
from support import csrf_token


def submit(client, path, data):
    page = client.get(path)
    assert page.status_code == 200, path
    return client.post(path, data={"csrf_token": csrf_token(page), **data})


def audit_entries(object_type):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.object_type == object_type)
                              .order_by(AuditEntry.id)).all()


@pytest.fixture
def chief(staff_client, make_agreement, clock):
    make_agreement(2027)
    return staff_client("chief")


def test_budget_month_is_saved_with_audit(chief):
    response = submit(chief, "/personale/kpi/2027/budget/1", {
        "salary_spent": "1.760.000", "operating_spent": "39 725", "note": "Januar"})

    assert response.status_code == 303
    assert response.headers["Location"] == "/personale/kpi/2027/budget"
    actual = db.session.scalar(sa.select(BudgetActual))
    assert (actual.month, actual.salary_spent, actual.operating_spent) == (1, 1760000, 39725)
    (entry,) = audit_entries("budget_actual")
    assert entry.action == "kpi.budget.create"
    assert entry.staff_id == chief.staff.id
    assert entry.before is None
    assert json.loads(entry.after) == {"month": 1, "salary_spent": 1760000,
                                       "operating_spent": 39725, "note": "Januar"}

    submit(chief, "/personale/kpi/2027/budget/1", {"salary_spent": "1.700.000",
                                                   "operating_spent": "39.725"})
    changed = audit_entries("budget_actual")[-1]
    assert changed.action == "kpi.budget.update"
    assert json.loads(changed.before)["salary_spent"] == 1760000
    assert json.loads(changed.after)["salary_spent"] == 1700000


@pytest.mark.parametrize("salary, message", [
    ("", "Skriv lønsummen brugt i måneden"),
    ("1,5 mio", "Skriv et helt antal kroner, fx 1.760.000"),
    ("12.5", "Skriv et helt antal kroner, fx 1.760.000"),
    ("1.76.000", "Skriv et helt antal kroner, fx 1.760.000"),
])
def test_budget_month_validation(chief, salary, message):
    response = submit(chief, "/personale/kpi/2027/budget/2", {"salary_spent": salary,
                                                              "operating_spent": "1000"})

    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BudgetActual)) == 0


def test_budget_month_out_of_range_is_not_found(chief):
    assert chief.get("/personale/kpi/2027/budget/13").status_code == 404


def test_budget_frame_change_is_audited(chief):
    response = submit(chief, "/personale/kpi/2027/budget/ramme", {
        "salary_budget": "21.000.000", "operating_budget": "500.000"})

    assert response.status_code == 303
    (entry,) = audit_entries("agreement")
    assert json.loads(entry.before)["salary_budget"] == 21120200
    assert json.loads(entry.after)["salary_budget"] == 21000000
    html = chief.get("/personale/kpi/2027/budget").get_data(as_text=True)
    assert "21.500.000 kr." in html


def test_effect_register_create_edit_delete(chief):
    response = submit(chief, "/personale/kpi/2027/effekter/ny", {
        "description": "Digital ansøgning om boligstøtte", "measure": "timer pr. år",
        "expected_value": "600", "realised_value": "612,5", "documentation": "Tidsregistrering"})
    assert response.status_code == 303
    effect = db.session.scalar(sa.select(EfficiencyEffect))
    assert effect.expected_value == Decimal("600.00")
    assert effect.realised_value == Decimal("612.50")

    submit(chief, f"/personale/kpi/2027/effekter/{effect.id}", {
        "description": "Digital ansøgning om boligstøtte", "measure": "timer pr. år",
        "expected_value": "600", "realised_value": "", "documentation": ""})
    db.session.refresh(effect)
    assert effect.realised_value is None

    page = chief.get("/personale/kpi/2027/effekter")
    chief.post(f"/personale/kpi/2027/effekter/{effect.id}/slet",
               data={"csrf_token": csrf_token(page)})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EfficiencyEffect)) == 0
    assert [entry.action for entry in audit_entries("efficiency_effect")] == [
        "kpi.effect.create", "kpi.effect.update", "kpi.effect.delete"]
    assert json.loads(audit_entries("efficiency_effect")[0].after)["realised_value"] == "612.5"


@pytest.mark.parametrize("expected, message", [
    ("0", "Den forventede værdi skal være større end 0"),
    ("-5", "Den forventede værdi skal være større end 0"),
    ("12,345", "Skriv et tal med højst 2 decimaler, fx 4,2"),
    ("", "Skriv den forventede værdi"),
])
def test_effect_validation(chief, expected, message):
    response = submit(chief, "/personale/kpi/2027/effekter/ny", {
        "description": "X", "measure": "timer", "expected_value": expected})
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EfficiencyEffect)) == 0


def test_apv_keeps_reported_decimals_and_compares_at_them(chief):
    response = submit(chief, "/personale/kpi/2027/apv", {
        "centre_score": "4,2", "town_hall_score": "4,15", "measured_on": "15.01.2027"})

    assert response.status_code == 303
    result = db.session.scalar(sa.select(WellbeingResult))
    assert (result.centre_decimals, result.town_hall_decimals) == (1, 2)
    assert result.measured_on == date(2027, 1, 15)
    html = chief.get("/personale/kpi").get_data(as_text=True)
    assert "Delvist opfyldt" in html
    assert json.loads(audit_entries("wellbeing_result")[0].after)["town_hall_score"] == "4.15"


def test_talks_and_competence_plan(chief):
    submit(chief, "/personale/kpi/2027/medarbejdere/ny", {"name": "Mette Kjær",
                                                          "job_title": "Teamleder"})
    submit(chief, "/personale/kpi/2027/medarbejdere/ny", {"name": "Lars Holm"})
    mette, lars = db.session.scalars(sa.select(Employee).order_by(Employee.id)).all()

    wrong_year = submit(chief, f"/personale/kpi/2027/mus/{mette.id}", {"held_on": "03.11.2026"})
    assert "Datoen skal ligge i aftalens år 2027" in wrong_year.get_data(as_text=True)
    submit(chief, f"/personale/kpi/2027/mus/{mette.id}", {"held_on": "03.02.2027"})
    talk = db.session.scalar(sa.select(DevelopmentTalk))
    assert (talk.employee_id, talk.held_on) == (mette.id, date(2027, 2, 3))

    html = chief.get("/personale/kpi/2027/mus").get_data(as_text=True)
    assert "1 af 2 medarbejdere har haft MUS (50,0 %)." in html

    submit(chief, f"/personale/kpi/2027/medarbejdere/{lars.id}", {"name": "Lars Holm",
                                                                   "left_on": "31.01.2027"})
    submit(chief, "/personale/kpi/2027/kompetenceplan", {"plan_on": "10.02.2027"})
    html = chief.get("/personale/kpi").get_data(as_text=True)
    assert "MUS holdt</th><td class=\"kpi-number\">1 af 1</td>" in html
    # The employee's name is personal data and stays out of the audit log.
    assert "name" not in json.loads(audit_entries("employee")[0].after)
    assert [entry.action for entry in audit_entries("development_talk")] == ["kpi.talk.create"]


def test_survey_rounds_must_not_overlap(chief):
    response = submit(chief, "/personale/kpi/2027/borgerundersoegelse", {
        "first_starts_on": "01.01.2027", "first_ends_on": "31.01.2027",
        "second_starts_on": "31.01.2027", "second_ends_on": "10.02.2027"})

    assert "Anden måling skal begynde efter, at første måling er slut" in \
        response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SurveyRound)) == 0


def test_rounds_then_focus_areas(chief, clock):
    submit(chief, "/personale/kpi/2027/borgerundersoegelse", {
        "first_starts_on": "01.01.2027", "first_ends_on": "31.01.2027",
        "second_starts_on": "01.03.2027", "second_ends_on": "31.03.2027"})
    rounds = db.session.scalars(sa.select(SurveyRound).order_by(SurveyRound.number)).all()
    assert [(r.number, r.starts_on, r.ends_on) for r in rounds] == [
        (1, date(2027, 1, 1), date(2027, 1, 31)), (2, date(2027, 3, 1), date(2027, 3, 31))]

    page = chief.get("/personale/kpi/2027/borgerundersoegelse")
    response = chief.post("/personale/kpi/2027/borgerundersoegelse/indsatsomraader", data={
        "csrf_token": csrf_token(page), "questions": ["waiting_time", "professional_quality"],
        "actions": "Flere medarbejdere i spidsbelastning"})
    assert response.status_code == 303
    areas = db.session.scalars(sa.select(FocusArea).order_by(FocusArea.question)).all()
    assert [area.question for area in areas] == ["professional_quality", "waiting_time"]
    assert len(audit_entries("focus_area")) == 2


def test_focus_areas_wait_for_first_round(chief, clock):
    submit(chief, "/personale/kpi/2027/borgerundersoegelse", {
        "first_starts_on": "01.02.2027", "first_ends_on": "15.02.2027"})

    page = chief.get("/personale/kpi/2027/borgerundersoegelse")
    assert "når første måling er slut" in page.get_data(as_text=True)
    response = chief.post("/personale/kpi/2027/borgerundersoegelse/indsatsomraader", data={
        "csrf_token": csrf_token(page), "questions": ["waiting_time"]})
    assert "Vælg indsatsområder, når første måling er slut" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FocusArea)) == 0


def test_audit_log_lists_kpi_changes(chief):
    submit(chief, "/personale/kpi/2027/budget/1", {"salary_spent": "1000",
                                                   "operating_spent": "10"})

    html = chief.get("/personale/kpi/aendringer").get_data(as_text=True)
    assert "kpi.budget.create" in html
    assert chief.staff.display_name in html


def test_entry_pages_refuse_staff_without_chief_role(staff_client, make_agreement, clock):
    make_agreement(2027)
    client = staff_client("staff")
    for path in ("/personale/kpi/2027/budget/1", "/personale/kpi/2027/effekter/ny",
                 "/personale/kpi/2027/apv", "/personale/kpi/2027/mus",
                 "/personale/kpi/2027/borgerundersoegelse"):
        assert client.get(path).status_code == 403, path
