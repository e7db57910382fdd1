"""Opening hours, closures and holiday rules: listing the bookings they hit, then cancelling
and notifying on confirmation."""

import re
from datetime import time

import icalendar
import pytest
import sqlalchemy as sa

from admin import schedule
from admin.models import AuditEntry
from admin_support import book, reload
from booking import queries as booking_queries
from booking.models import Closure, HolidayRule, Status, Unit
from pastid.extensions import db
from support import CPH, csrf_token, local

OPEN = {weekday: [(time(9, 0), time(12, 0)), (time(12, 30), time(15, 0))] for weekday in range(5)}
TUESDAY = local(2027, 2, 16, 10, 0)


def text_of(response):
    return response.get_data(as_text=True)


@pytest.fixture
def unit(make_unit, clock):
    return make_unit("PAS 1", hours=OPEN, lead_minutes=0)


@pytest.fixture
def chief(staff_client, clock):
    return staff_client("chief")


@pytest.fixture
def admin(staff_client, clock):
    return staff_client("admin")


def post_closure(client, unit_id="", first_day="2027-02-16", starts="", last_day="2027-02-16",
                 ends="", reason="Personalemøde", confirmed=None):
    page = client.get("/personale/lukninger/ny")
    data = {"csrf_token": csrf_token(page), "unit": str(unit_id), "first_day": first_day,
            "starts": starts, "last_day": last_day, "ends": ends, "reason": reason}
    if confirmed is not None:
        data["confirmed"] = confirmed
    return client.post("/personale/lukninger/ny", data=data)


def confirmed_ids(response):
    return re.search(r'name="confirmed" value="([0-9,]*)"', text_of(response)).group(1)


def closures():
    return db.session.scalars(sa.select(Closure)).all()


def test_closure_lists_bookings_before_saving(chief, unit, clock):
    hit = book(unit, TUESDAY, code="B7K3QX", name="Åse Øby")
    book(unit, local(2027, 2, 17, 10, 0), code="C8M4RY")

    response = post_closure(chief, unit_id=unit.id, starts="09:00", ends="11:00")

    page = text_of(response)
    assert response.status_code == 200
    assert "Ændringen aflyser 1 booking" in page
    assert "B7K 3QX" in page
    assert "Åse Øby" in page
    assert "C8M 4RY" not in page
    assert confirmed_ids(response) == str(hit.id)
    assert closures() == []
    assert reload(hit).status == Status.BOOKED


def test_confirmed_closure_cancels_and_mails(chief, unit, clock, smtp):
    hit = book(unit, TUESDAY, code="B7K3QX", email="aase@example.com")
    first = post_closure(chief, unit_id=unit.id, starts="09:00", ends="11:00")

    response = post_closure(chief, unit_id=unit.id, starts="09:00", ends="11:00",
                            confirmed=confirmed_ids(first))

    assert response.status_code == 303
    assert response.headers["Location"] == "/personale/lukninger"
    hit = reload(hit)
    assert hit.status == Status.CANCELLED
    assert hit.cancelled_at == local(2027, 2, 15, 10, 0)
    [closure] = closures()
    assert closure.unit_id == unit.id
    assert closure.starts_at == local(2027, 2, 16, 9, 0)
    assert closure.ends_at == local(2027, 2, 16, 11, 0)
    assert booking_queries.list_free_slots(
        TUESDAY.date(), TUESDAY.date(), now=clock(), tz=CPH)[0].start == local(2027, 2, 16, 11, 0)

    smtp.wait_for(1)
    message = smtp.messages[0]
    assert message["To"] == "aase@example.com"
    assert message["Subject"] == ("Vi har desværre måttet aflyse din tid til pas: "
                                  "tirsdag den 16. februar 2027 kl. 10.00")
    body = message.get_body(("plain",)).get_content()
    assert "Vi beklager" in body
    assert "B7K 3QX" in body
    assert "http://pastid.test/" in body
    calendar = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert icalendar.Calendar.from_ical(calendar[0].get_payload(decode=True))["METHOD"] == "CANCEL"
    page = text_of(chief.get("/personale/lukninger"))
    assert "1 booking er aflyst, og borgeren har fået besked." in page


