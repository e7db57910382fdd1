"""`flask --app wsgi kpi evaluate`: print every goal's status and figures.

The output is the same evaluation the dashboard shows: JSON for other programs, or text
with the dashboard's labels for people.
"""

import json
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from kpi import messages, queries, reports
from kpi.formatting import round_half_up
from pastid.timeutil import local_today, now_utc, zone

kpi = AppGroup("kpi", help="Evaluate the performance agreement's goals.")

# Decimals of shares, intervals and p-values in JSON output.
JSON_DECIMALS = 6


def jsonable(value):
    """Return value with fractions, decimals, dates and dataclasses as JSON values."""
    if isinstance(value, Fraction | Decimal):
        return float(round_half_up(value, JSON_DECIMALS))
    if isinstance(value, float):
        return float(round_half_up(value, JSON_DECIMALS))
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value):
        return jsonable(asdict(value))
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return value


def _agreement(year, tz):
    if year is None:
        agreement = queries.get_agreement_for_day(local_today(tz, now_utc()))
        if agreement is None:
            raise click.ClickException(
                "no agreement covers today; pass --agreement YEAR or load one with "
                "`flask --app wsgi seed demo`")
        return agreement
    agreement = queries.get_agreement_by_year(year)
    if agreement is None:
        raise click.ClickException(f"no agreement for year {year}; years with an agreement: "
                                   + (", ".join(str(a.year) for a in queries.list_agreements())
                                      or "none"))
    return agreement


def _period(agreement, first_day, last_day, today):
    default = reports.default_period(agreement, today)
    try:
        return reports.Period(first_day.date() if first_day else default.first_day,
                              last_day.date() if last_day else default.last_day)
    except reports.InvalidPeriod as error:
        raise click.BadParameter(str(error), param_hint="--from/--to") from None


def _as_dict(report):
    return {
        "agreement": {"year": report.agreement.year, "title": report.agreement.title},
        "period": {"from": report.period.first_day.isoformat(),
                   "to": report.period.last_day.isoformat()},
        "evaluated_on": report.evaluated_on.isoformat(),
        "goals": [
            {"id": item.goal.id, "rule": item.goal.rule, "level": item.goal.level,
             "title": item.goal.title, "status": item.result.status.value,
             "figures": jsonable(item.result.figures), "missing": item.result.missing,
             "notes": item.result.notes}
            for item in report.goals
        ],
    }


def _text_lines(report):
    yield (f"{report.agreement.title} {report.agreement.year}: "
           f"{report.period.first_day.isoformat()} to {report.period.last_day.isoformat()}")
    for item in report.goals:
        yield ""
        yield f"[{item.goal.id}] {item.goal.title} ({item.goal.rule}, level {item.goal.level})"
        yield f"  status: {item.result.status.value} ({messages.status_label(item.result.status)})"
        for label, value in messages.summary_rows(item.goal.rule, item.result, "da"):
            yield f"  {label}: {value}"
        for code in item.result.missing:
            yield f"  missing: {messages.MISSING_TEXTS[code]}"
        for code in item.result.notes:
            yield f"  note: {messages.NOTE_TEXTS[code]}"


@kpi.command("evaluate")
@click.option("--agreement", "year", type=int, help="Year of the agreement (default: today's).")
@click.option("--from", "first_day", type=click.DateTime(["%Y-%m-%d"]),
              help="First day of the period, YYYY-MM-DD (default: the agreement's first day).")
@click.option("--to", "last_day", type=click.DateTime(["%Y-%m-%d"]),
              help="Last day of the period, YYYY-MM-DD (default: today, at most the "
                   "agreement's last day).")
@click.option("--format", "output_format", type=click.Choice(["json", "text"]), default="text",
              show_default=True, help="Output format.")
def evaluate(year, first_day, last_day, output_format):
    """Print each goal's id, title, status and figures for a period."""
    tz = zone(current_app.config["TIMEZONE"])
    today = local_today(tz, now_utc())
    agreement = _agreement(year, tz)
    period = _period(agreement, first_day, last_day, today)
    report = reports.evaluate_agreement(agreement, period, today, tz)
    if output_format == "json":
        click.echo(json.dumps(_as_dict(report), ensure_ascii=False, indent=2))
        return
    with force_locale("da"):
        for line in _text_lines(report):
            click.echo(line)
