"""The staff pages under /personale, one blueprint split into modules by area.

Every view except login carries role_required; a test walks the URL map to keep it so.
"""

from flask import Blueprint, current_app
from flask_babel import lazy_gettext as _l

from admin.models import Role

bp = Blueprint("admin", __name__, url_prefix="/personale")

ROLE_LABELS = {
    Role.FRONTDESK: _l("Skranke"),
    Role.STAFF: _l("PAS-medarbejder"),
    Role.CHIEF: _l("Leder"),
    Role.ADMIN: _l("Administrator"),
}


@bp.app_template_global()
def role_label(role):
    return ROLE_LABELS[Role(role)]


@bp.app_template_global()
def has_endpoint(endpoint):
    """Whether the application has a view for endpoint, e.g. a menu entry's target."""
    return endpoint in current_app.view_functions


# The modules attach their routes to bp when imported.
from admin.views import sessions  # noqa: E402,F401