def test_cancellation_mail_in_english(chief, unit, clock, smtp):
    book(unit, TUESDAY, code="B7K3QX", email="ann@example.com", language="en")
    first = post_closure(chief, starts="09:00", ends="11:00")

    post_closure(chief, starts="09:00", ends="11:00", confirmed=confirmed_ids(first))

    smtp.wait_for(1)
    message = smtp.messages[0]
    body = message.get_body(("plain",)).get_content()
    assert "Tuesday 16 February 2027 at 10:00" in message["Subject"]
    assert "Cancelled appointment: Tuesday 16 February 2027 at 10:00" in body
    assert "You can book a new appointment here" in body
    assert '<html lang="en">' in message.get_body(("html",)).get_content()


def test_booking_without_email_is_cancelled_quietly(chief, unit, clock, smtp):
    hit = book(unit, TUESDAY, code="B7K3QX", email=None, phone="+4520123456")
    first = post_closure(chief, starts="09:00", ends="11:00")
    assert "+4520123456" in text_of(first)

    post_closure(chief, starts="09:00", ends="11:00", confirmed=confirmed_ids(first))

    assert reload(hit).status == Status.CANCELLED
    assert smtp.messages == []


def test_changed_list_is_shown_again(chief, unit, clock, smtp):
    first_hit = book(unit, TUESDAY, code="B7K3QX")
    first = post_closure(chief, starts="09:00", ends="11:00")
    second_hit = book(unit, local(2027, 2, 16, 9, 15), code="C8M4RY", email="bo@example.com")

    response = post_closure(chief, starts="09:00", ends="11:00", confirmed=confirmed_ids(first))

    page = text_of(response)
    assert response.status_code == 200
    assert "Listen er ændret" in page
    assert "Ændringen aflyser 2 bookinger" in page
    assert closures() == []
    assert reload(first_hit).status == Status.BOOKED
    assert reload(second_hit).status == Status.BOOKED


def test_closure_without_bookings_saves_at_once(chief, unit, clock):
    response = post_closure(chief, first_day="2027-02-22", last_day="2027-02-24",
                            reason="Ombygning")

    assert response.status_code == 303
    [closure] = closures()
    assert closure.unit_id is None
    assert closure.starts_at == local(2027, 2, 22, 0, 0)
    assert closure.ends_at == local(2027, 2, 25, 0, 0)
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.action == "closure.create"
    assert entry.staff_id == chief.staff.id


def test_closure_must_end_after_start(chief, unit, clock):
    response = post_closure(chief, starts="11:00", ends="10:00")

    assert response.status_code == 200
    assert "Lukningen skal slutte efter, at den begynder" in text_of(response)
    assert closures() == []


def test_block_single_slot_from_link(chief, unit, clock):
    page = text_of(chief.get(
        f"/personale/lukninger/ny?enhed={unit.id}&dato=2027-02-16&fra=10:00&til=10:15"))
    assert 'value="10:00"' in page
    assert 'value="10:15"' in page

    post_closure(chief, unit_id=unit.id, starts="10:00", ends="10:15", reason="Defekt scanner")

    starts = [slot.start for slot in booking_queries.list_free_slots(
        TUESDAY.date(), TUESDAY.date(), now=clock(), tz=CPH)]
    assert local(2027, 2, 16, 10, 0) not in starts
    assert local(2027, 2, 16, 9, 45) in starts
    assert local(2027, 2, 16, 10, 15) in starts


def test_deleting_closure_reopens_times(chief, unit, clock):
    post_closure(chief, unit_id=unit.id, starts="10:00", ends="10:15")
    [closure] = closures()
    page = chief.get("/personale/lukninger")

    chief.post(f"/personale/lukninger/{closure.id}/slet", data={"csrf_token": csrf_token(page)})

    assert closures() == []
    starts = [slot.start for slot in booking_queries.list_free_slots(
        TUESDAY.date(), TUESDAY.date(), now=clock(), tz=CPH)]
    assert local(2027, 2, 16, 10, 0) in starts
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["closure.create", "closure.delete"]


