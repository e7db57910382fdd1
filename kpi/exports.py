"""Exports of the KPI data without personal details, as CSV for Danish Excel and as XLSX.

CSV: UTF-8 with a byte-order mark (Excel reads the file as UTF-8 only with it), ';' as
separator and a decimal comma, as Danish Excel expects, and no "sep=" line (Excel then
ignores the byte-order mark). Times are local Copenhagen time as 'YYYY-MM-DD HH:MM'.
XLSX: one sheet per dataset, times as local date-times, because Excel has no time zones.

Datasets never contain a citizen's name, e-mail, phone, booking code or free-text
comment: a comment may contain personal details despite the warning on the form.
"""

import csv
import io
import tempfile
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from flask_babel import gettext

from admin.models import WalkIn
from booking.models import Booking, Unit
from kpi import messages
from kpi.formatting import round_half_up
from kpi.models import Question, SurveyAnswer
from kpi.sql import greatest, seconds_between
from pastid.extensions import db

BOM = "\ufeff"
BATCH_SIZE = 2000
# A CSV export larger than this goes to a temporary file instead of memory.
SPOOL_BYTES = 8 * 1024 * 1024
# Decimals kept for fractions and floats in exports: enough for shares and p-values.
EXPORT_DECIMALS = 4


def _plain_number(value):
    """Return a number as a Decimal without a float's binary noise."""
    if isinstance(value, Fraction | float):
        return round_half_up(value, EXPORT_DECIMALS).normalize()
    return value


def csv_cell(value, tz):
    """Format one value for Danish Excel: decimal comma, local time, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("ja") if value else gettext("nej")
    if isinstance(value, datetime):
        return value.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal | Fraction | float):
        return f"{_plain_number(value):f}".replace(".", ",")
    return str(value)


def csv_lines(header, rows, tz):
    """Yield the CSV text in pieces: the byte-order mark and header, then each row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(header)
    yield BOM + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(value, tz) for value in row])
        yield buffer.getvalue()


def csv_bytes(header, rows, tz):
    return "".join(csv_lines(header, rows, tz)).encode("utf-8")


def csv_file(header, rows, tz):
    """Write the CSV to a temporary file, in memory up to SPOOL_BYTES; return it rewound."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    for piece in csv_lines(header, rows, tz):
        spool.write(piece.encode("utf-8"))
    spool.seek(0)
    return spool


def xlsx_cell(value, tz):
    """Return a value openpyxl can store: naive local datetimes, Decimals as floats."""
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None)
    if isinstance(value, Decimal | Fraction):
        return float(_plain_number(value))
    return value


def xlsx_bytes(sheets, tz):
    """Return an XLSX workbook of sheets: (title, header, rows) with rows an iterable."""
    from openpyxl import Workbook  # only export requests pay for loading openpyxl

    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(list(header))
        for row in rows:
            sheet.append([xlsx_cell(value, tz) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Datasets: each returns (title, header, rows) with rows streamed from the database.

def _stream(query):
    return db.session.execute(query.execution_options(yield_per=BATCH_SIZE))


def survey_answers(period):
    header = [gettext("Besøgsdag"), gettext("PAS-enhed"), gettext("Kanal"), gettext("Formål")]
    header += [str(messages.question_label(question)) for question in Question]
    query = (
        sa.select(SurveyAnswer.visit_date, Unit.name, SurveyAnswer.channel, SurveyAnswer.purpose,
                  *[getattr(SurveyAnswer, question.value) for question in Question])
        .outerjoin(Unit, Unit.id == SurveyAnswer.unit_id)
        .where(SurveyAnswer.visit_date >= period.first_day,
               SurveyAnswer.visit_date <= period.last_day)
        .order_by(SurveyAnswer.visit_date, SurveyAnswer.id))
    return gettext("Besvarelser"), header, (tuple(row) for row in _stream(query))


def _booked_wait_minutes():
    ready_at = greatest(sa.func.coalesce(Booking.checked_in_at, Booking.start_at),
                        Booking.start_at)
    return seconds_between(Booking.called_at, ready_at) / 60.0


def bookings(period, tz):
    starts_at, ends_at = period.utc_bounds(tz)
    header = [gettext("Booking-id"), gettext("PAS-enhed"), gettext("Kanal"), gettext("Formål"),
              gettext("Personer"), gettext("Status"), gettext("Bestilt tid"),
              gettext("Ankommet"), gettext("Kaldt"), gettext("Betjent"), gettext("Udeblevet"),
              gettext("Aflyst"), gettext("Ventetid til kald (min.)")]
    query = (
        sa.select(Booking.id, Unit.name, Booking.channel, Booking.purpose, Booking.persons,
                  Booking.status, Booking.start_at, Booking.checked_in_at, Booking.called_at,
                  Booking.served_at, Booking.no_show_at, Booking.cancelled_at,
                  _booked_wait_minutes())
        .join(Unit, Unit.id == Booking.unit_id)
        .where(Booking.start_at >= starts_at, Booking.start_at < ends_at)
        .order_by(Booking.start_at, Booking.id))
    return gettext("Tidsbestillinger"), header, (_wait_row(row) for row in _stream(query))


def _wait_row(row):
    values = list(row)
    if values[-1] is not None:
        values[-1] = max(0.0, float(values[-1]))
    return tuple(values)


def walk_ins(period, tz):
    starts_at, ends_at = period.utc_bounds(tz)
    header = [gettext("Dag"), gettext("Nummer"), gettext("PAS-enhed"), gettext("Formål"),
              gettext("Personer"), gettext("Status"), gettext("Ankommet"), gettext("Kaldt"),
              gettext("Betjent"), gettext("Ventetid til kald (min.)")]
    query = (
        sa.select(WalkIn.service_day, WalkIn.number, Unit.name, WalkIn.purpose, WalkIn.persons,
                  WalkIn.status, WalkIn.arrived_at, WalkIn.called_at, WalkIn.served_at,
                  seconds_between(WalkIn.called_at, WalkIn.arrived_at) / 60.0)
        .outerjoin(Unit, Unit.id == WalkIn.unit_id)
        .where(WalkIn.arrived_at >= starts_at, WalkIn.arrived_at < ends_at)
        .order_by(WalkIn.arrived_at, WalkIn.id))
    return gettext("Uden tid"), header, (_wait_row(row) for row in _stream(query))


def goal_statuses(report, lang):
    """Return the dataset of an evaluated agreement's goals with status and figures."""
    header = [gettext("Mål-id"), gettext("Niveau"), gettext("Mål"), gettext("Status"),
              gettext("Tal"), gettext("Mangler")]
    rows = []
    for item in report.goals:
        figures = "; ".join(f"{label}: {value}"
                            for label, value in messages.summary_rows(item.goal.rule,
                                                                      item.result, lang))
        missing = " ".join(str(messages.MISSING_TEXTS[code]) for code in item.result.missing)
        rows.append((item.goal.id, item.goal.level, item.goal.title,
                     str(messages.status_label(item.result.status)), figures, missing))
    return gettext("Mål"), header, rows


