"""Danish labels of roles, statuses and purposes, translated through Flask-Babel."""

from flask_babel import lazy_gettext as _l

from admin.models import Role, WalkInStatus
from booking.models import Purpose, Status

ROLE_LABELS = {
    Role.FRONTDESK: _l("Skranke"),
    Role.STAFF: _l("PAS-medarbejder"),
    Role.CHIEF: _l("Leder"),
    Role.ADMIN: _l("Administrator"),
}
STATUS_LABELS = {
    Status.BOOKED: _l("Booket"),
    Status.CHECKED_IN: _l("Ankommet"),
    Status.CALLED: _l("Kaldt op"),
    Status.SERVING: _l("Betjenes"),
    Status.SERVED: _l("Betjent"),
    Status.NO_SHOW: _l("Udeblevet"),
    Status.CANCELLED: _l("Aflyst"),
}
WALK_IN_STATUS_LABELS = {
    WalkInStatus.WAITING: _l("Venter"),
    WalkInStatus.CALLED: _l("Kaldt op"),
    WalkInStatus.SERVING: _l("Betjenes"),
    WalkInStatus.SERVED: _l("Betjent"),
    WalkInStatus.NO_SHOW: _l("Udeblevet"),
}
PURPOSE_LABELS = {
    Purpose.OWN: _l("Eget pas"),
    Purpose.CHILD: _l("Pas til barn under 18 år"),
    Purpose.HOUSEHOLD: _l("Pas til flere i samme husstand"),
}
CHANNEL_LABELS = {"online": _l("Online"), "assisted": _l("Bestilt af personalet")}


def register(app):
    """Make the labels available to templates as role_label(), status_label() and so on."""
    app.add_template_global(lambda role: ROLE_LABELS[Role(role)], "role_label")
    app.add_template_global(lambda status: STATUS_LABELS[Status(status)], "status_label")
    app.add_template_global(lambda status: WALK_IN_STATUS_LABELS[WalkInStatus(status)],
                            "walk_in_status_label")
    app.add_template_global(lambda purpose: PURPOSE_LABELS[Purpose(purpose)], "purpose_label")
    app.add_template_global(lambda channel: CHANNEL_LABELS.get(channel, channel), "channel_label")
