"""The citizen's booking flow through the Flask test client, with mail to a real SMTP server."""

import re
import time
from datetime import timedelta

import icalendar
import pytest
import sqlalchemy as sa

from booking import services
from booking.models import Booking, SlotReservation, Status
from pastid.extensions import db
from support import CPH, book_through_flow, csrf_token, local, slot_value, solve_altcha

START = local(2027, 4, 5, 9, 0)  # a Monday, 49 days after the frozen clock


def text_of(response):
    return response.get_data(as_text=True)


def manage_token_from(message):
    body = message.get_body(("plain",)).get_content()
    return re.search(r"/min-tid/([A-Za-z0-9_-]+)", body).group(1)


def calendar_part(message):
    parts = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0]


def test_booking_flow_books_and_mails(client, make_unit, clock, smtp):
    make_unit()

    response = book_through_flow(client, START)

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/bestil/kvittering")
    booking = db.session.scalar(sa.select(Booking))
    assert booking.start_at == START
    assert booking.name == "Åse Øby"
    assert booking.phone == "+4520123456"
    assert booking.channel == "online"
    assert booking.status == Status.BOOKED

    receipt = text_of(client.get("/bestil/kvittering"))
    assert "mandag den 5. april 2027 kl. 09.00" in receipt
    assert f"{booking.code[:3]} {booking.code[3:]}" in receipt
    assert "data:image/svg+xml;charset=utf-8," in receipt
    assert "Tilføj til kalender" in receipt

    smtp.wait_for(1)
    message = smtp.messages[0]
    assert message["To"] == "aase@example.com"
    assert message["Subject"] == (
        "Bekræftelse af din tid til pas: mandag den 5. april 2027 kl. 09.00")
    body = message.get_body(("plain",)).get_content()
    assert booking.code[:3] in body
    assert "Husk at medbringe" in body
    part = calendar_part(message)
    assert part.get_param("method") == "PUBLISH"
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert calendar["METHOD"] == "PUBLISH"
    event = calendar.walk("VEVENT")[0]
    assert event["SEQUENCE"] == 0
    assert event.decoded("DTSTART") == START


def test_receipt_and_mail_in_english(client, make_unit, clock, smtp):
    make_unit()
    page = client.get("/")
    client.post("/sprog", data={"csrf_token": csrf_token(page), "lang": "en", "next": "/"})

    book_through_flow(client, START)

    receipt = text_of(client.get("/bestil/kvittering"))
    assert "Monday 5 April 2027 at 09:00" in receipt
    assert db.session.scalar(sa.select(Booking.language)) == "en"
    smtp.wait_for(1)
    assert smtp.messages[0]["Subject"] == (
        "Confirmation of your passport appointment: Monday 5 April 2027 at 09:00")


def test_details_errors_are_listed_and_input_kept(client, make_unit, clock):
    make_unit()
    book_through_flow_until_details(client)
    page = client.get("/bestil/oplysninger")

    response = client.post("/bestil/oplysninger", data={
        "csrf_token": csrf_token(page), "name": "", "email": "ikke-en-adresse",
        "phone": "123", "consent": ""})

    html = text_of(response)
    assert response.status_code == 200
    assert "Der er problemer" in html
    assert "Indtast dit fulde navn" in html
    assert "Indtast en gyldig e-mailadresse, fx navn@eksempel.dk" in html
    assert "Indtast et gyldigt mobilnummer" in html
    assert "Bekræft, at du har læst om behandlingen af dine oplysninger" in html
    assert 'value="ikke-en-adresse"' in html
    assert 'href="#name"' in html


def submit_details(client, *, name, email, phone=""):
    """Fill in and send the details step; return the response."""
    page = client.get("/bestil/oplysninger")
    return client.post("/bestil/oplysninger", data={
        "csrf_token": csrf_token(page), "name": name, "email": email, "phone": phone,
        "consent": "y"})


def book_through_flow_until_details(client, start=START):
    page = client.get("/bestil")
    client.post("/bestil", data={"csrf_token": csrf_token(page), "purpose": "own",
                                 "unit": "any"})
    day = start.date().isoformat()
    page = client.get(f"/bestil/tid?dato={day}")
    response = client.post(f"/bestil/tid?dato={day}", data={
        "csrf_token": csrf_token(page), "slot": slot_value(start)})
    assert response.status_code == 302


