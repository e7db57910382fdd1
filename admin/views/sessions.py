"""Login, logout and the staff start page."""

import logging
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user

from admin import accounts
from admin.auth import end_session, role_required, start_session
from admin.forms import LoginForm
from admin.models import Role
from admin.views import bp
from booking.forms import ActionForm
from pastid.errors import reshow_on_csrf_error
from pastid.extensions import db, limiter
from pastid.timeutil import now_utc

logger = logging.getLogger(__name__)


def _login_limit():
    return current_app.config["RATELIMIT_LOGIN"]


def _safe_next(target):
    """Return target if it is a path on this site, else the staff start page."""
    parts = urlsplit(target or "")
    if (parts.scheme or parts.netloc or not parts.path.startswith("/")
            or target.startswith("//") or "\\" in target):
        return url_for("admin.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
@reshow_on_csrf_error
@limiter.limit(_login_limit, methods=["POST"])
def login():
    next_url = _safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url)

    form = LoginForm()
    failed = False
    if form.validate_on_submit() and not g.get("csrf_failed"):
        try:
            staff = accounts.authenticate(form.username.data, form.password.data,
                                          now=now_utc(), config=current_app.config)
        except accounts.LoginFailed:
            # The failure count has changed and must be kept.
            db.session.commit()
            failed = True
        else:
            db.session.commit()
            start_session(staff, now_utc())
            return redirect(next_url, code=303)
    form.password.data = None
    return render_template("admin/login.html", form=form, failed=failed, next_url=next_url)


@bp.post("/logout")
@role_required(Role.FRONTDESK)
def logout():
    form = ActionForm()
    if form.validate_on_submit():
        logger.info("staff %s logged out", current_user.id)
        end_session()
        flash(gettext("Du er logget ud."), "success")
    return redirect(url_for("admin.login"), code=303)


@bp.get("/")
@role_required(Role.FRONTDESK)
def home():
    return render_template("admin/home.html")
