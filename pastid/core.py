"""Site-wide pages: health check, language choice, privacy notice, accessibility statement."""

import logging
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for

from pastid import LANGUAGES
from pastid.extensions import db

logger = logging.getLogger(__name__)

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError:
        logger.exception("health check: database did not answer")
        db.session.rollback()
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok")


def safe_next(target):
    """Return target if it is a path on this site, else the start page."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or "\\" in target:
        return url_for("booking.start")
    return target


@bp.post("/sprog")
def set_language():
    language = request.form.get("lang", "")
    if language in LANGUAGES:
        session["lang"] = language
    return redirect(safe_next(request.form.get("next")), code=303)


@bp.get("/privatliv")
def privacy():
    return render_template("pages/privacy.html")


@bp.get("/tilgaengelighed")
def accessibility():
    return render_template("pages/accessibility.html")
