"""The staff pages under /personale, one blueprint split into modules by area.

Every view except login carries role_required; a test walks the URL map to keep it so.
"""

from flask import Blueprint, current_app

bp = Blueprint("admin", __name__, url_prefix="/personale")


@bp.app_template_global()
def has_endpoint(endpoint):
    """Return whether the application has a view for endpoint, e.g. a menu entry's target."""
    return endpoint in current_app.view_functions


# The modules attach their routes to bp when imported.
from admin.views import (  # noqa: E402,F401
    audit_log, bookings, frontdesk, queue, sessions, setup, staff,
)
