"""Each booking job on due, not-due and already-done rows, with mail to a real SMTP server."""

import logging
import re
import socket
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from booking import jobs
from booking.models import AltchaUse, Booking, SlotReservation, Status
from booking.queries import hash_token
from booking.slots import UnitSchedule
from pastid.extensions import db
from pastid.notifications.models import Notification
from support import CPH, local

NOW = local(2027, 2, 15, 10, 0)  # the frozen clock: a Monday
ADDRESS = "Bygaden 2, 2630 Taastrup"


def body_of(message, subtype="plain"):
    return message.get_body((subtype,)).get_content()


def link_token(message, path):
    return re.search(rf"http://pastid\.test/{path}/([A-Za-z0-9_-]+)", body_of(message)).group(1)


def notifications():
    return db.session.execute(
        sa.select(Notification.booking_id, Notification.kind, Notification.channel,
                  Notification.status, Notification.attempts)
        .order_by(Notification.id)).all()


def reload(booking):
    db.session.expire_all()
    return db.session.get(Booking, booking.id)


def application_log(caplog):
    """Return the log lines of the application's own loggers, not the test servers'."""
    return "\n".join(record.getMessage() for record in caplog.records
                     if record.name.split(".")[0] in ("pastid", "booking"))


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Reminders.

def test_reminder_due_is_sent_with_details(make_unit, make_booking, clock, smtp):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 45))  # 23 h 45 min from now

    assert jobs.send_reminders(clock()) == 1

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "borger1@example.com"
    assert message["Subject"] == (
        "Påmindelse om din tid til pas: tirsdag den 16. februar 2027 kl. 09.45")
    text = body_of(message)
    assert "Vi minder dig om din tid til pas." in text
    assert "Tidspunkt: tirsdag den 16. februar 2027 kl. 09.45" in text
    assert f"Sted: PAS 1, Borgerservice, {ADDRESS}" in text
    assert "Bookingkode: T00 001" in text
    assert "- Dit nuværende pas, hvis du har et." in text
    assert "samtykke fra begge" not in text
    assert "Linket i din bekræftelse og i din kalender virker ikke længere." in text
    token = link_token(message, "min-tid")
    assert f'<a href="http://pastid.test/min-tid/{token}">' in body_of(message, "html")
    booking = reload(booking)
    assert booking.reminder_sent_at == NOW
    assert booking.manage_token_hash == hash_token(token)
    assert notifications() == [(booking.id, "reminder", "email", "sent", 1)]


def test_reminder_link_replaces_old_link(make_unit, make_booking, clock, smtp, client):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0), manage_token_hash=hash_token("old"))

    jobs.send_reminders(clock())

    token = link_token(smtp.messages[0], "min-tid")
    assert client.get(f"/min-tid/{token}").status_code == 200
    assert client.get("/min-tid/old").status_code == 404
    assert reload(booking).manage_token_hash == hash_token(token)


def test_reminder_in_english(make_unit, make_booking, clock, smtp):
    unit = make_unit()
    make_booking(unit, local(2027, 2, 16, 9, 0), language="en", purpose="child")

    jobs.send_reminders(clock())

    message = smtp.messages[0]
    assert message["Subject"] == (
        "Reminder of your passport appointment: Tuesday 16 February 2027 at 09:00")
    text = body_of(message)
    assert "This is a reminder of your passport appointment." in text
    assert "Remember to bring" in text
    assert "everyone with parental responsibility" in text
    assert "The link above is new." in text
    assert '<html lang="en">' in body_of(message, "html")


def test_reminder_not_due_until_lead_time(make_unit, make_booking, clock, smtp):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 10, 15))  # 24 h 15 min from now

    assert jobs.send_reminders(clock()) == 0
    clock.advance(minutes=14)
    assert jobs.send_reminders(clock()) == 0
    assert smtp.messages == []

    clock.advance(minutes=1)  # exactly 24 hours before the start
    assert jobs.send_reminders(clock()) == 1
    assert len(smtp.messages) == 1
    assert reload(booking).start_at - reload(booking).reminder_sent_at == timedelta(hours=24)


def test_reminder_already_sent_is_not_repeated(make_unit, make_booking, clock, smtp):
    unit = make_unit()
    make_booking(unit, local(2027, 2, 16, 9, 0))
    make_booking(unit, local(2027, 2, 16, 9, 15), reminder_sent_at=NOW - timedelta(hours=1))

    assert jobs.send_reminders(clock()) == 1
    assert jobs.send_reminders(clock()) == 0
    clock.advance(minutes=5)
    assert jobs.send_reminders(clock()) == 0

    assert [message["To"] for message in smtp.messages] == ["borger1@example.com"]


