"""Staff accounts (admins) and each staff member's own password."""

import logging
import secrets

from flask import abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from admin import accounts
from admin.auth import role_required, start_session, verify_password
from admin.forms import PasswordChangeForm, StaffCreateForm, StaffEditForm
from admin.models import Role, Staff
from admin.views import bp
from admin.views.common import actor_id
from booking.forms import ActionForm
from pastid.errors import reshow_on_csrf_error
from pastid.extensions import db
from pastid.timeutil import now_utc

logger = logging.getLogger(__name__)

STAFF_CHANGES = ("deaktiver", "aktiver", "adgangskode")
ACCOUNT_ERRORS = {
    accounts.InvalidUsername: ("username", "Brugernavnet skal have 2 til 40 tegn: a-z, 0-9, "
                               "punktum, bindestreg eller understreg."),
    accounts.UsernameTaken: ("username", "Brugernavnet er allerede i brug"),
    accounts.LastAdmin: ("role", "Der skal være mindst én aktiv administrator"),
}


def _one_time_password():
    """Return a random password for a new or reset account, shown once on screen."""
    return secrets.token_urlsafe(12)


def _show_password_once(staff, password):
    flash(gettext("Adgangskoden til %(username)s er %(password)s. Den vises kun denne ene "
                  "gang. Giv den til medarbejderen, som bør skifte den ved første login.",
                  username=staff.username, password=password), "warning")


@bp.get("/medarbejdere")
@role_required(Role.ADMIN)
def staff_list():
    return render_template("admin/staff_list.html", staff=accounts.list_staff(), now=now_utc())


@bp.route("/medarbejdere/ny", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.ADMIN)
def staff_new():
    form = StaffCreateForm()
    if form.validate_on_submit() and not g.get("csrf_failed"):
        password = _one_time_password()
        try:
            staff = accounts.create_staff(form.username.data, form.display_name.data,
                                          form.role.data, password, actor_id=actor_id(),
                                          now=now_utc())
        except accounts.AccountError as error:
            db.session.rollback()
            field, message = ACCOUNT_ERRORS[type(error)]
            form[field].errors.append(gettext(message))
        else:
            db.session.commit()
            _show_password_once(staff, password)
            return redirect(url_for("admin.staff_edit", staff_id=staff.id), code=303)
    return render_template("admin/staff_form.html", form=form, staff=None)


@bp.route("/medarbejdere/<int:staff_id>", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.ADMIN)
def staff_edit(staff_id):
    staff = db.get_or_404(Staff, staff_id)
    form = StaffEditForm(obj=staff)
    if form.validate_on_submit() and not g.get("csrf_failed"):
        try:
            accounts.update_staff(staff, form.display_name.data, form.role.data,
                                  actor_id=actor_id(), now=now_utc())
        except accounts.AccountError as error:
            db.session.rollback()
            field, message = ACCOUNT_ERRORS[type(error)]
            form[field].errors.append(gettext(message))
        else:
            db.session.commit()
            flash(gettext("Medarbejderen er gemt."), "success")
            return redirect(url_for("admin.staff_list"), code=303)
    return render_template("admin/staff_form.html", form=form, staff=staff)


@bp.post("/medarbejdere/<int:staff_id>/<change>")
@role_required(Role.ADMIN)
def staff_change(staff_id, change):
    staff = db.get_or_404(Staff, staff_id)
    if change not in STAFF_CHANGES:
        abort(404)
    form = ActionForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.staff_edit", staff_id=staff.id), code=303)
    now = now_utc()
    try:
        if change == "deaktiver":
            accounts.deactivate_staff(staff, actor_id=actor_id(), now=now)
            message = gettext("%(username)s er deaktiveret og logget ud overalt.",
                              username=staff.username)
        elif change == "aktiver":
            accounts.activate_staff(staff, actor_id=actor_id(), now=now)
            message = gettext("%(username)s er aktiveret.", username=staff.username)
        else:
            password = _one_time_password()
            accounts.set_password(staff, password, actor_id=actor_id(), now=now)
            message = None
    except accounts.LastAdmin:
        db.session.rollback()
        flash(gettext("Der skal være mindst én aktiv administrator."), "error")
        return redirect(url_for("admin.staff_edit", staff_id=staff.id), code=303)
    db.session.commit()
    if message:
        flash(message, "success")
    else:
        _show_password_once(staff, password)
    return redirect(url_for("admin.staff_edit", staff_id=staff.id), code=303)


@bp.route("/adgangskode", methods=["GET", "POST"])
@reshow_on_csrf_error
@role_required(Role.FRONTDESK)
def own_password():
    form = PasswordChangeForm()
    if form.validate_on_submit() and not g.get("csrf_failed"):
        staff = current_user._get_current_object()
        if not verify_password(staff.password_hash, form.current.data):
            logger.warning("password change of staff %s rejected: wrong current password",
                           staff.id)
            form.current.errors.append(gettext("Den nuværende adgangskode er forkert"))
        else:
            try:
                accounts.set_password(staff, form.new.data, actor_id=staff.id, now=now_utc())
            except accounts.InvalidPassword:
                db.session.rollback()
                form.new.errors.append(gettext(
                    "Adgangskoden skal have 12 til 256 tegn og må ikke være brugernavnet"))
            else:
                db.session.commit()
                # The new session version ended every session, this one too; start a new one.
                start_session(staff, now_utc())
                flash(gettext("Din adgangskode er skiftet. Du er logget ud på andre enheder."),
                      "success")
                return redirect(url_for("admin.home"), code=303)
    return render_template("admin/own_password.html", form=form)
