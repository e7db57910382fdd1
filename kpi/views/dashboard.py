"""The chief's dashboard, the printable reports and the exports, for any period."""

import logging

from flask import Response, abort, render_template, request
from flask_babel import gettext

from admin.auth import role_required
from booking.queries import list_units
from kpi import exports, messages, presentation, queries, reports
from kpi.forms import PeriodForm
from kpi.models import GoalRule, Question
from kpi.views import bp
from kpi.views.common import language, today, tz
from pastid.timeutil import now_utc

logger = logging.getLogger(__name__)

CSV_DATASETS = ("maal", "besvarelser", "tidsbestillinger", "uden-tid", "uger", "maaneder",
                "budget")


class PeriodChoice:
    """The agreement and period chosen in the query string, with the form's errors."""

    def __init__(self, form, agreements, agreement, period):
        self.form = form
        self.agreements = agreements
        self.agreement = agreement
        self.period = period

    def query_args(self):
        return {"aftale": self.agreement.year, "fra": self.period.first_day.isoformat(),
                "til": self.period.last_day.isoformat()}


def _choose_period():
    """Read ?aftale=YEAR&fra=DATE&til=DATE; fall back to the current agreement's year."""
    form = PeriodForm(request.args)
    valid = form.validate()
    agreement = None
    if form.aftale.data:
        if not form.aftale.data.isdigit():
            abort(404)
        agreement = queries.get_agreement_by_year(int(form.aftale.data))
        if agreement is None:
            abort(404)
    agreement = agreement or queries.get_agreement_for_day(today())
    if agreement is None:
        return PeriodChoice(form, [], None, None)
    period = reports.default_period(agreement, today())
    if valid:
        try:
            period = reports.Period(form.fra.data or period.first_day,
                                    form.til.data or period.last_day)
        except reports.InvalidPeriod:
            form.til.errors.append(gettext("Slutdatoen skal ligge på eller efter startdatoen"))
    return PeriodChoice(form, queries.list_agreements(), agreement, period)


def _figures(period):
    weekly = reports.weekly_series(period, tz())
    monthly = reports.monthly_series(period, tz())
    lang = language()
    return {
        "satisfaction": presentation.satisfaction_figure(weekly, lang),
        "waiting": presentation.waiting_figure(weekly, lang),
        "no_show": presentation.no_show_figure(weekly, lang),
        "units": presentation.units_figure(weekly, list_units(active_only=False), lang),
        "digital": presentation.digital_share_figure(monthly, lang),
    }


@bp.get("/personale/kpi")
@role_required("chief")
def dashboard():
    choice = _choose_period()
    if choice.agreement is None:
        return render_template("kpi/no_agreement.html")

    report = reports.evaluate_agreement(choice.agreement, choice.period, today(), tz())
    return render_template("kpi/dashboard.html", choice=choice, report=report,
                           figures=_figures(choice.period))


def _report_extra(agreement, period, evaluated_on):
    """Return the tables the printable report shows beside the goals' figures."""
    lang = language()
    _, distributions = reports.round_distributions(agreement)
    focus = {area.question for area in queries.list_focus_areas(agreement.id)}
    overall = queries.score_distributions(period.first_day, period.last_day,
                                          [Question.BOOKING_OVERALL])
    empty = {score: 0 for score in queries.SCORES}
    return {
        "overall_rows": presentation.distribution_rows(
            overall[Question.BOOKING_OVERALL.value], messages.SCORE_LABELS, lang),
        "comments": queries.list_comments(period.first_day, period.last_day),
        "distributions": distributions,
        "other_questions": [q.value for q in Question if q.value not in focus],
        "round_rows": lambda distribution: presentation.distribution_rows(
            distribution or empty, messages.SCORE_LABELS, lang),
        "test_rows": lambda area: presentation.test_rows(area, lang),
        "effects": queries.list_effects(agreement.id),
        "talks": queries.list_employee_talks(agreement.id, evaluated_on),
    }


def _render_report(choice, evaluated, single):
    return render_template(
        "kpi/report.html", choice=choice, report=evaluated, figures=_figures(choice.period),
        single=single, now=now_utc(),
        extra=_report_extra(choice.agreement, choice.period, evaluated.evaluated_on))


@bp.get("/personale/kpi/rapport")
@role_required("chief")
def report():
    choice = _choose_period()
    if choice.agreement is None:
        return render_template("kpi/no_agreement.html")

    evaluated = reports.evaluate_agreement(choice.agreement, choice.period, today(), tz())
    return _render_report(choice, evaluated, single=False)


@bp.get("/personale/kpi/rapport/<rule>")
@role_required("chief")
def goal_report(rule):
    if rule not in {item.value for item in GoalRule}:
        abort(404)
    choice = _choose_period()
    if choice.agreement is None:
        return render_template("kpi/no_agreement.html")

    evaluated = reports.evaluate_agreement(choice.agreement, choice.period, today(), tz(),
                                           rules={rule})
    if not evaluated.goals:
        abort(404)
    return _render_report(choice, evaluated, single=True)


def _dataset(name, choice):
    period, lang = choice.period, language()
    if name == "besvarelser":
        return exports.survey_answers(period)
    if name == "tidsbestillinger":
        return exports.bookings(period, tz())
    if name == "uden-tid":
        return exports.walk_ins(period, tz())
    if name == "uger":
        return exports.weekly(reports.weekly_series(period, tz()))
    if name == "maaneder":
        return exports.monthly(reports.monthly_series(period, tz()))
    evaluated = reports.evaluate_agreement(choice.agreement, period, today(), tz())
    if name == "budget":
        return exports.budget(evaluated)
    return exports.goal_statuses(evaluated, lang)


def _filename(name, choice, extension):
    period = choice.period
    return (f"pastid-{name}-{period.first_day.isoformat()}-{period.last_day.isoformat()}"
            f".{extension}")


@bp.get("/personale/kpi/eksport/<name>.csv")
@role_required("chief")
def export_csv(name):
    if name not in CSV_DATASETS:
        abort(404)
    choice = _choose_period()
    if choice.agreement is None:
        abort(404)

    _, header, rows = _dataset(name, choice)
    # The rows are written out while the request's database session is still open.
    body = exports.csv_file(header, rows, tz())
    logger.info("CSV export %s for %s..%s", name, choice.period.first_day, choice.period.last_day)
    response = Response(_chunks(body), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename(name, choice, "csv")}"')
    response.headers["Cache-Control"] = "no-store"
    return response


def _chunks(spool, size=64 * 1024):
    """Yield the file in pieces and close it after the last one."""
    try:
        while chunk := spool.read(size):
            yield chunk
    finally:
        spool.close()


@bp.get("/personale/kpi/eksport/kpi.xlsx")
@role_required("chief")
def export_xlsx():
    choice = _choose_period()
    if choice.agreement is None:
        abort(404)

    sheets = [_dataset(name, choice) for name in CSV_DATASETS]
    body = exports.xlsx_bytes(sheets, tz())
    logger.info("XLSX export for %s..%s", choice.period.first_day, choice.period.last_day)
    response = Response(body, mimetype="application/vnd.openxmlformats-officedocument."
                                        "spreadsheetml.sheet")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename("kpi", choice, "xlsx")}"')
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.app_template_global()
def kpi_export_title(name):
    titles = {"maal": gettext("Mål og status"), "besvarelser": gettext("Besvarelser"),
              "tidsbestillinger": gettext("Tidsbestillinger"), "uden-tid": gettext("Uden tid"),
              "uger": gettext("Ugetal"), "maaneder": gettext("Månedstal"),
              "budget": gettext("Budget")}
    return titles[name]