@pytest.mark.parametrize(("case", "start", "columns"), [
    # Booked 10 hours before a start 23 hours away: after its reminder time.
    ("booked late", local(2027, 2, 16, 9, 0), {"created_at": local(2027, 2, 15, 23, 0)}),
    # The appointment has passed; catching up must not remind of it.
    ("passed", local(2027, 2, 15, 9, 45), {}),
    ("cancelled", local(2027, 2, 16, 9, 0), {"status": "cancelled"}),
    ("checked in", local(2027, 2, 16, 9, 0), {"status": "checked_in"}),
])
def test_reminder_skipped(make_unit, make_booking, clock, smtp, case, start, columns):
    unit = make_unit()
    booking = make_booking(unit, start, **columns)

    assert jobs.send_reminders(clock()) == 0

    assert smtp.messages == []
    assert reload(booking).reminder_sent_at is None
    assert notifications() == []


def test_reminder_by_sms_too(make_unit, make_booking, clock, smtp, sms_gateway):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0), phone="+4520123456")
    make_booking(unit, local(2027, 2, 16, 9, 15))  # no phone number: e-mail only

    assert jobs.send_reminders(clock()) == 2

    assert len(smtp.messages) == 2
    assert len(sms_gateway.requests) == 1
    request = sms_gateway.requests[0]
    assert request.authorization == "Bearer test-sms-token"
    assert request.content_type == "application/json; charset=utf-8"
    assert request.body["to"] == "+4520123456"
    assert request.body["text"] == (
        "Påmindelse: Pas 16.02.2027 kl. 09.00, PAS 1, Borgerservice. Bookingkode T00 001. "
        "Kan du ikke komme, så aflys via linket i din e-mail eller ring 43 59 10 00.")
    assert len(request.body["text"]) <= 160
    assert ("reminder", "sms", "sent", 1) in [row[1:] for row in notifications()]
    assert reload(booking).reminder_sent_at == NOW


def test_sms_reminder_in_english(make_unit, make_booking, clock, smtp, sms_gateway):
    unit = make_unit()
    make_booking(unit, local(2027, 2, 16, 9, 0), phone="+46701234567", language="en")

    jobs.send_reminders(clock())

    text = sms_gateway.requests[0].body["text"]
    assert text == (
        "Reminder: Passport 16.02.2027 at 09:00, PAS 1, Borgerservice. Booking code T00 001. "
        "If you cannot come, cancel via the link in your e-mail or call 43 59 10 00.")
    assert len(text) <= 160
    assert sms_gateway.requests[0].body["to"] == "+46701234567"


def test_sms_failure_is_retried_alone(make_unit, make_booking, clock, smtp, sms_gateway):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0), phone="+4520123456")
    sms_gateway.fail_next(1)

    jobs.send_reminders(clock())

    assert len(smtp.messages) == 1
    assert sms_gateway.requests == []
    failed = db.session.scalar(sa.select(Notification).where(Notification.channel == "sms"))
    assert (failed.status, failed.attempts) == ("pending", 1)
    assert failed.next_attempt_at == NOW + timedelta(minutes=5)
    assert failed.last_error == (
        f"SMSError: SMS gateway {sms_gateway.url.split('/')[2]} replied HTTP 503")

    clock.advance(minutes=5)
    jobs.send_reminders(clock())

    assert len(sms_gateway.requests) == 1
    assert len(smtp.messages) == 1
    assert notifications() == [(booking.id, "reminder", "email", "sent", 1),
                               (booking.id, "reminder", "sms", "sent", 2)]


def test_failed_email_is_retried_with_backoff(app, make_unit, make_booking, clock, smtp,
                                              monkeypatch, caplog):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0), manage_token_hash=hash_token("old"))
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())
    caplog.set_level(logging.INFO)

    jobs.send_reminders(clock())

    row = db.session.scalar(sa.select(Notification))
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.next_attempt_at == NOW + timedelta(minutes=5)
    assert row.last_error.startswith("MailError: sending message")
    # The citizen's old link keeps working until a reminder has really gone out.
    assert reload(booking).manage_token_hash == hash_token("old")
    assert f"reminder email for booking {booking.id} failed (attempt 1 of 5)" in caplog.text

    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)
    clock.advance(minutes=4)
    jobs.send_reminders(clock())
    assert smtp.messages == []

    clock.advance(minutes=1)
    jobs.send_reminders(clock())
    assert len(smtp.messages) == 1
    assert notifications() == [(booking.id, "reminder", "email", "sent", 2)]
    assert reload(booking).manage_token_hash == hash_token(link_token(smtp.messages[0],
                                                                      "min-tid"))
    assert "borger1@example.com" not in application_log(caplog)


