"""The survey and the chief's dashboard in a real browser: axe scans, keyboard, CSP."""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from booking.queries import hash_token
from browser import axe_violations, tab_to
from kpi.models import SurveyAnswer
from pastid.extensions import db
from pastid.timeutil import now_utc
from support import STAFF_PASSWORD

pytestmark = pytest.mark.browser

TOKEN = "browser-survey-token-0123456789abcdefghijklmnop"


def assert_accessible(page):
    assert axe_violations(page) == [], page.url


def watch_console(page):
    """Collect the browser's console errors, where CSP violations are reported."""
    errors = []
    page.on("console", lambda message: errors.append(message.text)
            if message.type == "error" else None)
    return errors


def test_survey_by_keyboard(page, live_server, make_unit, make_booking):
    now = now_utc()
    make_booking(make_unit(), now - timedelta(hours=3), status="served",
                 served_at=now - timedelta(hours=2), survey_sent_at=now - timedelta(hours=1),
                 survey_token_hash=hash_token(TOKEN),
                 survey_expires_at=now + timedelta(days=13))
    errors = watch_console(page)

    page.goto(f"{live_server}/undersoegelse/{TOKEN}")
    assert_accessible(page)
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-module=error-summary]")
    assert_accessible(page)

    for question in ("booking_overall", "booking_ease", "waiting_time", "professional_quality",
                     "general_service"):
        tab_to(page, f"#{question}-0")
        # Arrow keys move through a radio group and select: down four times is score 5.
        for _ in range(4):
            page.keyboard.press("ArrowDown")
    tab_to(page, "#comment")
    page.keyboard.type("Hurtig betjening")
    tab_to(page, "#submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Tak for dit svar")
    assert_accessible(page)

    answer = db.session.scalar(sa.select(SurveyAnswer))
    assert answer.booking_overall == 5
    assert answer.general_service == 5
    assert answer.comment == "Hurtig betjening"
    assert [error for error in errors if "Content Security Policy" in error] == []


def test_dashboard_and_report_are_accessible(page, live_server, make_staff, make_agreement,
                                             make_answers, make_unit, make_booking):
    today = now_utc().date()
    make_agreement(today.year)
    unit = make_unit()
    make_booking(unit, now_utc() - timedelta(days=1), status="served")
    make_answers(max(date(today.year, 1, 1), today - timedelta(days=1)), {5: 12, 4: 4, 2: 1},
                 unit=unit)
    username = make_staff("chief").username
    # End the test's transaction: outside a request it holds SQLite's write lock, which
    # the login in the browser needs.
    db.session.commit()
    errors = watch_console(page)

    page.goto(f"{live_server}/personale/login?next=/personale/kpi")
    page.fill("#username", username)
    page.fill("#password", STAFF_PASSWORD)
    page.click("#submit")
    page.wait_for_url(re.compile(r".*/personale/kpi$"))
    assert page.locator("svg.kpi-chart").count() == 5
    assert_accessible(page)

    page.click("text=Rapport til udskrift for hele aftalen")
    page.wait_for_url(re.compile(r".*/personale/kpi/rapport\?.*"))
    assert_accessible(page)
    assert [error for error in errors if "Content Security Policy" in error] == []
