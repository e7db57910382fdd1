"""Building e-mails and delivering them through a real local SMTP server and the outbox."""

import email
import email.policy
import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest
from smtp_server import SMTPTestServer

from booking.calendar import CalendarEvent, build_calendar
from pastid import timeutil
from pastid.mail import Attachment, MailError, build_message, send_message

NOW = datetime(2027, 3, 1, 12, 30, tzinfo=UTC)
SENDER = "Borgerservice Høje-Taastrup <noreply@pastid.invalid>"
RECIPIENT = "Åse Ørsted <aase@example.invalid>"
SUBJECT = "Din tid er bekræftet – mandag den 29. marts kl. 09.00"
TEXT = "Kære Åse\n\nDin tid til pas er bekræftet.\nVenlig hilsen Borgerservice\n"
HTML = "<p>Kære Åse</p>\n<p>Din tid til pas er bekræftet.</p>\n"
# A message on the wire and in an .eml file has CRLF line endings, and the parser keeps
# them in decoded text parts.
TEXT_CRLF = "Kære Åse\r\n\r\nDin tid til pas er bekræftet.\r\nVenlig hilsen Borgerservice\r\n"
HTML_CRLF = "<p>Kære Åse</p>\r\n<p>Din tid til pas er bekræftet.</p>\r\n"


@pytest.fixture(autouse=True)
def frozen_clock():
    timeutil.set_clock(lambda: NOW)
    yield
    timeutil.set_clock(None)


@pytest.fixture
def smtp_server():
    server = SMTPTestServer()
    server.start()
    yield server
    server.stop()


def smtp_config(port, **overrides):
    return {
        "MAIL_TRANSPORT": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": port,
        "MAIL_TIMEOUT": 5,
        "MAIL_USE_STARTTLS": False,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        **overrides,
    }


def make_calendar(method="REQUEST"):
    start = datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    event = CalendarEvent(
        uid="booking-42@pastid",
        sequence=0,
        start=start,
        end=start + timedelta(minutes=15),
        summary="Pas – fast track, PAS 1",
        location="Borgerservice, Bygaden 2, 2630 Taastrup",
        description="Husk dit gamle pas.",
    )
    return build_calendar(event, method, NOW)


def make_message(**overrides):
    arguments = {"sender": SENDER, "to": RECIPIENT, "subject": SUBJECT, "text": TEXT, "html": HTML}
    return build_message(**{**arguments, **overrides})


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_smtp_delivers_headers(smtp_server):
    send_message(make_message(), smtp_config(smtp_server.port))

    smtp_server.wait_for(1)
    received = smtp_server.messages[0]
    assert received["From"].addresses[0].display_name == "Borgerservice Høje-Taastrup"
    assert received["From"].addresses[0].addr_spec == "noreply@pastid.invalid"
    assert received["To"].addresses[0].display_name == "Åse Ørsted"
    assert received["To"].addresses[0].addr_spec == "aase@example.invalid"
    assert received["Subject"] == SUBJECT
    assert received["Date"] == "Mon, 01 Mar 2027 12:30:00 +0000"
    assert received["Message-ID"].endswith("@pastid.invalid>")
    assert received["Reply-To"] is None


def test_smtp_envelope_addresses(smtp_server):
    send_message(make_message(), smtp_config(smtp_server.port))

    smtp_server.wait_for(1)
    envelope = smtp_server.envelopes[0]
    assert envelope.mail_from == "noreply@pastid.invalid"
    assert envelope.rcpt_tos == ("aase@example.invalid",)
    assert envelope.login is None


def test_smtp_delivers_text_and_html(smtp_server):
    send_message(make_message(), smtp_config(smtp_server.port))

    smtp_server.wait_for(1)
    received = smtp_server.messages[0]
    assert received.get_content_type() == "multipart/alternative"
    assert received.get_body(("plain",)).get_content() == TEXT_CRLF
    assert received.get_body(("html",)).get_content() == HTML_CRLF


def test_smtp_text_only_message(smtp_server):
    send_message(make_message(html=None), smtp_config(smtp_server.port))

    smtp_server.wait_for(1)
    received = smtp_server.messages[0]
    assert received.get_content_type() == "text/plain"
    assert received.get_content() == TEXT_CRLF


def test_smtp_calendar_attachment(smtp_server):
    calendar = make_calendar("REQUEST")
    attachment = Attachment("tid.ics", calendar, "text/calendar", {"method": "REQUEST",
                                                                    "charset": "utf-8"})

    send_message(make_message(attachments=[attachment]), smtp_config(smtp_server.port))

    smtp_server.wait_for(1)
    received = smtp_server.messages[0]
    assert received.get_content_type() == "multipart/mixed"
    parts = list(received.iter_attachments())
    assert len(parts) == 1
    part = parts[0]
    assert part.get_content_type() == "text/calendar"
    assert part.get_param("method") == "REQUEST"
    assert part.get_param("charset") == "utf-8"
    assert part.get_param("name") == "tid.ics"
    assert part.get_filename() == "tid.ics"
    assert part.get_payload(decode=True) == calendar
    assert received.get_body(("plain",)).get_content() == TEXT_CRLF


