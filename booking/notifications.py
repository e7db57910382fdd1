"""E-mails to citizens about their booking, each with the calendar file attached.

Mail is sent after the booking is committed. A failed send is logged with the booking
id and does not undo the booking: the receipt page shows everything the mail holds.
"""

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app, url_for
from flask_babel import force_locale, gettext

from booking.calendar import CalendarEvent, build_calendar
from booking.codes import format_code
from pastid.extensions import db
from pastid.mail import Attachment, MailError
from pastid.notifications.messages import render_email, send_email
from pastid.timeutil import format_local, now_utc, zone

logger = logging.getLogger(__name__)


def manage_url(token):
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for("booking.manage", token=token)


def book_again_url():
    return current_app.config["PUBLIC_URL"].rstrip("/") + url_for("booking.start")


def _calendar_event(booking, token):
    config = current_app.config
    with force_locale(booking.language):
        summary = gettext("Pas – fast track, %(unit)s", unit=booking.unit.name)
        description = gettext(
            "Bookingkode: %(code)s. Mød op til tiden og gå direkte til %(unit)s. "
            "Alle, der skal have pas, skal møde op.", code=format_code(booking.code),
            unit=booking.unit.name)
    if token:
        description += "\n" + manage_url(token)
    location = f"{config['CENTRE_NAME']}, {config['CENTRE_ADDRESS']}"
    if booking.unit.location:
        location = f"{booking.unit.location}, {config['CENTRE_ADDRESS']}"
    public_host = config["PUBLIC_URL"].split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    sender_name, sender_email = parseaddr(config["MAIL_SENDER"])
    return CalendarEvent(
        uid=f"booking-{booking.id}@{public_host}", sequence=booking.sequence,
        start=booking.start_at, end=booking.end_at, summary=summary, location=location,
        description=description, url=manage_url(token) if token else None,
        organizer_email=sender_email or None, organizer_name=sender_name or None)


def calendar_bytes(booking, token, method):
    return build_calendar(_calendar_event(booking, token), method, now_utc(),
                          current_app.config["TIMEZONE"])


def _when(booking):
    return format_local(booking.start_at, zone(current_app.config["TIMEZONE"]), booking.language)


def _end_read_transaction():
    """End the transaction that loading the booking for the message opened.

    send_confirmation and send_cancellation run after the caller's commit, and reading
    the booking again starts a new transaction. On SQLite that transaction holds the
    write lock for the rest of a POST request, which would keep every other booking
    waiting while the SMTP server answers. Nothing may be pending, so committing only
    ends the read.
    """
    session = db.session()
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("booking e-mails are sent after the commit, not before it")
    session.commit()


@dataclass(frozen=True)
class BookingMail:
    """A built e-mail about one booking, ready to send once the booking is committed."""

    booking_id: int
    kind: str
    message: EmailMessage


def _build(booking, subject, kind, method, token, **context):
    """Return the BookingMail, or None when the booking has no e-mail or it cannot be built."""
    if not booking.email:
        return None
    context.update(booking=booking, when=_when(booking), code=format_code(booking.code),
                   manage_url=manage_url(token) if token else None,
                   book_again_url=book_again_url())
    attachment = Attachment(
        filename=f"pastid-{booking.code}.ics", content=calendar_bytes(booking, token, method),
        mimetype="text/calendar", params={"method": method, "charset": "utf-8"})
    try:
        message = render_email(kind, language=booking.language, to=booking.email,
                               subject=subject, context=context, attachments=[attachment])
    except ValueError:
        logger.exception("e-mail %s for booking %s could not be built", kind, booking.id)
        return None
    return BookingMail(booking.id, kind, message)


def send(mail):
    """Send a built mail; a failure is logged with the booking id, not raised."""
    if mail is None:
        return
    try:
        send_email(mail.message)
    except MailError:
        logger.exception("e-mail %s for booking %s failed", mail.kind, mail.booking_id)
        return
    logger.info("e-mail %s for booking %s sent", mail.kind, mail.booking_id)


def confirmation_mail(booking, token, rescheduled=False):
    """Build the confirmation (or, after a reschedule, the update) with the calendar file."""
    with force_locale(booking.language):
        if rescheduled:
            subject = gettext("Din tid til pas er flyttet: %(when)s", when=_when(booking))
        else:
            subject = gettext("Bekræftelse af din tid til pas: %(when)s", when=_when(booking))
    return _build(booking, subject, "confirmation", "PUBLISH", token, rescheduled=rescheduled)


def cancellation_mail(booking):
    """Build the cancellation with a calendar file that removes the event."""
    with force_locale(booking.language):
        subject = gettext("Din tid til pas er aflyst: %(when)s", when=_when(booking))
    return _build(booking, subject, "cancellation", "CANCEL", None)


def send_confirmation(booking, token, rescheduled=False):
    """Build and send the confirmation after the caller has committed the booking."""
    mail = confirmation_mail(booking, token, rescheduled)
    _end_read_transaction()
    send(mail)


def send_cancellation(booking):
    """Build and send the cancellation after the caller has committed it."""
    mail = cancellation_mail(booking)
    _end_read_transaction()
    send(mail)
