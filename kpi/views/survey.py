"""The post-visit survey behind the one-time link in the invitation e-mail.

There is no login, because the link's token is the key. The link opens the form until
it is answered or has expired. After that the same address shows a thank-you or
expiry page.
"""

import logging

from flask import abort, current_app, g, redirect, render_template, session, url_for

from booking.models import Booking, Channel
from booking.queries import hash_token
from kpi import services
from kpi.forms import SurveyForm
from kpi.models import COMMENT_MAX_LENGTH
from kpi.views import bp
from kpi.views.common import tz
from pastid.errors import reshow_on_csrf_error
from pastid.extensions import db, limiter
from pastid.timeutil import now_utc

logger = logging.getLogger(__name__)


def _survey_limit():
    return current_app.config["RATELIMIT_SURVEY"]


def _valid_days():
    return current_app.config["SURVEY_VALID_DAYS"]


def _load_booking(token):
    booking = db.session.scalar(
        db.select(Booking).where(Booking.survey_token_hash == hash_token(token)))
    if booking is None:
        logger.warning("unknown survey link opened")
        abort(404)
    return booking


@bp.route("/undersoegelse/<token>", methods=["GET", "POST"])
@reshow_on_csrf_error
@limiter.limit(_survey_limit)
def survey(token):
    booking = _load_booking(token)
    # The survey speaks the language the booking was made in, until the citizen
    # chooses another one with the language switch.
    session.setdefault("lang", booking.language)

    state = services.survey_link_state(booking, now=now_utc(), valid_days=_valid_days())
    if state == "answered":
        return render_template("kpi/survey_thanks.html")
    if state == "expired":
        return render_template("kpi/survey_expired.html", valid_days=_valid_days()), 410

    form = SurveyForm(ask_booking=booking.channel == Channel.ONLINE)
    if form.validate_on_submit() and not g.get("csrf_failed"):
        try:
            services.record_survey_answer(booking, form.scores(), form.comment.data,
                                          now=now_utc(), tz=tz(), valid_days=_valid_days())
        except services.SurveyClosed:
            db.session.rollback()
        else:
            db.session.commit()
        return redirect(url_for("kpi.survey", token=token), code=303)
    return render_template("kpi/survey.html", form=form, token=token,
                           comment_max=COMMENT_MAX_LENGTH)
