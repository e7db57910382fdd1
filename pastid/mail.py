"""E-mail: building messages with text, HTML and calendar parts, and delivering them.

Two transports deliver a message: `smtp` sends it through an SMTP server, and `outbox`
writes it as an .eml file for development and demonstrations.
"""

import contextlib
import email.policy
import logging
import os
import re
import smtplib
import ssl
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from pastid.timeutil import now_utc

logger = logging.getLogger(__name__)

# Python 3.11.7 folds a long ASCII header by moving the whole value to a continuation
# line, and parsers then read it back with a leading space (CPython gh-124452, fixed in
# later releases). Headers may be up to 998 characters long (RFC 5322), so fold only there.
MESSAGE_POLICY = email.policy.SMTP.clone(max_line_length=998)

TRANSPORTS = ("smtp", "outbox")

# Line breaks end a header, and other control characters corrupt it. Tab is allowed.
_HEADER_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")

# A line break followed by a space or tab continues the previous content line (RFC 5545).
_FOLDED_LINE_BREAK = re.compile(r"\r?\n[ \t]")


class MailError(Exception):
    """Delivery of a message failed. The text gives the reason but no e-mail address."""


@dataclass(frozen=True)
class Attachment:
    """A file attached to a message."""

    filename: str
    content: bytes
    mimetype: str
    # Extra Content-Type parameters, such as {"method": "REQUEST", "charset": "utf-8"}.
    params: dict = field(default_factory=dict)
    # Also add the file as the last part of the multipart/alternative body, where mail
    # clients look for a text/calendar invitation.
    inline_alternative: bool = False


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: Sequence[Attachment] = (),
    reply_to: str | None = None,
) -> EmailMessage:
    """Build a message with a text body, an optional HTML alternative and attachments.

    sender, to and reply_to each take one address, optionally with a display name such
    as "Åse Ørsted <aase@example.dk>". Raises ValueError when a header value contains a
    line break or control character, when an address field does not contain exactly
    one address, or when a calendar attachment's method parameter differs from the
    METHOD in the file.
    """
    message = EmailMessage(policy=MESSAGE_POLICY)
    _set_address(message, "From", sender)
    _set_address(message, "To", to)
    if reply_to is not None:
        _set_address(message, "Reply-To", reply_to)
    _set_text_header(message, "Subject", subject)
    message["Date"] = format_datetime(now_utc())
    # An explicit domain keeps make_msgid from looking up this host's name.
    message["Message-ID"] = make_msgid(domain=message["From"].addresses[0].domain)

    _set_body(message, text, html, attachments)
    for attachment in attachments:
        maintype, subtype = _split_mimetype(attachment.mimetype)
        params = {**_content_type_params(attachment), "name": attachment.filename}
        message.add_attachment(
            attachment.content, maintype, subtype, filename=attachment.filename, params=params
        )
    return message


def send_message(message: EmailMessage, config: Mapping) -> None:
    """Deliver message by the transport that config["MAIL_TRANSPORT"] names.

    Raises MailError when delivery fails, and ValueError when MAIL_TRANSPORT is
    neither "smtp" nor "outbox".
    """
    transport = config["MAIL_TRANSPORT"]
    if transport == "smtp":
        _send_smtp(message, config)
    elif transport == "outbox":
        _write_outbox(message, Path(config["MAIL_OUTBOX_DIR"]))
    else:
        raise ValueError(
            f"MAIL_TRANSPORT must be one of {', '.join(TRANSPORTS)}, not {transport!r}"
        )


def _set_address(message, name, value):
    _reject_control_characters(name, value)
    # The header parser raises ValueError for CR or LF in the value or in a decoded
    # RFC 2047 display name.
    message[name] = value
    addresses = message[name].addresses
    if len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
        raise ValueError(f"{name} header must contain exactly one e-mail address")
    _reject_control_characters(name, addresses[0].display_name)


def _set_text_header(message, name, value):
    _reject_control_characters(name, value)
    message[name] = value
    # Python 3.11 before 3.11.10 decodes an RFC 2047 encoded word such as
    # =?utf-8?q?Hej=0D=0ABcc=3A_x?= to a raw line break and writes it out unchanged
    # (CVE-2024-6923), so the decoded value is checked as well.
    _reject_control_characters(name, str(message[name]))