def test_failed_email_is_given_up_after_limit(app, make_unit, make_booking, clock,
                                              monkeypatch, caplog):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0))
    monkeypatch.setitem(app.config, "MAIL_TRANSPORT", "smtp")
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())
    monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 3)

    for minutes in (0, 5, 10, 20):  # retries wait 5, then 10 minutes
        clock.set(NOW + timedelta(minutes=minutes))
        jobs.send_reminders(clock())

    row = db.session.scalar(sa.select(Notification))
    assert (row.status, row.attempts) == ("failed", 3)
    errors = [record for record in caplog.records if record.levelno == logging.ERROR]
    assert len(errors) == 1
    assert errors[0].getMessage().startswith(
        f"reminder email for booking {booking.id} failed 3 times; given up")


def test_reminder_for_booking_cancelled_before_retry(app, make_unit, make_booking, clock,
                                                     smtp, monkeypatch):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0))
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())
    jobs.send_reminders(clock())
    db.session.execute(sa.update(Booking).where(Booking.id == booking.id)
                       .values(status="cancelled", cancelled_at=NOW))
    db.session.commit()
    monkeypatch.setitem(app.config, "MAIL_PORT", smtp.port)

    clock.advance(minutes=5)
    jobs.send_reminders(clock())

    assert smtp.messages == []
    assert notifications() == [(booking.id, "reminder", "email", "cancelled", 2)]


def test_name_cannot_inject_headers(make_unit, make_booking, clock, smtp):
    unit = make_unit()
    make_booking(unit, local(2027, 2, 16, 9, 0), name="Åse\r\nBcc: evil@example.com")

    jobs.send_reminders(clock())

    message = smtp.messages[0]
    assert message["Bcc"] is None
    assert smtp.envelopes[0].rcpt_tos == ("borger1@example.com",)
    assert "evil@example.com" not in message.as_string()


def test_address_with_line_break_is_not_sent(make_unit, make_booking, clock, smtp, caplog):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0),
                           email="borger@example.com\r\nBcc: evil@example.com")

    jobs.send_reminders(clock())
    clock.advance(minutes=30)
    jobs.send_reminders(clock())

    assert smtp.messages == []
    assert notifications() == [(booking.id, "reminder", "email", "failed", 1)]
    assert f"reminder email for booking {booking.id} cannot be built" in caplog.text
    assert "evil@example.com" not in application_log(caplog)


# Survey invitations.

def served_booking(make_booking, unit, served_at, **columns):
    values = {"status": "served", "checked_in_at": served_at - timedelta(minutes=20),
              "served_at": served_at, **columns}
    return make_booking(unit, served_at - timedelta(minutes=15), **values)


def test_survey_invitation_due_is_sent_once(make_unit, make_booking, clock, smtp):
    unit = make_unit()
    booking = served_booking(make_booking, unit, NOW - timedelta(minutes=61))

    assert jobs.send_survey_invitations(clock()) == 1
    assert jobs.send_survey_invitations(clock()) == 0

    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "borger1@example.com"
    assert message["Subject"] == "Hvordan var dit besøg i Borgerservice?"
    text = body_of(message)
    assert "Tak for dit besøg i Borgerservice mandag den 15. februar 2027." in text
    assert ("Linket virker indtil mandag den 1. marts 2027 kl. 10.00 og kan bruges én gang."
            in text)
    token = link_token(message, "undersoegelse")
    assert len(token) == 43
    booking = reload(booking)
    assert booking.survey_sent_at == NOW
    assert booking.survey_token_hash == hash_token(token)
    assert booking.survey_expires_at == NOW + timedelta(days=14)
    assert notifications() == [(booking.id, "survey_invitation", "email", "sent", 1)]


def test_survey_invitation_in_english(make_unit, make_booking, clock, smtp):
    unit = make_unit()
    served_booking(make_booking, unit, NOW - timedelta(hours=2), language="en")

    jobs.send_survey_invitations(clock())

    message = smtp.messages[0]
    assert message["Subject"] == "How was your visit to Borgerservice?"
    text = body_of(message)
    assert "Thank you for visiting Borgerservice on Monday 15 February 2027." in text
    assert "The link works until Monday 1 March 2027 at 10:00 and can be used once." in text


