"""The audit log: what is recorded, what is never recorded, and the chiefs' filters."""

from datetime import time

import pytest
import sqlalchemy as sa

from admin import audit, services
from admin.models import AuditEntry
from admin_support import book
from pastid.extensions import db
from support import CPH, csrf_token, local

OPEN = {weekday: [(time(9, 0), time(15, 0))] for weekday in range(5)}
WINDOW = services.CheckinWindow()


def text_of(response):
    return response.get_data(as_text=True)


@pytest.fixture
def unit(make_unit, clock):
    return make_unit("PAS 1", hours=OPEN, lead_minutes=0)


@pytest.fixture
def chief(staff_client, clock):
    return staff_client("chief", display_name="Mette Holm")


def entries():
    return db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()


def test_clean_drops_secrets_and_contact_details():
    cleaned = audit.clean({
        "status": "booked", "password": "x", "password_hash": "$argon2id$", "new_password": "y",
        "manage_token_hash": "abc", "token": "t", "api_secret": "s", "name": "Åse",
        "email": "a@example.com", "phone": "+4520123456", "at": local(2027, 2, 15, 10, 0)})

    assert cleaned == {"status": "booked", "at": "2027-02-15T09:00:00+00:00"}


def test_log_holds_no_secrets_or_contact_details(app, staff_client, unit, clock):
    admin = staff_client("admin")
    page = admin.get("/personale/medarbejdere/ny")
    admin.post("/personale/medarbejdere/ny", data={
        "csrf_token": csrf_token(page), "username": "ole", "display_name": "Ole Lund",
        "role": "staff"})
    runner = app.test_cli_runner()
    runner.invoke(args=["users", "set-password", "--username", "ole", "--password-stdin"],
                  input="hemmelig adgangskode\n")
    desk = staff_client("frontdesk")
    page = desk.get("/personale/bookinger/ny?purpose=own&persons=1&unit=any&day=2027-02-16")
    desk.post("/personale/bookinger/ny?purpose=own&persons=1&unit=any&day=2027-02-16", data={
        "csrf_token": csrf_token(page), "slot": "any|2027-02-16T09:00:00+01:00",
        "name": "Åse Øby", "email": "aase@example.com", "phone": "20 12 34 56",
        "language": "da"})

    stored = " ".join(f"{entry.before} {entry.after}" for entry in entries())
    assert [entry.action for entry in entries()] == [
        "staff.create", "staff.set_password", "booking.create"]
    for secret in ("hemmelig", "argon2", "password", "token", "Åse", "Øby",
                   "aase@example.com", "20123456"):
        assert secret not in stored


def test_entry_records_before_and_after(unit, clock):
    booking = book(unit, local(2027, 2, 15, 10, 15), code="B7K3QX")

    services.check_in("B7K3QX", now=clock(), tz=CPH, window=WINDOW, actor_id=None)
    db.session.commit()

    [entry] = entries()
    assert entry.at == local(2027, 2, 15, 10, 0)
    assert audit.load(entry.before)["status"] == "booked"
    assert audit.load(entry.before)["checked_in_at"] is None
    assert audit.load(entry.after)["status"] == "checked_in"
    assert audit.load(entry.after)["checked_in_at"] == "2027-02-15T09:00:00+00:00"
    assert entry.object_id == str(booking.id)


def test_chief_filters_by_booking(chief, unit, clock):
    book(unit, local(2027, 2, 15, 10, 15), code="B7K3QX")
    book(unit, local(2027, 2, 15, 10, 30), code="C8M4RY")
    services.check_in("B7K3QX", now=clock(), tz=CPH, window=WINDOW, actor_id=None)
    services.check_in("C8M4RY", now=clock(), tz=CPH, window=WINDOW, actor_id=None)
    db.session.commit()

    page = text_of(chief.get("/personale/log?code=b7k-3qx"))

    assert "1 ændring" in page
    assert '"checked_in"' not in page
    assert "checked_in" in page
    assert "B7K3QX" in page
    assert "C8M4RY" not in page


def test_chief_filters_by_person_and_day(staff_client, chief, unit, clock):
    desk = staff_client("frontdesk", display_name="Bente Dam")
    book(unit, local(2027, 2, 15, 10, 15), code="B7K3QX")
    book(unit, local(2027, 2, 16, 10, 15), code="C8M4RY")
    services.check_in("B7K3QX", now=clock(), tz=CPH, window=WINDOW, actor_id=desk.staff.id)
    clock.set(local(2027, 2, 16, 10, 0))
    services.check_in("C8M4RY", now=clock(), tz=CPH, window=WINDOW, actor_id=None)
    db.session.commit()
    clock.set(local(2027, 2, 15, 12, 0))

    by_person = text_of(chief.get(f"/personale/log?staff={desk.staff.id}"))
    by_day = text_of(chief.get("/personale/log?day=2027-02-16"))
    nothing = text_of(chief.get("/personale/log?day=2027-02-14"))

    assert "B7K3QX" in by_person
    assert "C8M4RY" not in by_person
    assert "Bente Dam" in by_person
    assert "C8M4RY" in by_day
    assert "B7K3QX" not in by_day
    assert "System eller selvbetjening" in by_day
    assert "Ingen ændringer passer til filteret." in nothing


def test_unknown_booking_code_in_filter(chief, clock):
    page = text_of(chief.get("/personale/log?code=ZZZ999"))

    assert "Der er ingen booking med den kode." in page


def test_setting_changes_are_logged(staff_client, unit, clock):
    admin = staff_client("admin")
    page = admin.get(f"/personale/enheder/{unit.id}")

    admin.post(f"/personale/enheder/{unit.id}", data={
        "csrf_token": csrf_token(page), "name": "PAS 1", "location": "Skranke 5",
        "position": "0", "slot_minutes": "15", "horizon_days": "30", "lead_minutes": "0",
        "is_active": "y"})

    [entry] = entries()
    assert entry.action == "unit.update"
    assert entry.staff_id == admin.staff.id
    assert audit.load(entry.before)["horizon_days"] == 60
    assert audit.load(entry.after)["horizon_days"] == 30
    assert audit.load(entry.after)["location"] == "Skranke 5"