# Opening hours.

def post_hours(client, unit, days, confirmed=None):
    page = client.get(f"/personale/enheder/{unit.id}/aabningstider")
    data = {"csrf_token": csrf_token(page)}
    data.update({f"day{weekday}": days.get(weekday, "") for weekday in range(7)})
    if confirmed is not None:
        data["confirmed"] = confirmed
    return client.post(f"/personale/enheder/{unit.id}/aabningstider", data=data)


WEEKDAYS_9_TO_15 = {weekday: "9-12, 12.30-15" for weekday in range(5)}


def test_hours_form_shows_current_hours(admin, unit, clock):
    page = text_of(admin.get(f"/personale/enheder/{unit.id}/aabningstider"))

    assert 'value="09.00-12.00, 12.30-15.00"' in page


def test_shorter_hours_cancel_on_confirmation(admin, unit, clock, smtp):
    afternoon = book(unit, local(2027, 2, 16, 14, 0), code="B7K3QX")
    morning = book(unit, local(2027, 2, 16, 9, 0), code="C8M4RY")
    shorter = {**WEEKDAYS_9_TO_15, 1: "9-12"}

    first = post_hours(admin, unit, shorter)
    assert "Ændringen aflyser 1 booking" in text_of(first)
    assert "B7K 3QX" in text_of(first)
    assert len(db.session.get(Unit, unit.id).opening_periods) == 10

    response = post_hours(admin, unit, shorter, confirmed=confirmed_ids(first))

    assert response.status_code == 303
    assert reload(afternoon).status == Status.CANCELLED
    assert reload(morning).status == Status.BOOKED
    db.session.expire_all()
    periods = [(period.weekday, period.opens_at, period.closes_at)
               for period in db.session.get(Unit, unit.id).opening_periods if period.weekday == 1]
    assert periods == [(1, time(9, 0), time(12, 0))]
    smtp.wait_for(1)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action ==
                                                          "unit.opening_hours"))
    assert '[1, "12:30", "15:00"]' in entry.before
    assert '[1, "12:30", "15:00"]' not in entry.after


@pytest.mark.parametrize("text, message", [
    ("9-12, 11-15", "Tirsdag: 11.00–15.00 overlapper en anden periode samme dag."),
    ("12-9", "Tirsdag: 12.00–09.00 slutter ikke efter, at den begynder."),
    ("9-12.10", "Tirsdag: 09.00–12.10 kan ikke deles i tider af 15 minutter."),
    ("ni til tolv", "\"ni til tolv\" kan ikke læses. Skriv fx 9.30-12, 12.30-15."),
])
def test_invalid_hours_are_rejected(admin, unit, clock, text, message):
    response = post_hours(admin, unit, {**WEEKDAYS_9_TO_15, 1: text})

    assert response.status_code == 200
    assert message in text_of(response).replace("&#34;", '"')
    assert len(db.session.get(Unit, unit.id).opening_periods) == 10


def test_check_periods_accepts_adjacent_periods():
    schedule.check_periods({0: [(time(9, 0), time(12, 0)), (time(12, 0), time(15, 0))]}, 15)


# Unit settings.

def post_unit(client, unit, confirmed=None, **changes):
    page = client.get(f"/personale/enheder/{unit.id}")
    data = {"csrf_token": csrf_token(page), "name": unit.name, "location": "",
            "position": "0", "slot_minutes": "15", "horizon_days": "60", "lead_minutes": "0",
            "is_active": "y"}
    data.update(changes)
    if confirmed is not None:
        data["confirmed"] = confirmed
    return client.post(f"/personale/enheder/{unit.id}", data={
        key: value for key, value in data.items() if value is not None})


