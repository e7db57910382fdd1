"""The KPI pages: the citizens' survey link, and the chief's dashboard, reports, exports
and data entry under /personale/kpi.

Every chief page carries role_required("chief"), which also admits admins, because an
admin outranks a chief (see admin.models.ROLE_RANK).
"""

from flask import Blueprint

bp = Blueprint("kpi", __name__)

# The modules attach their routes to bp when imported.
from kpi.views import dashboard, entry, survey, templating  # noqa: E402,F401