def test_survey_invitation_waits_for_delay(make_unit, make_booking, clock, smtp):
    unit = make_unit()
    booking = served_booking(make_booking, unit, NOW - timedelta(minutes=30))

    assert jobs.send_survey_invitations(clock()) == 0
    assert smtp.messages == []

    clock.advance(minutes=30)
    assert jobs.send_survey_invitations(clock()) == 1
    assert reload(booking).survey_sent_at == NOW + timedelta(minutes=30)


@pytest.mark.parametrize(("case", "columns"), [
    ("no-show", {"status": "no_show", "no_show_at": NOW - timedelta(hours=2)}),
    ("cancelled", {"status": "cancelled", "cancelled_at": NOW - timedelta(hours=3)}),
    ("still being served", {"status": "serving"}),
    ("already invited", {"survey_sent_at": NOW - timedelta(minutes=5)}),
    ("no e-mail address", {"email": None}),
    # Beyond SURVEY_LATEST_HOURS: too late to ask, e.g. after a long outage.
    ("served 4 days ago", {"served_at": NOW - timedelta(days=4)}),
])
def test_survey_invitation_skipped(make_unit, make_booking, clock, smtp, case, columns):
    unit = make_unit()
    served_at = columns.pop("served_at", NOW - timedelta(hours=2))
    booking = served_booking(make_booking, unit, served_at, **columns)
    sent_before = reload(booking).survey_sent_at

    assert jobs.send_survey_invitations(clock()) == 0

    assert smtp.messages == []
    assert reload(booking).survey_sent_at == sent_before
    assert notifications() == []


# No-shows.

def test_no_show_marked_after_day_closes(make_unit, make_booking, clock):
    unit = make_unit()  # open 09:00-12:00 on weekdays
    booking = make_booking(unit, local(2027, 2, 15, 9, 0))

    assert jobs.mark_no_shows(clock()) == 0
    clock.set(local(2027, 2, 15, 12, 14))
    assert jobs.mark_no_shows(clock()) == 0
    assert reload(booking).status == Status.BOOKED

    clock.set(local(2027, 2, 15, 12, 15))
    assert jobs.mark_no_shows(clock()) == 1
    booking = reload(booking)
    assert booking.status == Status.NO_SHOW
    assert booking.no_show_at == local(2027, 2, 15, 12, 15)
    assert jobs.mark_no_shows(clock()) == 0


@pytest.mark.parametrize("status", ["checked_in", "called", "serving", "served", "cancelled"])
def test_no_show_leaves_staff_status(make_unit, make_booking, clock, status):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 12, 9, 0), status=status)

    assert jobs.mark_no_shows(clock()) == 0

    assert reload(booking).status == status
    assert reload(booking).no_show_at is None


def test_no_show_catches_up_on_earlier_days(make_unit, make_booking, clock):
    unit = make_unit()
    old = make_booking(unit, local(2027, 2, 8, 11, 45))
    friday = make_booking(unit, local(2027, 2, 12, 9, 30))
    today = make_booking(unit, local(2027, 2, 15, 9, 0))

    assert jobs.mark_no_shows(clock()) == 2

    assert [reload(booking).status for booking in (old, friday, today)] == [
        "no_show", "no_show", "booked"]


SCHEDULE = UnitSchedule(1, 15, 60, 120, (
    (0, time(9, 0), time(12, 0)),
    (0, time(13, 0), time(15, 0)),
    (4, time(9, 0), time(15, 0)),
))


@pytest.mark.parametrize(("day", "closed_days", "expected"), [
    # The last of two periods on a Monday.
    (local(2027, 2, 15).date(), {}, local(2027, 2, 15, 15, 0)),
    # A Tuesday without opening hours.
    (local(2027, 2, 16).date(), {}, None),
    # New Year's Eve on a Friday as a half day: closes at 12:00, not 15:00.
    (local(2027, 12, 31).date(), {local(2027, 12, 31).date(): time(12, 0)},
     local(2027, 12, 31, 12, 0)),
    # Easter Monday: a public holiday, closed all day.
    (local(2027, 3, 29).date(), {local(2027, 3, 29).date(): None}, None),
    # The Monday after the switch to summer time closes at 15:00 CEST.
    (local(2027, 3, 29).date() + timedelta(days=7), {}, local(2027, 4, 5, 15, 0)),
])
def test_closing_instant(day, closed_days, expected):
    assert jobs.closing_instant(SCHEDULE, day, closed_days, CPH) == expected


def test_no_show_on_holiday_waits_for_end_only(make_unit, make_booking, clock):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 3, 29, 9, 0))  # Easter Monday, added by hand

    clock.set(local(2027, 3, 29, 9, 29))
    assert jobs.mark_no_shows(clock()) == 0
    clock.set(local(2027, 3, 29, 9, 30))
    assert jobs.mark_no_shows(clock()) == 1
    assert reload(booking).status == Status.NO_SHOW