def test_name_with_header_injection_is_rejected(client, make_unit, clock, smtp):
    make_unit()
    book_through_flow_until_details(client)
    page = client.get("/bestil/oplysninger")

    response = client.post("/bestil/oplysninger", data={
        "csrf_token": csrf_token(page), "name": "Anna\r\nBcc: x@example.com",
        "email": "anna@example.com", "phone": "", "consent": "y"})

    assert response.status_code == 200
    assert "Navnet må ikke indeholde linjeskift eller kontroltegn" in text_of(response)
    assert client.get("/bestil/bekraeft").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0
    time.sleep(0.2)
    assert smtp.messages == []


def test_expired_csrf_token_shows_form_again(app, client, make_unit, clock, monkeypatch):
    make_unit()
    book_through_flow_until_details(client)
    page = client.get("/bestil/oplysninger")
    old_token = csrf_token(page)
    monkeypatch.setitem(app.config, "WTF_CSRF_TIME_LIMIT", 1)
    time.sleep(2.1)

    response = client.post("/bestil/oplysninger", data={
        "csrf_token": old_token, "name": "Bo Hansen", "email": "bo@example.com",
        "phone": "20 12 34 56", "consent": "y"})

    html = text_of(response)
    assert response.status_code == 200
    assert "Siden har været åben for længe" in html
    assert 'value="Bo Hansen"' in html
    assert 'value="bo@example.com"' in html
    assert csrf_token(response) != old_token
    assert client.get("/bestil/bekraeft").status_code == 302


def test_expired_csrf_token_on_confirm_makes_no_booking(app, client, make_unit, clock, smtp,
                                                        monkeypatch):
    make_unit()
    book_through_flow_until_details(client)
    submit_details(client, name="Bo Hansen", email="bo@example.com")

    response = client.post("/bestil/bekraeft", data={
        "csrf_token": "forged", "altcha": solve_altcha(client)})

    assert response.status_code == 200
    assert "Siden har været åben for længe" in text_of(response)
    assert "Bo Hansen" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_missing_proof_of_work_is_refused(client, make_unit, clock):
    make_unit()
    book_through_flow_until_details(client)
    submit_details(client, name="Bo", email="bo@example.com")
    page = client.get("/bestil/bekraeft")

    response = client.post("/bestil/bekraeft", data={"csrf_token": csrf_token(page),
                                                     "altcha": ""})

    assert response.status_code == 200
    assert "Bekræft, at du ikke er en robot" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0


def test_proof_of_work_is_accepted_once(client, make_unit, clock):
    make_unit()
    book_through_flow_until_details(client)
    submit_details(client, name="Bo", email="bo@example.com")
    payload = solve_altcha(client)
    page = client.get("/bestil/bekraeft")
    first = client.post("/bestil/bekraeft", data={"csrf_token": csrf_token(page),
                                                  "altcha": payload})
    assert first.status_code == 303

    other = client.application.test_client()
    book_through_flow_until_details(other, local(2027, 4, 5, 10, 0))
    submit_details(other, name="Eva", email="eva@example.com")
    page = other.get("/bestil/bekraeft")
    replay = other.post("/bestil/bekraeft", data={"csrf_token": csrf_token(page),
                                                  "altcha": payload})

    assert replay.status_code == 200
    assert "Bekræft, at du ikke er en robot" in text_of(replay)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1


def test_lost_hold_offers_nearest_alternatives(client, make_unit, clock):
    make_unit()
    book_through_flow_until_details(client)
    submit_details(client, name="Bo", email="bo@example.com")
    clock.advance(minutes=11)
    services.create_booking(services.SlotChoice(START, 1), "own",
                            services.ContactDetails("Eva", "eva@example.com", None),
                            now=clock(), tz=CPH, settings=services.BookingSettings())
    db.session.commit()
    page = client.get("/bestil/bekraeft")

    response = client.post("/bestil/bekraeft", data={
        "csrf_token": csrf_token(page), "altcha": solve_altcha(client)})

    html = text_of(response)
    assert response.status_code == 409
    assert "Tiden er desværre netop blevet booket" in html
    assert slot_value(local(2027, 4, 5, 9, 15)) in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1

    response = client.post("/bestil/alternativ", data={
        "csrf_token": csrf_token(response), "slot": slot_value(local(2027, 4, 5, 9, 15))})
    assert response.headers["Location"].endswith("/bestil/bekraeft")
    page = client.get("/bestil/bekraeft")
    response = client.post("/bestil/bekraeft", data={
        "csrf_token": csrf_token(page), "altcha": solve_altcha(client)})
    assert response.status_code == 303
    starts = db.session.scalars(sa.select(Booking.start_at).order_by(Booking.start_at)).all()
    assert starts == [START, local(2027, 4, 5, 9, 15)]


