"""Check-in at the front desk: codes as scanned or typed, every refusal, and arrival once."""

from datetime import time

import pytest
import sqlalchemy as sa

from admin import services
from admin.models import AuditEntry
from admin_support import book, reload
from booking.codes import ALPHABET
from booking.models import Booking, Status
from booking.services import CODE_ATTEMPTS, _insert_booking
from pastid.extensions import db
from support import CPH, csrf_token, local

OPEN = {weekday: [(time(9, 0), time(15, 0))] for weekday in range(5)}
TODAY_10_15 = local(2027, 2, 15, 10, 15)
WINDOW = services.CheckinWindow(early_minutes=30, late_minutes=15)


def text_of(response):
    return response.get_data(as_text=True)


@pytest.fixture
def unit(make_unit, clock):
    return make_unit("PAS 1", hours=OPEN, lead_minutes=0)


@pytest.fixture
def desk(staff_client, clock):
    return staff_client("frontdesk")


def scan(client, code, accept_late=False):
    """Post a code to the check-in page and return the page shown after the redirect."""
    page = client.get("/personale/ankomst")
    data = {"csrf_token": csrf_token(page), "code": code}
    if accept_late:
        data["accept_late"] = "1"
    response = client.post("/personale/ankomst", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/personale/ankomst"
    return client.get("/personale/ankomst")


def audit_actions():
    return db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()


@pytest.mark.parametrize("typed", ["b7k3qx", " B7K3QX ", "B7K-3QX"])
def test_code_variants_find_booking(desk, unit, clock, typed):
    booking = book(unit, TODAY_10_15, code="B7K3QX", name="Åse Øby")

    page = text_of(scan(desk, typed))

    assert "Ankomst registreret kl. 10.00" in page
    assert "Åse Øby" in page
    assert "Eget pas, 1 person" in page
    booking = reload(booking)
    assert booking.status == Status.CHECKED_IN
    assert booking.checked_in_at == local(2027, 2, 15, 10, 0)


def test_second_scan_reports_recorded_time(desk, unit, clock):
    booking = book(unit, TODAY_10_15, code="B7K3QX")
    scan(desk, "B7K3QX")
    clock.advance(minutes=7)

    page = text_of(scan(desk, "b7k-3qx"))

    assert "Bookingen B7K 3QX blev registreret som ankommet kl. 10.00." in page
    booking = reload(booking)
    assert booking.checked_in_at == local(2027, 2, 15, 10, 0)
    assert audit_actions() == ["booking.check_in"]


def test_arrival_is_recorded_once(unit, clock):
    booking = book(unit, TODAY_10_15, code="B7K3QX")

    first = services.check_in("B7K3QX", now=clock(), tz=CPH, window=WINDOW, actor_id=None)
    clock.advance(minutes=1)
    second = services.check_in("B7K3QX", now=clock(), tz=CPH, window=WINDOW, actor_id=None)
    db.session.commit()

    assert first.outcome == services.Outcome.CHECKED_IN
    assert second.outcome == services.Outcome.ALREADY_CHECKED_IN
    assert reload(booking).checked_in_at == local(2027, 2, 15, 10, 0)
    assert audit_actions() == ["booking.check_in"]


def test_tomorrow_code_shows_its_date(desk, unit, clock):
    booking = book(unit, local(2027, 2, 16, 9, 30), code="C8M4RY")

    page = text_of(scan(desk, "C8M4RY"))

    assert "Bookingen C8M 4RY er til tirsdag den 16. februar 2027 kl. 09.30, ikke i dag." in page
    assert reload(booking).checked_in_at is None
    assert reload(booking).status == Status.BOOKED


def test_unknown_code(desk, unit, clock):
    page = text_of(scan(desk, "ZZZ999"))

    assert "Der er ingen booking med koden ZZZ 999." in page


def test_invalid_code(desk, unit, clock):
    page = text_of(scan(desk, "10L0"))

    assert '"10L0" er ikke en bookingkode.' in page


def test_invalid_code_is_escaped(desk, unit, clock):
    page = text_of(scan(desk, "<b>x</b>"))

    assert '"&lt;b&gt;x&lt;/b&gt;" er ikke en bookingkode.' in page


def test_cancelled_booking(desk, unit, clock):
    booking = book(unit, TODAY_10_15, code="B7K3QX")
    booking.status = Status.CANCELLED
    db.session.commit()

    page = text_of(scan(desk, "B7K3QX"))

    assert "Bookingen B7K 3QX til mandag den 15. februar 2027 kl. 10.15 er aflyst." in page
    assert reload(booking).checked_in_at is None


def test_too_early_names_first_time(desk, unit, clock):
    booking = book(unit, local(2027, 2, 15, 11, 0), code="B7K3QX")

    page = text_of(scan(desk, "B7K3QX"))

    assert "Tiden er kl. 11.00. Ankomst kan registreres fra kl. 10.30." in page
    assert reload(booking).checked_in_at is None


def test_early_window_edge_is_accepted(desk, unit, clock):
    booking = book(unit, local(2027, 2, 15, 10, 30), code="B7K3QX")

    scan(desk, "B7K3QX")

    assert reload(booking).checked_in_at == local(2027, 2, 15, 10, 0)


def test_too_late_needs_explicit_accept(desk, unit, clock):
    booking = book(unit, TODAY_10_15, code="B7K3QX")
    clock.advance(minutes=31)

    page = text_of(scan(desk, "B7K3QX"))

    assert "Tiden var kl. 10.15, og borgeren kommer 16 minutter for sent." in page
    assert "Registrér ankomst alligevel" in page
    assert reload(booking).checked_in_at is None

    page = text_of(scan(desk, "B7K3QX", accept_late=True))

    assert "Ankomst registreret kl. 10.31" in page
    assert reload(booking).checked_in_at == local(2027, 2, 15, 10, 31)
    entry = db.session.scalar(sa.select(AuditEntry))
    assert '"late_accepted": true' in entry.after


def test_late_window_edge_is_accepted(desk, unit, clock):
    booking = book(unit, TODAY_10_15, code="B7K3QX")
    clock.advance(minutes=30)

    scan(desk, "B7K3QX")

    assert reload(booking).checked_in_at == local(2027, 2, 15, 10, 30)


def test_child_passport_shows_consent_reminder(desk, unit, clock):
    book(unit, TODAY_10_15, code="B7K3QX", purpose="child")

    page = text_of(scan(desk, "B7K3QX"))

    assert "Husk samtykke til pas til børn" in page
    assert "Alle med forældremyndighed skal give samtykke" in page


def test_own_passport_has_no_consent_reminder(desk, unit, clock):
    book(unit, TODAY_10_15, code="B7K3QX", purpose="own")

    page = text_of(scan(desk, "B7K3QX"))

    assert "Husk samtykke" not in page


def test_no_show_booking_is_reported(desk, unit, clock):
    booking = book(unit, TODAY_10_15, code="B7K3QX")
    booking.status = Status.NO_SHOW
    booking.no_show_at = local(2027, 2, 15, 9, 55)
    db.session.commit()

    page = text_of(scan(desk, "B7K3QX"))

    assert "Bookingen B7K 3QX blev registreret som udeblevet kl. 09.55." in page


def test_check_in_is_audited_with_actor(desk, unit, clock):
    booking = book(unit, TODAY_10_15, code="B7K3QX")

    scan(desk, "B7K3QX")

    entry = db.session.scalar(sa.select(AuditEntry))
    assert entry.action == "booking.check_in"
    assert entry.staff_id == desk.staff.id
    assert entry.object_type == "booking"
    assert entry.object_id == str(booking.id)
    assert '"status": "booked"' in entry.before
    assert '"checked_in_at": "2027-02-15T09:00:00+00:00"' in entry.after


def test_empty_code_is_an_error(desk, unit, clock):
    page = desk.get("/personale/ankomst")

    response = desk.post("/personale/ankomst", data={"csrf_token": csrf_token(page), "code": ""})

    assert response.status_code == 200
    assert "Indtast eller scan bookingkoden" in text_of(response)


def test_page_keeps_field_focused(desk, unit, clock):
    page = text_of(desk.get("/personale/ankomst"))

    assert 'id="code" name="code" value=""' in page
    assert "autofocus" in page
    assert "js/admin-checkin.js" in page


# Booking codes.

def test_ten_thousand_codes_are_readable_and_unique(unit, clock):
    start = local(2027, 3, 1, 9, 0)
    for number in range(10_000):
        _insert_booking(unit_id=unit.id, start_at=start, end_at=local(2027, 3, 1, 9, 15),
                        persons=1, purpose="own", status=Status.BOOKED, channel="online",
                        language="da", created_at=clock(), updated_at=clock())
    db.session.commit()

    codes = db.session.scalars(sa.select(Booking.code)).all()
    assert len(codes) == 10_000
    assert [code for code in codes if set(code) & set("0O1IL")] == []
    assert all(set(code) <= set(ALPHABET) for code in codes)
    duplicates = db.session.execute(
        sa.select(Booking.code).where(Booking.status == Status.BOOKED)
        .group_by(Booking.code).having(sa.func.count() > 1)).all()
    assert duplicates == []


def test_code_collision_draws_again(unit, clock, monkeypatch):
    book(unit, TODAY_10_15, code="B7K3QX")
    drawn = iter(["B7K3QX", "B7K3QX", "C8M4RY"])
    monkeypatch.setattr("booking.services.new_code", lambda: next(drawn))

    booking = _insert_booking(unit_id=unit.id, start_at=TODAY_10_15,
                              end_at=local(2027, 2, 15, 10, 30), persons=1, purpose="own",
                              status=Status.BOOKED, channel="online", language="da",
                              created_at=clock(), updated_at=clock())

    assert booking.code == "C8M4RY"
    assert CODE_ATTEMPTS >= 3
