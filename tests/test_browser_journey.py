"""One visit end to end in a real browser: book, check in, call, serve, survey, dashboard."""

import re
from datetime import time

import pytest
import sqlalchemy as sa

from booking.jobs import send_survey_invitations
from booking.models import Booking, Status
from browser import axe_violations, solve_altcha
from pastid.extensions import db
from support import STAFF_PASSWORD, local

pytestmark = pytest.mark.browser

EVERY_DAY = {weekday: [(time(8, 0), time(16, 0))] for weekday in range(7)}


def assert_accessible(page):
    assert axe_violations(page) == [], page.url


def log_in(page, live_server, username, landing):
    page.goto(f"{live_server}/personale/login?next={landing}")
    page.fill("#username", username)
    page.fill("#password", STAFF_PASSWORD)
    page.click("#submit")
    page.wait_for_url(re.compile(f".*{re.escape(landing)}$"))


def test_one_visit_from_booking_to_dashboard(browser, live_server, make_unit, make_staff,
                                             make_agreement, clock, smtp):
    unit_id = make_unit("PAS 1", hours=EVERY_DAY).id
    make_agreement(2027)
    front_desk = make_staff("frontdesk").username
    pas_staff = make_staff("staff").username
    chief = make_staff("chief").username
    # Outside a request every transaction takes SQLite's write lock, so the test ends its
    # own before the browser sends anything, and reads only plain values afterwards.
    db.session.commit()

    # The citizen books today's first free time: 12.00, two hours after the frozen clock.
    citizen = browser.new_page()
    citizen.goto(live_server + "/bestil")
    citizen.click("label[for=purpose-0]")
    citizen.click("#submit")
    citizen.click(".day-list a >> nth=0")
    citizen.click("label[for=slot-0]")
    citizen.click("#submit")
    citizen.fill("#name", "Åse Øby")
    citizen.fill("#email", "aase@example.com")
    citizen.check("#consent")
    citizen.click("#submit")
    solve_altcha(citizen)
    citizen.click("#submit")
    citizen.wait_for_url(re.compile(r".*/bestil/kvittering$"))
    code = citizen.locator(".booking-code").inner_text().replace(" ", "")
    booking_id, start = db.session.execute(sa.select(Booking.id, Booking.start_at)).one()
    db.session.commit()
    assert start == local(2027, 2, 15, 12, 0)

    # The front desk scans the code a quarter of an hour before the time.
    clock.set(local(2027, 2, 15, 11, 45))
    desk = browser.new_context().new_page()
    log_in(desk, live_server, front_desk, "/personale/ankomst")
    desk.keyboard.type(code.lower())
    desk.keyboard.press("Enter")
    desk.wait_for_selector(".alert-success")
    assert_accessible(desk)

    # Staff at the PAS unit call the citizen, start and finish.
    clock.set(local(2027, 2, 15, 12, 0))
    counter = browser.new_context().new_page()
    log_in(counter, live_server, pas_staff, f"/personale/pas/{unit_id}")
    counter.click("button:has-text('Kald næste')")
    counter.click("button:has-text('Start betjening')")
    counter.click("button:has-text('Betjent')")
    counter.wait_for_load_state()
    row = db.session.execute(
        sa.select(Booking.status, Booking.checked_in_at, Booking.called_at, Booking.served_at)
        .where(Booking.id == booking_id)).one()
    db.session.commit()
    assert row == (Status.SERVED, local(2027, 2, 15, 11, 45), local(2027, 2, 15, 12, 0),
                   local(2027, 2, 15, 12, 0))

    # An hour later the survey invitation goes out; the citizen answers it.
    clock.set(local(2027, 2, 15, 13, 5))
    assert send_survey_invitations(clock()) == 1
    db.session.commit()
    smtp.wait_for(2)
    body = smtp.messages[1].get_body(("plain",)).get_content()
    path = re.search(r"/undersoegelse/[A-Za-z0-9_-]+", body).group(0)
    citizen.goto(live_server + path)
    assert_accessible(citizen)
    for question in ("booking_overall", "booking_ease", "waiting_time", "professional_quality",
                     "general_service"):
        citizen.check(f"#{question}-4")
    citizen.click("#submit")
    citizen.wait_for_selector("text=Tak for dit svar")

    # The chief sees the answer counted towards the online booking goal.
    chief_page = browser.new_context().new_page()
    log_in(chief_page, live_server, chief, "/personale/kpi")
    assert_accessible(chief_page)
    card = chief_page.locator("section.kpi-card").filter(
        has=chief_page.locator("h4", has_text="Tidsbestilling til pas"))
    assert card.count() == 1
    text = card.inner_text()
    assert "100" in text
    assert re.search(r"\b1\b", text)