def test_second_booking_with_same_email_is_refused_early(client, make_unit, clock):
    make_unit()
    book_through_flow(client, START)
    other = client.application.test_client()
    book_through_flow_until_details(other, local(2027, 4, 6, 9, 0))
    page = other.get("/bestil/oplysninger")

    response = other.post("/bestil/oplysninger", data={
        "csrf_token": csrf_token(page), "name": "Åse Øby", "email": "AASE@example.com",
        "phone": "", "consent": "y"})

    assert response.status_code == 200
    assert "Der er allerede bestilt en tid med denne e-mailadresse" in text_of(response)
    assert other.get("/bestil/bekraeft").status_code == 302


def test_limit_reached_between_details_and_confirm(client, make_unit, clock):
    make_unit()
    book_through_flow_until_details(client)
    submit_details(client, name="Bo", email="bo@example.com")
    services.create_booking(services.SlotChoice(local(2027, 4, 6, 9, 0), 1), "own",
                            services.ContactDetails("Bo", "bo@example.com", None),
                            now=clock(), tz=CPH, settings=services.BookingSettings())
    db.session.commit()
    page = client.get("/bestil/bekraeft")

    response = client.post("/bestil/bekraeft", data={
        "csrf_token": csrf_token(page), "altcha": solve_altcha(client)})

    assert response.status_code == 409
    assert "Du har allerede en tid" in text_of(response)

def test_household_takes_consecutive_slots(client, make_unit, clock):
    make_unit()

    response = book_through_flow(client, START, purpose="household", persons=3)

    assert response.status_code == 303
    booking = db.session.scalar(sa.select(Booking))
    assert (booking.persons, booking.end_at) == (3, local(2027, 4, 5, 9, 45))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SlotReservation)) == 3


def test_household_without_persons_is_an_error(client, make_unit, clock):
    make_unit()
    page = client.get("/bestil")

    response = client.post("/bestil", data={"csrf_token": csrf_token(page),
                                            "purpose": "household", "unit": "any"})

    assert response.status_code == 200
    assert "Vælg, hvor mange personer der skal have pas" in text_of(response)


def test_steps_out_of_order_redirect(client, make_unit, clock):
    make_unit()

    for path in ["/bestil/dag", "/bestil/tid?dato=2027-04-05", "/bestil/oplysninger",
                 "/bestil/bekraeft"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/bestil")


def test_day_page_lists_days_with_free_times(client, make_unit, clock):
    make_unit()
    page = client.get("/bestil")
    client.post("/bestil", data={"csrf_token": csrf_token(page), "purpose": "own",
                                 "unit": "any"})

    html = text_of(client.get("/bestil/dag"))

    assert "Tirsdag den 16. februar 2027" in html  # tomorrow; today's times are within lead
    assert "Uge 7" in html
    assert "/bestil/tid?dato=2027-04-16" in html   # the horizon's last day
    assert "dato=2027-04-17" not in html
    assert "dato=2027-03-29" not in html           # Easter Monday


def complete_booking(client, smtp):
    book_through_flow(client, START)
    smtp.wait_for(1)
    return manage_token_from(smtp.messages[0])


def test_manage_page_shows_booking(client, make_unit, clock, smtp):
    make_unit()
    token = complete_booking(client, smtp)

    html = text_of(client.get(f"/min-tid/{token}"))

    assert "mandag den 5. april 2027 kl. 09.00" in html
    assert "Flyt tiden" in html
    assert "Aflys tiden" in html


def test_unknown_manage_link_is_danish_404(client):
    response = client.get("/min-tid/ukendt-link-123")

    assert response.status_code == 404
    assert "Linket virker ikke" in text_of(response)


def test_cancel_needs_post_and_sends_cancel(client, make_unit, clock, smtp):
    make_unit()
    token = complete_booking(client, smtp)

    page = client.get(f"/min-tid/{token}/aflys")
    assert db.session.scalar(sa.select(Booking.status)) == Status.BOOKED

    response = client.post(f"/min-tid/{token}/aflys", data={"csrf_token": csrf_token(page)})

    assert response.status_code == 303
    assert db.session.scalar(sa.select(Booking.status)) == Status.CANCELLED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SlotReservation)) == 0
    smtp.wait_for(2)
    part = calendar_part(smtp.messages[1])
    assert part.get_param("method") == "CANCEL"
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["SEQUENCE"] == 1
    html = text_of(client.get(f"/min-tid/{token}"))
    assert "Tiden er aflyst" in html
    assert "Flyt tiden" not in html


