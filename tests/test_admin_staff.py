"""Account management by admins, and each staff member's own password."""

import re

import pytest
import sqlalchemy as sa

from admin.models import Staff
from pastid.extensions import db
from support import STAFF_PASSWORD, csrf_token, login


def text_of(response):
    return response.get_data(as_text=True)


@pytest.fixture
def admin(staff_client, clock):
    return staff_client("admin")


def one_time_password(page):
    return re.search(r"Adgangskoden til \S+ er (\S+)\. Den vises kun denne ene gang", page).group(1)


def test_admin_creates_account_with_one_time_password(app, admin, clock):
    page = admin.get("/personale/medarbejdere/ny")

    response = admin.post("/personale/medarbejdere/ny", data={
        "csrf_token": csrf_token(page), "username": "Ole", "display_name": "Ole Lund",
        "role": "staff"})

    staff = db.session.scalar(sa.select(Staff).where(Staff.username == "ole"))
    assert response.headers["Location"] == f"/personale/medarbejdere/{staff.id}"
    shown = text_of(admin.get(response.headers["Location"]))
    password = one_time_password(shown)
    assert len(password) >= 12
    assert password not in staff.password_hash
    assert "Den vises kun denne ene gang" not in text_of(admin.get(response.headers["Location"]))
    newcomer = app.test_client()
    login(newcomer, staff, password=password)
    assert newcomer.get("/personale/pas").status_code == 200


def test_username_taken(admin, make_staff, clock):
    make_staff("staff", username="ole")
    page = admin.get("/personale/medarbejdere/ny")

    response = admin.post("/personale/medarbejdere/ny", data={
        "csrf_token": csrf_token(page), "username": "OLE", "display_name": "Ole",
        "role": "staff"})

    assert "Brugernavnet er allerede i brug" in text_of(response)


def test_deactivation_ends_sessions(app, admin, make_staff, clock):
    staff = make_staff("staff")
    elsewhere = app.test_client()
    login(elsewhere, staff)
    page = admin.get(f"/personale/medarbejdere/{staff.id}")

    admin.post(f"/personale/medarbejdere/{staff.id}/deaktiver",
               data={"csrf_token": csrf_token(page)})

    assert elsewhere.get("/personale/").status_code == 302
    db.session.refresh(staff)
    assert staff.is_active is False


def test_last_admin_cannot_be_deactivated(admin, clock):
    page = admin.get(f"/personale/medarbejdere/{admin.staff.id}")

    admin.post(f"/personale/medarbejdere/{admin.staff.id}/deaktiver",
               data={"csrf_token": csrf_token(page)})

    page = text_of(admin.get(f"/personale/medarbejdere/{admin.staff.id}"))
    assert "Der skal være mindst én aktiv administrator." in page
    assert db.session.get(Staff, admin.staff.id).is_active is True


def test_last_admin_keeps_role(admin, clock):
    page = admin.get(f"/personale/medarbejdere/{admin.staff.id}")

    response = admin.post(f"/personale/medarbejdere/{admin.staff.id}", data={
        "csrf_token": csrf_token(page), "display_name": "Admin", "role": "chief"})

    assert "Der skal være mindst én aktiv administrator" in text_of(response)
    assert db.session.get(Staff, admin.staff.id).role == "admin"


def test_role_change_applies_at_once(app, admin, make_staff, clock):
    staff = make_staff("frontdesk")
    elsewhere = app.test_client()
    login(elsewhere, staff)
    assert elsewhere.get("/personale/pas").status_code == 403
    page = admin.get(f"/personale/medarbejdere/{staff.id}")

    admin.post(f"/personale/medarbejdere/{staff.id}", data={
        "csrf_token": csrf_token(page), "display_name": "Ny PAS", "role": "staff"})

    assert elsewhere.get("/personale/pas").status_code == 200


def test_own_password_change_keeps_this_session(app, staff_client, clock):
    desk = staff_client("frontdesk")
    other_device = app.test_client()
    login(other_device, desk.staff)
    page = desk.get("/personale/adgangskode")

    response = desk.post("/personale/adgangskode", data={
        "csrf_token": csrf_token(page), "current": STAFF_PASSWORD,
        "new": "en helt ny adgangskode", "repeat": "en helt ny adgangskode"})

    assert response.status_code == 303
    assert desk.get("/personale/").status_code == 200
    assert other_device.get("/personale/").status_code == 302
    login(app.test_client(), desk.staff, password="en helt ny adgangskode")


def test_own_password_needs_current(staff_client, clock):
    desk = staff_client("frontdesk")
    page = desk.get("/personale/adgangskode")

    response = desk.post("/personale/adgangskode", data={
        "csrf_token": csrf_token(page), "current": "forkert", "new": "en helt ny adgangskode",
        "repeat": "en helt ny adgangskode"})

    assert "Den nuværende adgangskode er forkert" in text_of(response)
