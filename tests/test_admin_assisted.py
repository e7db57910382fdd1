"""Booking, moving and cancelling on behalf of a citizen, under the online rules."""

import re
from datetime import time

import pytest
import sqlalchemy as sa

from admin.models import AuditEntry
from admin_support import book, reload
from booking.models import Booking, Status
from pastid.extensions import db
from support import csrf_token, local

OPEN = {weekday: [(time(9, 0), time(12, 0))] for weekday in range(5)}
SEARCH = "/personale/bookinger/ny?purpose=own&persons=1&unit=any&day=2027-02-16"
TUESDAY_9 = local(2027, 2, 16, 9, 0)


def text_of(response):
    return response.get_data(as_text=True)


@pytest.fixture
def unit(make_unit, clock):
    return make_unit("PAS 1", hours=OPEN)


@pytest.fixture
def desk(staff_client, clock):
    return staff_client("frontdesk")


def post_booking(client, url=SEARCH, slot="any|2027-02-16T09:00:00+01:00", name="Bo Berg",
                 email="bo@example.com", phone="", language="da"):
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token(page), "slot": slot, "name": name,
                                  "email": email, "phone": phone, "language": language})


def test_free_times_are_listed(desk, unit, clock):
    page = text_of(desk.get(SEARCH))

    assert "Tirsdag den 16. februar 2027" in page
    assert 'value="any|2027-02-16T09:00:00+01:00"' in page
    assert "09.00–09.15" in page


def test_assisted_booking_is_marked_and_mailed(desk, unit, clock, smtp):
    response = post_booking(desk)

    booking = db.session.scalar(sa.select(Booking))
    assert response.status_code == 303
    assert response.headers["Location"] == f"/personale/bookinger/{booking.id}"
    assert booking.channel == "assisted"
    assert booking.start_at == TUESDAY_9
    assert booking.name == "Bo Berg"
    smtp.wait_for(1)
    assert smtp.messages[0]["To"] == "bo@example.com"
    page = text_of(desk.get(response.headers["Location"]))
    assert f"Tiden er booket med koden {booking.code}." in page
    assert "Bestilt af personalet" in page
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.action == "booking.create"
    assert entry.staff_id == desk.staff.id
    assert "Bo Berg" not in entry.after
    assert "bo@example.com" not in entry.after


def test_phone_only_booking_says_no_mail(desk, unit, clock, smtp):
    response = post_booking(desk, email="", phone="20 12 34 56")

    page = text_of(desk.get(response.headers["Location"]))
    booking = db.session.scalar(sa.select(Booking))
    assert booking.email is None
    assert booking.phone == "+4520123456"
    assert "Borgeren har ingen e-mail og får ingen bekræftelse" in page
    assert smtp.messages == []


def test_contact_is_required(desk, unit, clock):
    response = post_booking(desk, email="", phone="")

    assert response.status_code == 200
    assert "Indtast en e-mailadresse eller et mobilnummer" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_taken_time_is_not_offered(desk, unit, clock):
    book(unit, TUESDAY_9, code="B7K3QX", email="other@example.com")

    response = post_booking(desk)

    assert response.status_code == 200
    assert "Vælg et af de viste tidspunkter" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1


def test_lead_time_applies_as_online(desk, make_unit, clock):
    make_unit("PAS 1", hours=OPEN, lead_minutes=120)

    page = text_of(desk.get("/personale/bookinger/ny?purpose=own&persons=1&unit=any"
                            "&day=2027-02-15"))

    assert "Ingen ledige tider denne dag" in page
    assert "Tirsdag den 16. februar 2027" in page


def test_booking_limit_applies_as_online(desk, unit, clock):
    book(unit, local(2027, 2, 17, 9, 0), code="B7K3QX", email="bo@example.com")

    response = post_booking(desk)

    assert "E-mailadressen har allerede en kommende booking." in text_of(response)


def test_persons_need_household(desk, unit, clock):
    response = desk.get("/personale/bookinger/ny?purpose=own&persons=2&unit=any"
                        "&day=2027-02-16")

    assert "Flere personer kan kun vælges for en husstand" in text_of(response)


def test_reschedule_on_behalf(desk, unit, clock, smtp):
    booking = book(unit, TUESDAY_9, code="B7K3QX", email="aase@example.com")
    old_hash = booking.manage_token_hash
    url = f"/personale/bookinger/{booking.id}/flyt?dato=2027-02-17"
    page = desk.get(url)

    response = desk.post(url, data={"csrf_token": csrf_token(page),
                                    "slot": "any|2027-02-17T10:00:00+01:00"})

    assert response.status_code == 303
    booking = reload(booking)
    assert booking.start_at == local(2027, 2, 17, 10, 0)
    assert booking.manage_token_hash != old_hash
    smtp.wait_for(1)
    body = smtp.messages[0].get_body(("plain",)).get_content()
    assert "Din tid til pas er flyttet." in body
    assert re.search(r"http://pastid\.test/min-tid/[A-Za-z0-9_-]{40,}", body)
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "booking.reschedule"))
    assert '"start_at": "2027-02-16T08:00:00+00:00"' in entry.before
    assert '"start_at": "2027-02-17T09:00:00+00:00"' in entry.after


def test_cancel_on_behalf(desk, unit, clock, smtp):
    booking = book(unit, TUESDAY_9, code="B7K3QX", email="aase@example.com")
    page = desk.get(f"/personale/bookinger/{booking.id}/aflys")

    response = desk.post(f"/personale/bookinger/{booking.id}/aflys",
                         data={"csrf_token": csrf_token(page)})

    assert response.status_code == 303
    assert reload(booking).status == Status.CANCELLED
    smtp.wait_for(1)
    assert smtp.messages[0]["Subject"].startswith("Din tid til pas er aflyst")
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.action == "booking.cancel"
    assert entry.staff_id == desk.staff.id


def test_started_booking_cannot_be_cancelled(staff_client, unit, clock):
    booking = book(unit, TUESDAY_9, code="B7K3QX")
    clock.set(local(2027, 2, 16, 9, 1))
    desk = staff_client("frontdesk")
    page = desk.get(f"/personale/bookinger/{booking.id}")

    response = desk.post(f"/personale/bookinger/{booking.id}/aflys",
                         data={"csrf_token": csrf_token(page)})

    assert response.status_code == 303
    assert reload(booking).status == Status.BOOKED


def test_search_finds_by_name_code_and_phone(desk, unit, clock):
    booking = book(unit, TUESDAY_9, code="B7K3QX", name="Åse Øby", phone="+4520123456")

    by_name = text_of(desk.get("/personale/bookinger?q=øby"))
    by_code = text_of(desk.get("/personale/bookinger?q=b7k-3qx"))
    by_phone = text_of(desk.get("/personale/bookinger?q=20+12+34+56"))
    nothing = text_of(desk.get("/personale/bookinger?q=%25"))

    link = f"/personale/bookinger/{booking.id}"
    assert link in by_name
    assert link in by_code
    assert link in by_phone
    assert link not in nothing
