"""The notification module: messages from templates, the SMS gateway over HTTP, the outbox."""

import email
import email.policy
import socket
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sms_gateway import SMSGatewayServer

from pastid.extensions import db
from pastid.notifications import outbox
from pastid.notifications.messages import public_url, render_email, render_sms, send_email
from pastid.notifications.models import Notification
from pastid.notifications.sms import (
    SMS, HTTPSMSGateway, SMSError, gateway_from_config, to_e164,
)
from pastid.notifications.outbox import RetryPolicy
from support import local

SURVEY_CONTEXT = {
    "booking": SimpleNamespace(language="da"),
    "long_day": "mandag den 15. februar 2027",
    "survey_url": "http://pastid.test/undersoegelse/abc",
    "expires": "mandag den 1. marts 2027 kl. 10.00",
}


def render_survey(**overrides):
    arguments = {"language": "da", "to": "aase@example.com", "subject": "Hvordan gik det?",
                 "context": SURVEY_CONTEXT, **overrides}
    return render_email("survey_invitation", **arguments)


@pytest.fixture
def gateway_server():
    server = SMSGatewayServer(token="secret-token")
    server.start()
    yield server
    server.stop()


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Messages from templates.

def test_email_has_text_and_html_in_danish():
    message = render_survey()

    assert message["From"] == "Borgerservice <noreply@pastid.invalid>"
    assert message["To"] == "aase@example.com"
    assert message["Subject"] == "Hvordan gik det?"
    text = message.get_body(("plain",)).get_content()
    assert "Tak for dit besøg i Borgerservice mandag den 15. februar 2027." in text
    assert "http://pastid.test/undersoegelse/abc" in text
    html = message.get_body(("html",)).get_content()
    assert '<a href="http://pastid.test/undersoegelse/abc">Besvar spørgeskemaet</a>' in html


def test_email_in_english():
    message = render_survey(language="en", context={
        **SURVEY_CONTEXT, "booking": SimpleNamespace(language="en")})

    text = message.get_body(("plain",)).get_content()
    assert "Would you help us improve?" in text
    assert "Your answers are stored without your name and contact details." in text
    assert '<html lang="en">' in message.get_body(("html",)).get_content()


@pytest.mark.parametrize(("field", "value"), [
    ("subject", "Hvordan gik det?\r\nBcc: evil@example.com"),
    ("subject", "Hvordan gik det?\nBcc: evil@example.com"),
    ("subject", "=?utf-8?q?Hej=0D=0ABcc=3A_evil=40example=2Ecom?="),
    ("to", "Åse\r\nBcc: evil@example.com <aase@example.com>"),
    ("to", "aase@example.com\r\nBcc: evil@example.com"),
])
def test_header_injection_is_rejected(field, value):
    with pytest.raises(ValueError, match="header must"):
        render_survey(**{field: value})


def test_sms_text_is_one_line():
    booking = SimpleNamespace(language="da", unit=SimpleNamespace(name="PAS 1"))

    text = render_sms("reminder", language="da", context={
        "booking": booking, "day": "29.03.2027", "time": "09.00", "code": "B7K 3QX"})

    assert text == (
        "Påmindelse: Pas 29.03.2027 kl. 09.00, PAS 1, Borgerservice. Bookingkode B7K 3QX. "
        "Kan du ikke komme, så aflys via linket i din e-mail eller ring 43 59 10 00.")


def test_public_url_keeps_path_prefix(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://kommune.example/pas")

    assert public_url("booking.manage", token="abc") == "https://kommune.example/pas/min-tid/abc"


def test_outbox_transport_writes_eml(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_TRANSPORT", "outbox")
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", str(tmp_path))

    send_email(render_survey())

    files = list(tmp_path.glob("*.eml"))
    assert len(files) == 1
    written = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert written["Subject"] == "Hvordan gik det?"


# The SMS gateway.

@pytest.mark.parametrize(("typed", "expected"), [
    ("20 12 34 56", "+4520123456"),
    ("+4520123456", "+4520123456"),
    ("+46 70 123 45 67", "+46701234567"),
])
def test_phone_numbers_become_e164(typed, expected):
    assert to_e164(typed) == expected


@pytest.mark.parametrize("typed", ["123", "not a number", "+45 1234"])
def test_invalid_phone_number_is_rejected(typed):
    with pytest.raises(ValueError, match="phone number"):
        to_e164(typed)


def test_http_gateway_posts_json_with_token(gateway_server):
    gateway = HTTPSMSGateway(gateway_server.url, "secret-token", timeout=5)

    gateway.send(SMS("+4520123456", "Påmindelse: Pas i morgen kl. 09.00"))

    request = gateway_server.requests[0]
    assert request.body == {"to": "+4520123456", "text": "Påmindelse: Pas i morgen kl. 09.00"}
    assert request.authorization == "Bearer secret-token"
    assert request.content_type == "application/json; charset=utf-8"


def test_http_gateway_error_has_status_not_number(gateway_server):
    gateway = HTTPSMSGateway(gateway_server.url, "wrong-token", timeout=5)

    with pytest.raises(SMSError) as raised:
        gateway.send(SMS("+4520123456", "Hej"))

    host = gateway_server.url.split("/")[2]
    assert str(raised.value) == f"SMS gateway {host} replied HTTP 401"
    assert raised.value.__cause__ is None


def test_http_gateway_unreachable_raises_sms_error():
    gateway = HTTPSMSGateway(f"http://127.0.0.1:{closed_port()}/api/sms", "token", timeout=5)

    with pytest.raises(SMSError, match="request to SMS gateway 127.0.0.1:[0-9]+ failed"):
        gateway.send(SMS("+4520123456", "Hej"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://gateway.example/sms", "gateway"])
def test_http_gateway_rejects_other_schemes(url):
    with pytest.raises(ValueError, match="must be an http or https URL"):
        HTTPSMSGateway(url, "token")


def test_no_gateway_without_url(app):
    assert gateway_from_config({**app.config, "SMS_GATEWAY_URL": ""}) is None
    gateway = gateway_from_config({**app.config, "SMS_GATEWAY_URL": "https://sms.example/send",
                                   "SMS_GATEWAY_TOKEN": "token", "SMS_TIMEOUT": 3})
    assert (gateway.url, gateway.host, gateway.timeout) == (
        "https://sms.example/send", "sms.example", 3)


# The outbox.

def test_retry_delay_doubles():
    policy = RetryPolicy(max_attempts=5, first_delay=timedelta(minutes=5))

    assert [policy.delay(attempt) for attempt in (1, 2, 3, 4)] == [
        timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20),
        timedelta(minutes=40)]


def test_message_is_queued_once(make_unit, make_booking):
    unit = make_unit()
    booking = make_booking(unit, local(2027, 2, 16, 9, 0))
    now = local(2027, 2, 15, 10, 0)

    assert outbox.queue(booking.id, "reminder", "email", now) is True
    assert outbox.queue(booking.id, "reminder", "email", now) is False
    assert outbox.queue(booking.id, "reminder", "sms", now) is True
    db.session.commit()

    assert db.session.execute(
        sa.select(Notification.kind, Notification.channel, Notification.status)
        .order_by(Notification.id)).all() == [
            ("reminder", "email", "pending"), ("reminder", "sms", "pending")]