def test_reschedule_then_cancel_sequences(client, make_unit, clock, smtp):
    make_unit()
    token = complete_booking(client, smtp)
    uid = icalendar.Calendar.from_ical(
        calendar_part(smtp.messages[0]).get_payload(decode=True)).walk("VEVENT")[0]["UID"]
    new_start = local(2027, 4, 6, 10, 30)

    page = client.get(f"/min-tid/{token}/flyt/tid?dato=2027-04-06")
    response = client.post(f"/min-tid/{token}/flyt/tid?dato=2027-04-06", data={
        "csrf_token": csrf_token(page), "slot": slot_value(new_start)})
    assert response.status_code == 302
    page = client.get(f"/min-tid/{token}/flyt/bekraeft")
    assert db.session.scalar(sa.select(Booking.start_at)) == START
    response = client.post(f"/min-tid/{token}/flyt/bekraeft",
                           data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(Booking.start_at)) == new_start

    smtp.wait_for(2)
    moved = icalendar.Calendar.from_ical(calendar_part(smtp.messages[1]).get_payload(decode=True))
    assert moved.walk("VEVENT")[0]["UID"] == uid
    assert moved.walk("VEVENT")[0]["SEQUENCE"] == 1
    assert moved.walk("VEVENT")[0].decoded("DTSTART") == new_start

    page = client.get(f"/min-tid/{token}/aflys")
    client.post(f"/min-tid/{token}/aflys", data={"csrf_token": csrf_token(page)})
    smtp.wait_for(3)
    part = calendar_part(smtp.messages[2])
    cancelled = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert part.get_param("method") == cancelled["METHOD"] == "CANCEL"
    assert cancelled.walk("VEVENT")[0]["UID"] == uid
    assert cancelled.walk("VEVENT")[0]["SEQUENCE"] == 2


def test_past_booking_link_says_so(client, make_unit, clock, smtp):
    make_unit()
    token = complete_booking(client, smtp)
    clock.set(local(2027, 4, 5, 10, 0))

    html = text_of(client.get(f"/min-tid/{token}"))

    assert "Tiden er overstået" in html
    assert client.get(f"/min-tid/{token}/aflys").status_code == 302


def test_calendar_download(client, make_unit, clock, smtp):
    make_unit()
    token = complete_booking(client, smtp)

    response = client.get(f"/min-tid/{token}/kalender.ics")

    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar.walk("VEVENT")[0].decoded("DTEND") == START + timedelta(minutes=15)


def test_mail_failure_keeps_booking(client, make_unit, clock, app, monkeypatch, caplog):
    make_unit()
    monkeypatch.setitem(app.config, "MAIL_TRANSPORT", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", 9)  # nothing listens on the discard port

    response = book_through_flow(client, START)

    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 1
    assert "e-mail confirmation for booking" in caplog.text
    assert "aase@example.com" not in caplog.text


def test_failure_mid_booking_leaves_nothing_half_written(app, client, make_unit, clock, smtp,
                                                         monkeypatch):
    make_unit()
    book_through_flow_until_details(client)
    submit_details(client, name="Bo", email="bo@example.com")
    real_create = services.create_booking

    def create_then_crash(*args, **kwargs):
        real_create(*args, **kwargs)
        raise RuntimeError("the server died after the insert, before the commit")

    monkeypatch.setattr(services, "create_booking", create_then_crash)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    page = client.get("/bestil/bekraeft")

    response = client.post("/bestil/bekraeft", data={
        "csrf_token": csrf_token(page), "altcha": solve_altcha(client)})

    assert response.status_code == 500
    assert "Der opstod en fejl" in text_of(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Booking)) == 0
    booked_rows = sa.select(sa.func.count()).select_from(SlotReservation).where(
        SlotReservation.booking_id.is_not(None))
    assert db.session.scalar(booked_rows) == 0
    time.sleep(0.2)
    assert smtp.messages == []


