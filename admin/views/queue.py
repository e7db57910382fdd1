"""The PAS unit page: the unit's queue, calling the next citizen and recording service."""

import hashlib
import logging

from flask import abort, flash, jsonify, redirect, render_template, session, url_for
from flask_babel import gettext

from admin import queries, services
from admin.auth import role_required
from admin.models import Role
from admin.views import bp
from admin.views.common import actor_id, today, tz
from booking import queries as booking_queries
from booking.forms import ActionForm
from booking.models import Unit
from pastid.extensions import db
from pastid.timeutil import now_utc

logger = logging.getLogger(__name__)

UNIT_KEY = "staff_unit_id"
ACTIONS = ("call", "start", "serve", "no_show", "requeue")


def _unit_or_404(unit_id):
    unit = db.get_or_404(Unit, unit_id)
    if not unit.is_active:
        abort(404)
    return unit


@bp.get("/pas")
@role_required(Role.STAFF)
def queue_choose():
    units = booking_queries.list_units()
    return render_template("admin/queue_choose.html", units=units,
                           chosen_id=session.get(UNIT_KEY))


def _signature(queue):
    """Return a short fingerprint of the queue, so the page reloads only on a change."""
    parts = [f"{entry.kind}:{entry.id}:{entry.item.status}"
             for entry in queue.in_progress + queue.waiting]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


@bp.get("/pas/<int:unit_id>")
@role_required(Role.STAFF)
def queue(unit_id):
    unit = _unit_or_404(unit_id)
    session[UNIT_KEY] = unit.id
    unit_queue = queries.get_unit_queue(unit.id, today(), tz())
    return render_template("admin/queue.html", unit=unit, queue=unit_queue,
                           signature=_signature(unit_queue), now=now_utc())


@bp.get("/pas/<int:unit_id>/data.json")
@role_required(Role.STAFF)
def queue_data(unit_id):
    unit = _unit_or_404(unit_id)
    unit_queue = queries.get_unit_queue(unit.id, today(), tz())
    response = jsonify(signature=_signature(unit_queue), waiting=len(unit_queue.waiting))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/pas/<int:unit_id>/<kind>/<int:item_id>/<action>")
@role_required(Role.STAFF)
def queue_action(unit_id, kind, item_id, action):
    unit = _unit_or_404(unit_id)
    if kind not in services.KINDS or action not in ACTIONS:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.queue", unit_id=unit.id), code=303)

    try:
        item = services.move(kind, item_id, action, unit_id=unit.id, now=now_utc(),
                             actor_id=actor_id())
    except services.UnitBusy:
        db.session.rollback()
        flash(gettext("Enheden har allerede kaldt en borger op. Registrér den borger som "
                      "betjent eller udeblevet, eller sæt borgeren tilbage i køen, før du "
                      "kalder den næste."), "error")
    except services.NotInExpectedState:
        db.session.rollback()
        flash(gettext("Borgeren er allerede flyttet videre, måske af en kollega. Listen er "
                      "opdateret."), "info")
    else:
        db.session.commit()
        label = item.code if kind == "booking" else item.ticket
        flash(_action_message(action, label), "success")
    return redirect(url_for("admin.queue", unit_id=unit.id), code=303)


def _action_message(action, label):
    messages = {
        "call": gettext("%(label)s er kaldt op og vises på skærmen.", label=label),
        "start": gettext("Betjening af %(label)s er startet.", label=label),
        "serve": gettext("%(label)s er registreret som betjent.", label=label),
        "no_show": gettext("%(label)s er registreret som udeblevet.", label=label),
        "requeue": gettext("%(label)s er sat tilbage i køen.", label=label),
    }
    return messages[action]