def _reject_control_characters(name, value):
    if _HEADER_CONTROL_CHARACTERS.search(value):
        raise ValueError(f"{name} header must not contain a line break or control character")


def _set_body(message, text, html, attachments):
    # Quoted-printable keeps the Danish letters 7-bit clean, so no relay has to
    # support 8BITMIME.
    message.set_content(text, cte="quoted-printable")
    if html is not None:
        message.add_alternative(html, subtype="html", cte="quoted-printable")
    for attachment in attachments:
        if attachment.inline_alternative:
            maintype, subtype = _split_mimetype(attachment.mimetype)
            message.add_alternative(
                attachment.content, maintype, subtype, params=_content_type_params(attachment)
            )


def _split_mimetype(mimetype):
    maintype, separator, subtype = mimetype.partition("/")
    if not separator or not maintype or not subtype:
        raise ValueError(f"attachment MIME type must look like 'text/calendar', not {mimetype!r}")
    return maintype, subtype


def _content_type_params(attachment):
    """Return the attachment's Content-Type parameters, with method for a calendar file.

    The text/calendar registration in RFC 5545 requires the method parameter exactly
    when the file has a METHOD property, and then with the same value.
    """
    params = dict(attachment.params)
    if attachment.mimetype.lower() != "text/calendar":
        return params

    calendar_method = _calendar_method(attachment.content)
    given_method = params.pop("method", calendar_method).upper()
    if given_method != calendar_method:
        raise ValueError(
            f"attachment {attachment.filename!r} has method parameter {given_method!r} "
            f"but METHOD {calendar_method!r} in the file"
        )
    if not calendar_method:
        return params
    return {"method": calendar_method, **params}


def _calendar_method(content):
    """Return the METHOD property of an iCalendar file, upper-cased, or "" without one.

    In RFC 5545's grammar (icalbody = calprops component) a calendar's own properties come
    before its components, so the scan reads the unfolded lines only up to the first BEGIN
    after VCALENDAR. It replaces a parse of the whole file with icalendar, which took about
    0.9 ms, twice per booking e-mail, and unlike that parse it does not validate the file.
    """
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    lines = _FOLDED_LINE_BREAK.sub("", text).splitlines()
    if not lines or lines[0].strip().upper() != "BEGIN:VCALENDAR":
        return ""
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.split(";", 1)[0].strip().upper()
        if name == "BEGIN":
            break
        if name == "METHOD":
            return value.strip().upper()
    return ""


def _send_smtp(message, config):
    server = config["MAIL_SERVER"]
    port = config["MAIL_PORT"]
    try:
        with smtplib.SMTP(server, port, timeout=config["MAIL_TIMEOUT"]) as connection:
            if config["MAIL_USE_STARTTLS"]:
                connection.starttls(context=ssl.create_default_context())
            if config["MAIL_USERNAME"]:
                connection.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
            connection.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        # "from None": smtplib puts sender and recipient addresses into some of its
        # exceptions, and a chained traceback would carry them into the log.
        raise MailError(
            f"sending message {message['Message-ID']} through SMTP server {server}:{port} "
            f"failed: {_describe_smtp_error(error)}"
        ) from None
    logger.info("sent message %s through SMTP server %s:%s", message["Message-ID"], server, port)


def _describe_smtp_error(error):
    """Describe error without the addresses that smtplib and servers put into replies."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({str(code) for code, _ in error.recipients.values()})
        return f"SMTPRecipientsRefused, reply code {', '.join(codes)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}, reply code {error.smtp_code}"
    return f"{type(error).__name__}: {error}"


def _write_outbox(message, directory):
    # The time stamp sorts the files by creation, and the random part keeps two
    # messages written in the same microsecond apart.
    name = f"{now_utc():%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:12]}.eml"
    # The temporary name does not end in .eml and os.replace is atomic, so a reader that
    # lists *.eml files never sees a half-written message.
    temporary = directory / f".{name}.tmp"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(message.as_bytes())
        os.replace(temporary, directory / name)
    except OSError as error:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        raise MailError(
            f"writing message {message['Message-ID']} to outbox {directory} failed: {error}"
        ) from error
    logger.info("wrote message %s to outbox file %s", message["Message-ID"], name)