def test_calendar_method_taken_from_file(smtp_server):
    calendar = make_calendar("CANCEL")
    attachment = Attachment("tid.ics", calendar, "text/calendar", {"charset": "utf-8"})

    send_message(make_message(attachments=[attachment]), smtp_config(smtp_server.port))

    smtp_server.wait_for(1)
    part = next(smtp_server.messages[0].iter_attachments())
    assert part.get_param("method") == "CANCEL"
    assert part.get_payload(decode=True) == calendar


def test_calendar_inline_alternative(smtp_server):
    calendar = make_calendar("REQUEST")
    attachment = Attachment("tid.ics", calendar, "text/calendar", {"charset": "utf-8"},
                            inline_alternative=True)

    send_message(make_message(attachments=[attachment]), smtp_config(smtp_server.port))

    smtp_server.wait_for(1)
    received = smtp_server.messages[0]
    alternative = received.get_payload()[0]
    assert alternative.get_content_type() == "multipart/alternative"
    types = [part.get_content_type() for part in alternative.iter_parts()]
    assert types == ["text/plain", "text/html", "text/calendar"]
    inline = list(alternative.iter_parts())[2]
    assert inline.get_param("method") == "REQUEST"
    assert inline.get_content_disposition() is None
    assert inline.get_payload(decode=True) == calendar
    attached = list(received.iter_attachments())
    assert len(attached) == 1
    assert attached[0].get_payload(decode=True) == calendar


def test_calendar_method_mismatch_rejected():
    attachment = Attachment("tid.ics", make_calendar("CANCEL"), "text/calendar",
                            {"method": "REQUEST"})

    with pytest.raises(ValueError, match="'REQUEST' but METHOD 'CANCEL'"):
        make_message(attachments=[attachment])


def test_other_attachment_kept_as_given(smtp_server):
    attachment = Attachment("kvittering.pdf", b"%PDF-1.4\n\x00\xff binary", "application/pdf")

    send_message(make_message(attachments=[attachment]), smtp_config(smtp_server.port))

    smtp_server.wait_for(1)
    part = next(smtp_server.messages[0].iter_attachments())
    assert part.get_content_type() == "application/pdf"
    assert part.get_filename() == "kvittering.pdf"
    assert part.get_param("method") is None
    assert part.get_payload(decode=True) == b"%PDF-1.4\n\x00\xff binary"


def test_reply_to_header():
    message = make_message(reply_to="Borgerservice <borgerservice@example.invalid>")

    assert message["Reply-To"].addresses[0].addr_spec == "borgerservice@example.invalid"


def test_danish_headers_encoded_rfc2047():
    raw = make_message(attachments=[Attachment("tid.ics", make_calendar(), "text/calendar")])

    data = raw.as_bytes()

    assert data.isascii()
    assert b"\r\nTo: =?utf-8?q?=C3=85se_=C3=98rsted?= <aase@example.invalid>\r\n" in data
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    assert parsed["Subject"] == SUBJECT
    assert parsed["To"].addresses[0].display_name == "Åse Ørsted"


@pytest.mark.parametrize("overrides", [
    # CR LF in the subject would start a Bcc header.
    {"subject": "Hej\r\nBcc: x@example.invalid"},
    # LF alone after the address would start a Bcc header as well.
    {"to": "a@example.invalid\nBcc: x@example.invalid"},
    # A line break in the display name.
    {"to": "Åse\nBcc: x@example.invalid <a@example.invalid>"},
    {"sender": "Borgerservice\r\nBcc: x@example.invalid <noreply@pastid.invalid>"},
    {"reply_to": "a@example.invalid\r\nBcc: x@example.invalid"},
    # An RFC 2047 encoded word that decodes to CR LF.
    {"subject": "=?utf-8?q?Hej=0D=0ABcc=3A_x=40example=2Einvalid?="},
    {"to": "=?utf-8?q?=C3=85se=0ABcc=3A_x=40example=2Einvalid?= <a@example.invalid>"},
    # Other control characters.
    {"subject": "Hej\x00 med dig"},
    {"subject": "Hej\u2028Bcc: x@example.invalid"},
])
def test_header_injection_rejected(overrides, smtp_server):
    with pytest.raises(ValueError):
        message = make_message(**overrides)
        send_message(message, smtp_config(smtp_server.port))

    send_message(make_message(), smtp_config(smtp_server.port))
    smtp_server.wait_for(1)
    assert len(smtp_server.messages) == 1
    assert smtp_server.envelopes[0].rcpt_tos == ("aase@example.invalid",)
    assert smtp_server.messages[0]["Bcc"] is None


@pytest.mark.parametrize("to", [
    "a@example.invalid, b@example.invalid",
    "ikke en adresse",
    "",
])
def test_to_must_be_one_address(to):
    with pytest.raises(ValueError, match="exactly one e-mail address"):
        make_message(to=to)


