"""Building e-mails and SMS texts from templates in the citizen's language.

An e-mail is rendered from templates/mail/<name>.txt and .html, an SMS from
templates/mail/<name>.sms.txt, each under the citizen's locale. Headers go through
pastid.mail.build_message, which raises ValueError for a line break or control character
in a header, so a name or subject cannot add headers.
"""

from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from pastid.mail import build_message, send_message


def public_url(endpoint, **values):
    """Return the absolute URL of endpoint under PUBLIC_URL, with or without a request.

    Jobs run outside any request, where flask.url_for cannot build URLs without
    SERVER_NAME, so the URL map is bound to PUBLIC_URL directly.
    """
    base = urlsplit(current_app.config["PUBLIC_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/",
                                       url_scheme=base.scheme)
    return adapter.build(endpoint, values, force_external=True)


def render_email(template, *, language, to, subject, context, attachments=()):
    """Build an e-mail to one address from the text and HTML templates of this name.

    Raises ValueError when to or subject contains a line break or control character,
    or when to is not exactly one e-mail address.
    """
    with force_locale(language):
        text = render_template(f"mail/{template}.txt", **context)
        html = render_template(f"mail/{template}.html", **context)
    return build_message(sender=current_app.config["MAIL_SENDER"], to=to, subject=subject,
                         text=text, html=html, attachments=attachments)


def render_sms(template, *, language, context):
    """Return the text of an SMS from its template, on one line without outer blanks."""
    with force_locale(language):
        text = render_template(f"mail/{template}.sms.txt", **context)
    return " ".join(text.split())


def send_email(message):
    """Deliver message by MAIL_TRANSPORT; raises pastid.mail.MailError when that fails."""
    send_message(message, current_app.config)
