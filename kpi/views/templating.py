"""Template filters and globals of the KPI pages: Danish numbers and status texts."""

from kpi import messages
from kpi.evaluation import Status
from kpi.formatting import (
    MISSING, format_kroner, format_number, format_percent_value,
)
from kpi.views import bp
from kpi.views.common import language
from pastid.timeutil import MONTHS


@bp.app_template_filter("kpi_number")
def kpi_number(value, decimals=0):
    return format_number(value, decimals, language())


@bp.app_template_filter("kpi_kroner")
def kpi_kroner(value):
    return format_kroner(value, language())


@bp.app_template_filter("kpi_share")
def kpi_share(fraction, decimals=1):
    """Format a fraction of 1 as a percentage, or '–' for None."""
    return format_percent_value(None if fraction is None else 100 * fraction, decimals,
                                language())


@bp.app_template_filter("kpi_date")
def kpi_date(value):
    return value.strftime("%d.%m.%Y") if value else MISSING


@bp.app_template_global()
def kpi_status(status):
    """Return the label, DKFDS badge variant and icon of a status."""
    status = Status(status)
    badge, icon = messages.STATUS_STYLES[status]
    return {"value": status.value, "label": messages.STATUS_LABELS[status], "badge": badge,
            "icon": icon}


@bp.app_template_global()
def kpi_summary_rows(item):
    return messages.summary_rows(item.goal.rule, item.result, language())


@bp.app_template_global()
def kpi_missing_text(code):
    return messages.MISSING_TEXTS[code]


@bp.app_template_global()
def kpi_note_text(code):
    return messages.NOTE_TEXTS[code]


@bp.app_template_global()
def kpi_level_label(level):
    return messages.LEVEL_LABELS[level]


@bp.app_template_global()
def kpi_question_label(question):
    return messages.question_label(question)


@bp.app_template_global()
def kpi_rule_text(rule):
    return messages.RULE_TEXTS[rule]


@bp.app_template_global()
def month_name(month):
    return MONTHS[language()][month - 1]