# Retention.

PERSONAL_COLUMNS = "name, email, phone, manage_token_hash, survey_token_hash"


def personal_data(booking_id):
    return tuple(db.session.execute(
        sa.text(f"SELECT {PERSONAL_COLUMNS} FROM booking WHERE id = :id"),
        {"id": booking_id}).one())


def test_retention_erases_personal_data_only(make_unit, make_booking, clock):
    unit = make_unit()
    old = make_booking(unit, NOW - timedelta(days=30, minutes=1), status="served",
                       phone="+4520123456", served_at=NOW - timedelta(days=30),
                       survey_sent_at=NOW - timedelta(days=29),
                       survey_token_hash=hash_token("survey"),
                       survey_answered_at=NOW - timedelta(days=28))
    recent = make_booking(unit, NOW - timedelta(days=29, hours=23), phone="+4520123457")

    assert jobs.erase_personal_data(clock()) == 1

    assert personal_data(old.id) == (None, None, None, None, None)
    assert personal_data(recent.id) == (
        "Borger 2", "borger2@example.com", "+4520123457", f"{2:064x}", None)
    kept = db.session.execute(
        sa.select(Booking.unit_id, Booking.status, Booking.start_at, Booking.end_at,
                  Booking.served_at, Booking.survey_answered_at, Booking.erased_at)
        .where(Booking.id == old.id)).one()
    assert tuple(kept) == (
        unit.id, "served", NOW - timedelta(days=30, minutes=1),
        NOW - timedelta(days=30, minutes=-14), NOW - timedelta(days=30),
        NOW - timedelta(days=28), NOW)
    assert db.session.scalar(sa.text("SELECT count(*) FROM booking")) == 2


def test_retention_erases_old_cancellations(make_unit, make_booking, clock):
    unit = make_unit()
    long_ago = make_booking(unit, local(2027, 3, 22, 9, 0), status="cancelled",
                            cancelled_at=NOW - timedelta(days=31))
    lately = make_booking(unit, local(2027, 3, 22, 9, 15), status="cancelled",
                          cancelled_at=NOW - timedelta(days=5))

    assert jobs.erase_personal_data(clock()) == 1

    assert personal_data(long_ago.id) == (None, None, None, None, None)
    assert personal_data(lately.id)[1] == "borger2@example.com"
    assert db.session.scalar(
        sa.text("SELECT status FROM booking WHERE id = :id"), {"id": long_ago.id}
    ) == "cancelled"


def test_retention_keeps_first_erasure_time(make_unit, make_booking, clock):
    unit = make_unit()
    erased_at = NOW - timedelta(days=3)
    booking = make_booking(unit, NOW - timedelta(days=40), name=None, email=None,
                           manage_token_hash=None, erased_at=erased_at)

    assert jobs.erase_personal_data(clock()) == 0

    assert reload(booking).erased_at == erased_at


def test_retention_cancels_pending_messages(app, make_unit, make_booking, clock, monkeypatch):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0))
    monkeypatch.setitem(app.config, "MAIL_TRANSPORT", "smtp")
    monkeypatch.setitem(app.config, "MAIL_PORT", closed_port())
    jobs.send_reminders(clock())

    clock.set(local(2027, 3, 20, 9, 0))
    assert jobs.erase_personal_data(clock()) == 1

    assert notifications() == [(booking.id, "reminder", "email", "cancelled", 1)]


# Cleanup.

def test_cleanup_purges_expired_rows_only(make_unit, make_booking, clock):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0))
    db.session.add_all([
        SlotReservation(unit_id=unit.id, start_at=local(2027, 2, 16, 9, 0),
                        booking_id=booking.id),
        SlotReservation(unit_id=unit.id, start_at=local(2027, 2, 16, 9, 15),
                        hold_token="lapsed", expires_at=NOW - timedelta(seconds=1)),
        SlotReservation(unit_id=unit.id, start_at=local(2027, 2, 16, 9, 30),
                        hold_token="live", expires_at=NOW + timedelta(minutes=5)),
        AltchaUse(signature="spent", expires_at=NOW - timedelta(minutes=1)),
        AltchaUse(signature="fresh", expires_at=NOW + timedelta(minutes=10)),
    ])
    db.session.commit()

    assert jobs.purge_expired(clock()) == 2

    assert db.session.scalars(
        sa.select(SlotReservation.hold_token).order_by(SlotReservation.start_at)
    ).all() == [None, "live"]
    assert db.session.scalars(sa.select(AltchaUse.signature)).all() == ["fresh"]
