"""Error pages in the citizen's language, and the expired-form handling for CSRF failures."""

import logging
import re

from flask import g, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

logger = logging.getLogger(__name__)

# Paths whose last part is a secret: the manage link and the survey link.
SECRET_PATH = re.compile(r"^/(min-tid|undersoegelse)/[^/]+")


def redact_path(path):
    """Return the path with a manage or survey token replaced by '<token>'."""
    return SECRET_PATH.sub(r"/\1/<token>", path)

# Views that can show their form again after an expired CSRF token, keyed by endpoint.
_RESHOWABLE = set()


def reshow_on_csrf_error(view):
    """Mark a form view so that an expired or missing CSRF token shows its form again.

    The view runs with g.csrf_failed set; its FlaskForm fails validation on the token,
    so it re-renders what the citizen typed with a fresh token and a message, and acts
    on nothing.
    """
    _RESHOWABLE.add(view)
    return view


def _wants_json():
    return request.path.startswith("/api/")


def _error_page(status, title, message):
    if _wants_json():
        # The JSON API speaks English to programs, as its validation errors do.
        return jsonify(error=HTTP_STATUS_CODES.get(status, "Error")), status
    return render_template("errors/error.html", status=status, title=title,
                           message=message), status


def register(app):
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        view = app.view_functions.get(request.endpoint)
        if view in _RESHOWABLE:
            g.csrf_failed = True
            logger.warning("expired form token on %s; form shown again", request.endpoint)
            try:
                return view(**(request.view_args or {}))
            except HTTPException as refusal:  # e.g. the 404 of an unknown manage link
                return app.handle_user_exception(refusal)
        logger.warning("rejected form without a valid token on %s", request.endpoint)
        return _error_page(400, gettext("Siden er udløbet"), gettext(
            "Formularen var for gammel eller manglede sit sikkerhedsfelt. "
            "Gå tilbage, genindlæs siden og prøv igen."))

    @app.errorhandler(400)
    def bad_request(error):
        return _error_page(400, gettext("Ugyldig forespørgsel"), gettext(
            "Forespørgslen kunne ikke forstås. Gå tilbage og prøv igen."))

    @app.errorhandler(403)
    def forbidden(error):
        return _error_page(403, gettext("Ingen adgang"), gettext(
            "Din konto har ikke adgang til denne side. Spørg en administrator, hvis du skal "
            "bruge den."))

    @app.errorhandler(404)
    def not_found(error):
        return _error_page(404, gettext("Siden findes ikke"), gettext(
            "Vi kan ikke finde den side, du leder efter. Tjek adressen, eller gå til forsiden."))

    @app.errorhandler(405)
    def method_not_allowed(error):
        return _error_page(405, gettext("Handlingen er ikke tilladt"), gettext(
            "Siden kan ikke bruges på den måde. Gå til forsiden og prøv igen."))

    @app.errorhandler(429)
    def too_many_requests(error):
        return _error_page(429, gettext("For mange forsøg"), gettext(
            "Du har sendt for mange forespørgsler på kort tid. Vent et øjeblik, og prøv igen."))

    @app.errorhandler(500)
    def server_error(error):
        return _error_page(500, gettext("Der opstod en fejl"), gettext(
            "Der opstod en fejl hos os. Prøv igen om lidt. Ring til os, hvis fejlen bliver ved."))