def test_subject_with_tab_allowed():
    assert make_message(subject="Pas\tfast track")["Subject"] == "Pas\tfast track"


def test_smtp_login():
    server = SMTPTestServer(credentials=("pastid", "hemmeligt-kodeord"))
    server.start()
    try:
        config = smtp_config(server.port, MAIL_USERNAME="pastid",
                             MAIL_PASSWORD="hemmeligt-kodeord")
        send_message(make_message(), config)
        server.wait_for(1)
    finally:
        server.stop()

    assert server.envelopes[0].login == "pastid"
    assert server.messages[0]["Subject"] == SUBJECT


def test_smtp_wrong_password():
    server = SMTPTestServer(credentials=("pastid", "hemmeligt-kodeord"))
    server.start()
    try:
        config = smtp_config(server.port, MAIL_USERNAME="pastid", MAIL_PASSWORD="forkert")
        with pytest.raises(MailError, match="SMTPAuthenticationError, reply code 535"):
            send_message(make_message(), config)
    finally:
        server.stop()

    assert server.messages == []


# TODO: test a successful STARTTLS upgrade. The test server needs a self-signed
# certificate for that, and the cryptography package that would make one is not
# installed.
def test_starttls_not_offered_fails(smtp_server):
    config = smtp_config(smtp_server.port, MAIL_USE_STARTTLS=True)

    with pytest.raises(MailError, match="SMTPNotSupportedError"):
        send_message(make_message(), config)

    assert smtp_server.messages == []


def test_closed_port_raises_mail_error():
    port = closed_port()

    with pytest.raises(MailError, match="ConnectionRefusedError") as raised:
        send_message(make_message(), smtp_config(port))

    assert f"127.0.0.1:{port}" in str(raised.value)
    assert "aase@example.invalid" not in str(raised.value)
    assert raised.value.__cause__ is None


def test_refused_recipient_error_has_no_address():
    server = SMTPTestServer(refused_recipients={"aase@example.invalid"})
    server.start()
    try:
        with pytest.raises(MailError, match="SMTPRecipientsRefused, reply code 550") as raised:
            send_message(make_message(), smtp_config(server.port))
    finally:
        server.stop()

    assert "aase@example.invalid" not in str(raised.value)
    assert raised.value.__cause__ is None
    assert raised.value.__suppress_context__ is True
    assert server.messages == []


def test_smtp_log_line_has_no_address(smtp_server, caplog):
    message = make_message()

    with caplog.at_level(logging.INFO, logger="pastid.mail"):
        send_message(message, smtp_config(smtp_server.port))

    assert [record.getMessage() for record in caplog.records] == [
        f"sent message {message['Message-ID']} through SMTP server "
        f"127.0.0.1:{smtp_server.port}"
    ]


def test_outbox_writes_eml(tmp_path, caplog):
    outbox = tmp_path / "instance" / "outbox"
    calendar = make_calendar()
    message = make_message(attachments=[Attachment("tid.ics", calendar, "text/calendar")])

    with caplog.at_level(logging.INFO, logger="pastid.mail"):
        send_message(message, {"MAIL_TRANSPORT": "outbox", "MAIL_OUTBOX_DIR": str(outbox)})

    files = sorted(outbox.iterdir())
    assert len(files) == 1
    assert files[0].name.startswith("20270301T123000000000Z-")
    assert files[0].suffix == ".eml"
    parsed = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == SUBJECT
    assert parsed["To"].addresses[0].addr_spec == "aase@example.invalid"
    assert parsed["Message-ID"] == message["Message-ID"]
    assert parsed.get_body(("plain",)).get_content() == TEXT_CRLF
    assert next(parsed.iter_attachments()).get_payload(decode=True) == calendar
    log_lines = [record.getMessage() for record in caplog.records]
    assert log_lines == [f"wrote message {message['Message-ID']} to outbox file {files[0].name}"]
    assert "aase" not in log_lines[0]


def test_outbox_names_unique(tmp_path):
    config = {"MAIL_TRANSPORT": "outbox", "MAIL_OUTBOX_DIR": str(tmp_path)}

    for _ in range(3):
        send_message(make_message(), config)

    names = [path.name for path in tmp_path.iterdir()]
    assert len(names) == 3
    assert all(name.endswith(".eml") for name in names)


def test_outbox_failure_raises_mail_error(tmp_path):
    blocker = tmp_path / "outbox"
    blocker.write_text("a file where the folder should be")
    config = {"MAIL_TRANSPORT": "outbox", "MAIL_OUTBOX_DIR": str(blocker)}

    with pytest.raises(MailError, match="to outbox"):
        send_message(make_message(), config)


def test_unknown_transport_rejected():
    with pytest.raises(ValueError, match="MAIL_TRANSPORT must be one of smtp, outbox, not 'sms'"):
        send_message(make_message(), {"MAIL_TRANSPORT": "sms"})
