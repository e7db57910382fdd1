"""A citizen books, moves and cancels a time in a real browser, with accessibility scans."""

import re
from datetime import time

import pytest
import sqlalchemy as sa

from booking.models import Booking, Status
from browser import axe_violations, solve_altcha, tab_to
from pastid.extensions import db

pytestmark = pytest.mark.browser

EVERY_DAY = {weekday: [(time(7, 0), time(20, 0))] for weekday in range(7)}


@pytest.fixture
def centre(make_unit):
    return make_unit("PAS 1", hours=EVERY_DAY, lead_minutes=0)


def assert_accessible(page):
    assert axe_violations(page) == [], page.url


def book_in_browser(page, live_server, name="Åse Øby", email="aase@example.com"):
    page.goto(live_server + "/")
    assert_accessible(page)
    page.click("a.button-primary")
    page.wait_for_url(re.compile(r".*/bestil$"))
    assert_accessible(page)
    page.click("label[for=purpose-0]")
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/bestil/dag$"))
    assert_accessible(page)
    page.click(".day-list a >> nth=1")
    page.wait_for_url(re.compile(r".*/bestil/tid\?dato=.*"))
    assert_accessible(page)
    page.click("label[for=slot-0]")
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/bestil/oplysninger$"))
    assert_accessible(page)
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#phone", "20 12 34 56")
    page.check("#consent")
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/bestil/bekraeft$"))
    assert_accessible(page)
    solve_altcha(page)
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/bestil/kvittering$"))
    assert_accessible(page)


def test_book_in_danish(page, live_server, centre):
    book_in_browser(page, live_server)

    assert page.locator("h1").inner_text() == "Din tid er bestilt"
    code = db.session.scalar(sa.select(Booking.code))
    assert page.locator(".booking-code").inner_text().replace(" ", "") == code
    assert re.search(r"\w+dag den \d+\. \w+ \d{4} kl\. \d\d\.\d\d", page.content())


def test_book_in_english(page, live_server, centre):
    page.goto(live_server + "/")
    page.click("button:has-text('English')")
    assert page.locator("html").get_attribute("lang") == "en"

    book_in_browser(page, live_server, email="bo@example.com")

    assert page.locator("h1").inner_text() == "Your appointment is booked"
    assert db.session.scalar(sa.select(Booking.language)) == "en"


def test_reschedule_and_cancel(page, live_server, centre):
    book_in_browser(page, live_server)
    first_start = db.session.scalar(sa.select(Booking.start_at))
    db.session.commit()

    # Each click that leaves the page waits for the next one, so that axe never scans a
    # page that is being replaced.
    page.click("text=Se, flyt eller aflys din tid")
    page.wait_for_url(re.compile(r".*/min-tid/[^/]+$"))
    assert_accessible(page)
    page.click("text=Flyt tiden")
    page.wait_for_url(re.compile(r".*/min-tid/[^/]+/flyt$"))
    assert_accessible(page)
    page.click(".day-list a >> nth=2")
    page.wait_for_url(re.compile(r".*/flyt/tid\?dato=.*"))
    page.click("label[for=slot-0]")
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/flyt/bekraeft$"))
    assert_accessible(page)
    page.click("#submit")
    page.get_by_text("Din tid er flyttet").wait_for()
    moved_start = db.session.scalar(sa.select(Booking.start_at))
    db.session.commit()
    assert moved_start > first_start

    page.click("text=Aflys tiden")
    page.wait_for_url(re.compile(r".*/aflys$"))
    assert_accessible(page)
    page.click("#submit")
    page.get_by_text("Tiden er aflyst").first.wait_for()
    assert_accessible(page)
    assert db.session.scalar(sa.select(Booking.status)) == Status.CANCELLED


def test_whole_booking_flow_by_keyboard(page, live_server, centre):
    page.goto(live_server + "/bestil")

    focus = tab_to(page, "#purpose-0")
    assert focus["outline"] != "none" or focus["shadow"] != "none"
    page.keyboard.press("Space")
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/bestil/dag$"))

    tab_to(page, ".day-list a")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/bestil/tid\?dato=.*"))
    tab_to(page, "#slot-0")
    page.keyboard.press("Space")
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/bestil/oplysninger$"))

    tab_to(page, "#name")
    page.keyboard.type("Karl Kørner")
    page.keyboard.press("Tab")
    page.keyboard.type("karl@example.com")
    tab_to(page, "#consent")
    page.keyboard.press("Space")
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/bestil/bekraeft$"))

    tab_to(page, "altcha-widget input[type=checkbox]")
    page.keyboard.press("Space")
    from browser import wait_until
    wait_until(page, "document.querySelector('altcha-widget').getState() === 'verified'")
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/bestil/kvittering$"))

    assert db.session.scalar(sa.select(Booking.name)) == "Karl Kørner"


@pytest.mark.parametrize("path", ["/privatliv", "/tilgaengelighed", "/min-tid/ukendt"])
def test_static_pages_are_accessible(page, live_server, path):
    page.goto(live_server + path)

    assert_accessible(page)