def _share(numerator, denominator):
    return Fraction(100 * numerator, denominator) if denominator else None


def _minutes(mean_seconds):
    return None if mean_seconds is None else mean_seconds / 60


def weekly(series):
    """Return the dataset of the dashboard's weekly series, one row per week."""
    header = [gettext("Uge"), gettext("Første dag"), gettext("Sidste dag"),
              gettext("Besvarelser"), gettext("Tilfredse"), gettext("Andel tilfredse (%)"),
              gettext("Tidsbestillinger"), gettext("Betjent"), gettext("Udeblevet"),
              gettext("Andel udeblevne (%)"), gettext("Kaldt, med tid"),
              gettext("Ventetid, med tid (min.)"), gettext("Kaldt, uden tid"),
              gettext("Ventetid, uden tid (min.)")]
    rows = []
    for bucket, (answers, satisfied), booked, waits in zip(
            series["buckets"], series["satisfaction"], series["bookings"], series["waiting"]):
        finished = booked["served"] + booked["no_show"]
        rows.append((bucket.first_day.isocalendar().week, bucket.first_day, bucket.last_day,
                     answers, satisfied, _share(satisfied, answers), booked["bookings"],
                     booked["served"], booked["no_show"], _share(booked["no_show"], finished),
                     waits["booked"][0], _minutes(waits["booked"][1]),
                     waits["walk_in"][0], _minutes(waits["walk_in"][1])))
    return gettext("Uger"), header, rows


def monthly(series):
    """Return the dataset of served visits per month by channel, with the digital share."""
    header = [gettext("Første dag"), gettext("Sidste dag"), gettext("Bestilt online"),
              gettext("Bestilt af personalet"), gettext("Uden tid"),
              gettext("Digital andel (%)")]
    rows = []
    for bucket, item in zip(series["buckets"], series["channels"]):
        total = item["online"] + item["assisted"] + item["walk_in"]
        rows.append((bucket.first_day, bucket.last_day, item["online"], item["assisted"],
                     item["walk_in"], _share(item["online"], total)))
    return gettext("Måneder"), header, rows


def budget(report):
    """Return the budget goal's months: actuals, spend to date, pro-rata frame, forecast."""
    header = [gettext("Måned"), gettext("Lønsum"), gettext("Driftssum"), gettext("I alt"),
              gettext("Forbrug år til dato"), gettext("Forholdsmæssig ramme"),
              gettext("Prognose for året")]
    item = report.goal("budget")
    months = item.result.figures["months"] if item else []
    rows = [(row["month"], row["salary"], row["operating"], row["total"], row["cumulative"],
             row["pro_rata"], row["forecast"]) for row in months]
    return gettext("Budget"), header, rows
