"""Self check-in on a tablet: started by staff, usable without a login, revocable."""

from datetime import time

import pytest
import sqlalchemy as sa

from admin import kiosk
from admin.models import AuditEntry, KioskDevice
from admin_support import book, reload
from booking.models import Status
from pastid.extensions import db
from support import csrf_token, local

OPEN = {weekday: [(time(9, 0), time(15, 0))] for weekday in range(5)}
TODAY_10_15 = local(2027, 2, 15, 10, 15)


def text_of(response):
    return response.get_data(as_text=True)


@pytest.fixture
def unit(make_unit, clock):
    return make_unit("PAS 1", hours=OPEN, lead_minutes=0)


@pytest.fixture
def tablet(staff_client, clock):
    """A client that a front-desk member put into self check-in mode."""
    client = staff_client("frontdesk")
    page = client.get("/personale/selvbetjening")
    response = client.post("/personale/selvbetjening", data={
        "csrf_token": csrf_token(page), "name": "Tablet ved indgangen"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/ankomst"
    return client


def self_check_in(client, code):
    page = client.get("/ankomst")
    response = client.post("/ankomst", data={"csrf_token": csrf_token(page), "code": code})
    assert response.status_code == 303
    return text_of(client.get("/ankomst"))


def test_starting_logs_staff_out(tablet, clock):
    assert tablet.get("/personale/").status_code == 302
    assert tablet.get("/ankomst").status_code == 200
    device = db.session.scalar(sa.select(KioskDevice))
    assert device.name == "Tablet ved indgangen"
    assert len(device.token_hash) == 64
    assert tablet.get_cookie("pastid_kiosk").value not in device.token_hash


def test_cookie_is_http_only_and_strict(staff_client, clock):
    client = staff_client("frontdesk")
    page = client.get("/personale/selvbetjening")

    response = client.post("/personale/selvbetjening", data={
        "csrf_token": csrf_token(page), "name": "Tablet"})

    cookie = [value for value in response.headers.getlist("Set-Cookie")
              if value.startswith("pastid_kiosk=")][0]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie


def test_self_check_in_shows_first_name_only(tablet, unit, clock):
    booking = book(unit, TODAY_10_15, code="B7K3QX", name="Åse Marie Øby",
                   email="aase@example.com")

    page = self_check_in(tablet, " b7k-3qx ")

    assert "Velkommen, Åse" in page
    assert "Du bliver kaldt op med koden …3QX." in page
    assert "Øby" not in page
    assert "aase@example.com" not in page
    booking = reload(booking)
    assert booking.status == Status.CHECKED_IN
    assert booking.checked_in_at == local(2027, 2, 15, 10, 0)
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "booking.self_check_in"))
    assert entry.staff_id is None
    assert '"kiosk_device_id"' in entry.after


def test_result_is_shown_once(tablet, unit, clock):
    book(unit, TODAY_10_15, code="B7K3QX", name="Åse Øby")
    self_check_in(tablet, "B7K3QX")

    page = text_of(tablet.get("/ankomst"))

    assert "Åse" not in page
    assert "data-kiosk-reset" not in page


def test_tomorrow_code_shows_date(tablet, unit, clock):
    book(unit, local(2027, 2, 16, 9, 30), code="B7K3QX")

    page = self_check_in(tablet, "B7K3QX")

    assert "Din tid er tirsdag den 16. februar 2027 kl. 09.30." in page


def test_late_arrival_goes_to_desk(tablet, unit, clock):
    booking = book(unit, local(2027, 2, 15, 9, 30), code="B7K3QX", now=local(2027, 2, 15, 8, 0))

    page = self_check_in(tablet, "B7K3QX")

    assert "Gå til skranken" in page
    assert reload(booking).checked_in_at is None


def test_late_accept_is_ignored_on_tablet(tablet, unit, clock):
    booking = book(unit, local(2027, 2, 15, 9, 30), code="B7K3QX", now=local(2027, 2, 15, 8, 0))
    page = tablet.get("/ankomst")

    tablet.post("/ankomst", data={"csrf_token": csrf_token(page), "code": "B7K3QX",
                                  "accept_late": "1"})

    assert reload(booking).checked_in_at is None


def test_unknown_code_reveals_nothing(tablet, unit, clock):
    page = self_check_in(tablet, "ZZZ999")

    assert "Vi kan ikke finde koden" in page


def test_without_device_cookie_is_forbidden(client, clock):
    assert client.get("/ankomst").status_code == 403
    assert client.post("/ankomst", data={"code": "B7K3QX"}).status_code in (400, 403)


def test_revoked_device_stops_working(tablet, staff_client, unit, clock):
    device = db.session.scalar(sa.select(KioskDevice))
    desk = staff_client("frontdesk")
    page = desk.get("/personale/selvbetjening")

    desk.post(f"/personale/selvbetjening/{device.id}/stop", data={"csrf_token": csrf_token(page)})

    assert tablet.get("/ankomst").status_code == 403
    db.session.refresh(device)
    assert device.revoked_at == local(2027, 2, 15, 10, 0)


def test_self_check_in_is_rate_limited(make_app, clock):
    limited = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://",
                       RATELIMIT_SELF_CHECKIN="2 per minute")
    device, token = kiosk.start_device("Tablet", actor_id=None, now=clock())
    db.session.commit()
    client = limited.test_client()
    client.set_cookie(kiosk.COOKIE_NAME, token)
    form_token = csrf_token(client.get("/ankomst"))

    statuses = [client.post("/ankomst", data={"csrf_token": form_token, "code": "ZZZ999"})
                .status_code for attempt in range(3)]

    assert statuses == [303, 303, 429]
    assert device.id is not None