def test_new_slot_length_cancels_off_grid_bookings(admin, unit, clock):
    on_grid = book(unit, local(2027, 2, 16, 9, 0), code="B7K3QX")
    off_grid = book(unit, local(2027, 2, 16, 9, 15), code="C8M4RY")

    first = post_unit(admin, unit, slot_minutes="30")
    assert "Ændringen aflyser 1 booking" in text_of(first)
    post_unit(admin, unit, slot_minutes="30", confirmed=confirmed_ids(first))

    assert reload(on_grid).status == Status.BOOKED
    assert reload(off_grid).status == Status.CANCELLED
    assert db.session.get(Unit, unit.id).slot_minutes == 30


def test_slot_length_must_fit_hours(admin, unit, clock):
    response = post_unit(admin, unit, slot_minutes="40")

    assert "kan ikke deles i tider af 40 minutter" in text_of(response)
    assert db.session.get(Unit, unit.id).slot_minutes == 15


def test_deactivating_unit_cancels_its_bookings(admin, unit, make_unit, clock):
    other = make_unit("PAS 2", hours=OPEN, lead_minutes=0)
    own = book(unit, TUESDAY, code="B7K3QX")
    kept = book(other, TUESDAY, code="C8M4RY")

    first = post_unit(admin, unit, is_active=None)
    post_unit(admin, unit, is_active=None, confirmed=confirmed_ids(first))

    assert reload(own).status == Status.CANCELLED
    assert reload(kept).status == Status.BOOKED
    assert db.session.get(Unit, unit.id).is_active is False


def test_unit_name_must_be_unique(admin, unit, make_unit, clock):
    make_unit("PAS 2", hours=OPEN)

    response = post_unit(admin, unit, name="PAS 2")

    assert "Der findes allerede en enhed med det navn" in text_of(response)


def test_create_unit(admin, clock):
    page = admin.get("/personale/enheder/ny")

    response = admin.post("/personale/enheder/ny", data={
        "csrf_token": csrf_token(page), "name": "PAS 3", "location": "Stueetagen",
        "position": "3", "slot_minutes": "20", "horizon_days": "30", "lead_minutes": "60",
        "is_active": "y"})

    unit = db.session.scalar(sa.select(Unit))
    assert response.headers["Location"] == f"/personale/enheder/{unit.id}/aabningstider"
    assert (unit.name, unit.slot_minutes, unit.horizon_days, unit.lead_minutes) == (
        "PAS 3", 20, 30, 60)


# Holiday rules.

def test_closing_holiday_cancels_bookings(staff_client, unit, clock):
    clock.set(local(2027, 12, 1, 10, 0))
    admin = staff_client("admin")
    new_years_eve = book(unit, local(2027, 12, 31, 10, 0), code="B7K3QX")  # A Friday.
    page = admin.get("/personale/helligdage")
    data = {"csrf_token": csrf_token(page), "christmas_eve": "closed",
            "new_years_eve": "closed", "may_day": "half_day", "constitution_day": "half_day"}

    first = admin.post("/personale/helligdage", data=data)
    assert "Ændringen aflyser 1 booking" in text_of(first)
    assert reload(new_years_eve).status == Status.BOOKED
    admin.post("/personale/helligdage", data={**data, "confirmed": confirmed_ids(first)})

    assert reload(new_years_eve).status == Status.CANCELLED
    assert db.session.get(HolidayRule, "new_years_eve").mode == "closed"


def test_holiday_rules_saved_and_audited(admin, unit, clock):
    page = admin.get("/personale/helligdage")

    admin.post("/personale/helligdage", data={
        "csrf_token": csrf_token(page), "christmas_eve": "closed", "new_years_eve": "open",
        "may_day": "half_day", "constitution_day": "closed"})

    assert booking_queries.load_holiday_modes() == {
        "christmas_eve": "closed", "new_years_eve": "open", "may_day": "half_day",
        "constitution_day": "closed"}
    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.action == "holiday_rule.update"
    assert '"new_years_eve": "open"' in entry.after


def test_find_conflicts_ignores_lead_time(unit, clock):
    book(unit, local(2027, 2, 15, 11, 0), code="B7K3QX")
    unit.lead_minutes = 600
    db.session.commit()

    assert schedule.find_conflicting_bookings(now=clock(), tz=CPH) == []
