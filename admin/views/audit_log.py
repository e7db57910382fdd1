"""The audit log for chiefs and admins, filtered by day, staff member and booking."""

from flask import render_template, request

from admin import audit, queries
from admin.auth import role_required
from admin.forms import AuditFilterForm
from admin.models import Role
from admin.views import bp
from admin.views.common import tz
from booking import queries as booking_queries
from booking.codes import normalize_code


@bp.get("/log")
@role_required(Role.CHIEF)
def audit_log():
    form = AuditFilterForm(request.args, staff_choices=queries.list_staff_choices())
    form.validate()
    booking = None
    code_given = bool(form.code.data)
    if code_given:
        code = normalize_code(form.code.data)
        booking = booking_queries.get_booking_by_code(code) if code else None
    entries = []
    if not code_given or booking is not None:
        entries = queries.list_audit_entries(
            day=form.day.data if not form.day.errors else None, tz=tz(),
            staff_id=form.staff_id, booking_id=booking.id if booking else None)
    rows = [(entry, audit.load(entry.before), audit.load(entry.after)) for entry in entries]
    return render_template("admin/audit_log.html", form=form, rows=rows,
                           codes=queries.booking_codes_for(entries),
                           unknown_code=code_given and booking is None,
                           limit=queries.AUDIT_PAGE_SIZE)
