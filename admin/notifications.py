"""E-mail to citizens whose booking the centre cancelled because of a closure.

Sent after the commit, in the citizen's language, with an apology, a link to book a
new time and a calendar file that removes the old time. A failed send is logged with
the booking id, and the booking stays cancelled.
"""

import logging

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from booking.codes import format_code
from booking.notifications import book_again_url, calendar_bytes
from pastid.mail import Attachment, MailError, build_message, send_message
from pastid.timeutil import format_local, zone

logger = logging.getLogger(__name__)

TEMPLATE = "closure_cancellation"


def send_closure_cancellation(booking):
    """Mail the apology for a booking cancelled by the centre; return whether it was sent."""
    if not booking.email:
        logger.info("booking %s cancelled by the centre has no e-mail address", booking.id)
        return False
    config = current_app.config
    when = format_local(booking.start_at, zone(config["TIMEZONE"]), booking.language)
    with force_locale(booking.language):
        subject = gettext("Vi har desværre måttet aflyse din tid til pas: %(when)s", when=when)
        context = {"booking": booking, "when": when, "code": format_code(booking.code),
                   "book_again_url": book_again_url()}
        text = render_template(f"mail/{TEMPLATE}.txt", **context)
        html = render_template(f"mail/{TEMPLATE}.html", **context)
    attachment = Attachment(
        filename=f"pastid-{booking.code}.ics", content=calendar_bytes(booking, None, "CANCEL"),
        mimetype="text/calendar", params={"method": "CANCEL", "charset": "utf-8"})
    try:
        message = build_message(sender=config["MAIL_SENDER"], to=booking.email, subject=subject,
                                text=text, html=html, attachments=[attachment])
        send_message(message, config)
    except (MailError, ValueError):
        logger.exception("e-mail %s for booking %s failed", TEMPLATE, booking.id)
        return False
    logger.info("e-mail %s for booking %s sent", TEMPLATE, booking.id)
    return True
