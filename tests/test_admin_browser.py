"""The staff pages in a real browser: scanner focus, live updates, accessibility scans."""

import re
from datetime import time

import pytest

from admin import services
from admin_support import book
from browser import axe_violations, wait_until
from pastid.extensions import db
from support import CPH, STAFF_PASSWORD, local

pytestmark = pytest.mark.browser

OPEN = {weekday: [(time(9, 0), time(15, 0))] for weekday in range(5)}


@pytest.fixture
def unit(make_unit, clock):
    return make_unit("PAS 1", hours=OPEN, lead_minutes=0)


def log_in(page, live_server, staff):
    """Log staff in through the browser.

    Reading staff.username opens a transaction, and on SQLite it holds the write lock
    that the login request needs, so the transaction ends before the browser acts.
    """
    username = staff.username
    db.session.commit()
    page.goto(live_server + "/personale/login")
    page.fill("#username", username)
    page.fill("#password", STAFF_PASSWORD)
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/personale/$"))


def test_scanner_keeps_typing_into_field(page, live_server, make_staff, unit, clock):
    book(unit, local(2027, 2, 15, 10, 15), code="B7K3QX", name="Åse Øby")
    log_in(page, live_server, make_staff("frontdesk"))
    page.goto(live_server + "/personale/ankomst")
    assert page.evaluate("document.activeElement.id") == "code"
    assert axe_violations(page) == []

    page.keyboard.type("b7k3qx")
    page.keyboard.press("Enter")
    page.wait_for_selector(".alert-success")

    assert "Ankomst registreret kl. 10.00" in page.content()
    assert page.evaluate("document.activeElement.id") == "code"
    assert axe_violations(page) == []


def test_day_view_updates_without_reload(page, live_server, make_staff, unit, clock):
    booking = book(unit, local(2027, 2, 15, 10, 15), code="B7K3QX")
    log_in(page, live_server, make_staff("frontdesk"))
    page.clock.install()
    page.goto(live_server + "/personale/dag")
    assert axe_violations(page) == []
    assert page.inner_text("[data-day-bookings] .status-label") == "Booket"

    services.check_in(booking.code, now=clock(), tz=CPH, window=services.CheckinWindow(),
                      actor_id=None)
    db.session.commit()
    page.clock.run_for(16_000)

    wait_until(page, "document.querySelector('[data-day-bookings] .status-label')"
                     ".textContent === 'Ankommet'")
    assert page.inner_text("[data-day-bookings] tr td:nth-child(7)") == "10.00"


def test_queue_and_screen_are_accessible(page, live_server, make_staff, unit, clock):
    booking = book(unit, local(2027, 2, 15, 10, 15), code="B7K3QX")
    services.check_in(booking.code, now=clock(), tz=CPH, window=services.CheckinWindow(),
                      actor_id=None)
    unit_id = unit.id
    log_in(page, live_server, make_staff("staff"))

    page.goto(live_server + f"/personale/pas/{unit_id}")
    assert axe_violations(page) == []
    page.click("text=Kald næste: B7K3QX")
    page.wait_for_selector(".alert-success")
    assert "B7K3QX er kaldt op og vises på skærmen." in page.content()
    assert axe_violations(page) == []

    page.goto(live_server + "/screen")
    assert page.inner_text(".info-screen-call-latest .info-screen-code") == "3QX"
    assert axe_violations(page) == []


def test_admin_pages_are_accessible(page, live_server, make_staff, unit, clock):
    booking = book(unit, local(2027, 2, 16, 10, 15), code="B7K3QX")
    unit_id, booking_id = unit.id, booking.id
    log_in(page, live_server, make_staff("admin"))
    paths = [
        "/personale/", "/personale/uden-tid", "/personale/bookinger?q=B7K3QX",
        f"/personale/bookinger/{booking_id}", f"/personale/bookinger/{booking_id}/flyt",
        "/personale/bookinger/ny?purpose=own&persons=1&unit=any&day=2027-02-16",
        "/personale/selvbetjening", "/personale/pas", "/personale/lukninger/ny",
        "/personale/log", "/personale/enheder", f"/personale/enheder/{unit_id}",
        f"/personale/enheder/{unit_id}/aabningstider", "/personale/skranker/ny",
        "/personale/helligdage", "/personale/medarbejdere", "/personale/medarbejdere/ny",
        "/personale/adgangskode",
    ]
    violations = {}
    for path in paths:
        page.goto(live_server + path)
        found = axe_violations(page)
        if found:
            violations[path] = found

    assert violations == {}