@pytest.mark.slow
def test_citizens_racing_for_one_time(app, make_unit, clock):
    """Many citizens pick the same time at once: one holds it, the rest see alternatives."""
    import threading

    make_unit()
    count = 50 if db.engine.dialect.name == "postgresql" else 20
    clients, pages = [], []
    for _ in range(count):
        racer = app.test_client()
        page = racer.get("/bestil")
        racer.post("/bestil", data={"csrf_token": csrf_token(page), "purpose": "own",
                                    "unit": "any"})
        clients.append(racer)
        pages.append(racer.get("/bestil/tid?dato=2027-04-05"))
    db.session.commit()
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def race(index):
        with app.app_context():
            barrier.wait()
            response = clients[index].post("/bestil/tid?dato=2027-04-05", data={
                "csrf_token": csrf_token(pages[index]), "slot": slot_value(START)})
            html = response.get_data(as_text=True)
            if response.status_code == 302:
                outcomes[index] = "held"
            elif response.status_code == 409 and "Tiden er desværre netop blevet booket" in html \
                    and slot_value(
                    local(2027, 4, 5, 9, 15)) in html:
                outcomes[index] = "taken"
            else:
                outcomes[index] = f"status {response.status_code}"

    threads = [threading.Thread(target=race, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("held") == 1
    assert outcomes.count("taken") == count - 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SlotReservation)) == 1


@pytest.mark.slow
def test_slow_mail_relay_does_not_hold_up_other_bookings(app, make_unit, clock, monkeypatch):
    """The confirmation goes out while no database lock is held, even on SQLite."""
    import threading

    from smtp_server import SMTPTestServer

    relay = SMTPTestServer(delay=3)
    relay.start()
    monkeypatch.setitem(app.config, "MAIL_TRANSPORT", "smtp")
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", relay.port)
    make_unit()
    first, second = app.test_client(), app.test_client()
    book_through_flow_until_details(first)
    submit_details(first, name="Bo", email="bo@example.com")
    confirm_page = first.get("/bestil/bekraeft")
    payload = solve_altcha(first)
    page = second.get("/bestil")
    second.post("/bestil", data={"csrf_token": csrf_token(page), "purpose": "own",
                                 "unit": "any"})
    time_page = second.get("/bestil/tid?dato=2027-04-05")

    def confirm():
        with app.app_context():
            first.post("/bestil/bekraeft", data={"csrf_token": csrf_token(confirm_page),
                                                 "altcha": payload})

    sender = threading.Thread(target=confirm)
    sender.start()
    time.sleep(1)  # the first booking is now waiting for the relay's answer
    started = time.monotonic()
    response = second.post("/bestil/tid?dato=2027-04-05", data={
        "csrf_token": csrf_token(time_page), "slot": slot_value(local(2027, 4, 5, 10, 0))})
    elapsed = time.monotonic() - started
    sender.join()
    relay.stop()

    assert response.status_code == 302
    assert elapsed < 1.5
    assert len(relay.messages) == 1


def test_lapsed_hold_is_announced(client, make_unit, clock):
    make_unit()
    book_through_flow_until_details(client)

    fresh = text_of(client.get("/bestil/oplysninger"))
    clock.advance(minutes=11)
    late = text_of(client.get("/bestil/oplysninger"))

    assert "Vi holder tiden mandag den 5. april 2027 kl. 09.00 til dig til kl. 10.10." in fresh
    assert "<p class=\"alert-text\" data-countdown-expired hidden>" in fresh
    assert "Vi holder ikke længere tiden mandag den 5. april 2027 kl. 09.00 til dig." in late
    assert "<p class=\"alert-text\" data-countdown-running hidden>" in late


def test_manage_link_opens_in_booking_language(client, make_unit, clock, smtp):
    make_unit()
    page = client.get("/")
    client.post("/sprog", data={"csrf_token": csrf_token(page), "lang": "en", "next": "/"})
    book_through_flow(client, START)
    smtp.wait_for(1)
    token = manage_token_from(smtp.messages[0])

    fresh_browser = client.application.test_client()
    html = text_of(fresh_browser.get(f"/min-tid/{token}"))

    assert '<html lang="en">' in html
    assert "Monday 5 April 2027 at 09:00" in html
