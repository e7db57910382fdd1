"""The dashboard's charts and their tables, built from the weekly and monthly series.

Each figure is a dict with the SVG chart, its legend, and the table that carries the
same numbers: headers and rows of formatted strings.
"""

from dataclasses import dataclass

from flask_babel import gettext

from kpi import charts
from kpi.formatting import (
    MISSING, format_number, format_percent, format_percent_value, largest_remainder,
    format_p_value, month_label, percent, week_label,
)


@dataclass
class Figure:
    chart_id: str
    title: str
    chart: object
    legend: list
    headers: list
    rows: list


def _legend(series, bar=False):
    return [(charts.legend_swatch(item.style, bar), item.label) for item in series]


def _style(position):
    return position % 3 + 1


def satisfaction_figure(weekly, lang):
    """Weekly share of satisfied answers with the 90 % and 80 % thresholds."""
    labels, values, rows = [], [], []
    for bucket, (answers, satisfied) in zip(weekly["buckets"], weekly["satisfaction"]):
        share = percent(satisfied, answers)
        labels.append(str(bucket.first_day.isocalendar().week))
        values.append(None if share is None else float(share))
        rows.append([week_label(bucket, lang), format_number(answers, 0, lang),
                     format_number(satisfied, 0, lang),
                     format_percent(satisfied, answers, 1, lang)])
    series = [charts.Series(gettext("Andel tilfredse"), values, 1)]
    title = gettext("Andel tilfredse med tidsbestillingen pr. uge")
    chart = charts.line_chart(
        "chart-satisfaction", title, labels, series, unit=" %", y_max=100,
        reference_lines=[charts.ReferenceLine(90, gettext("90 %: opfyldt")),
                         charts.ReferenceLine(80, gettext("80 %: delvist"))],
        axis_title=gettext("Uge"), lang=lang,
        description=gettext("Tallene står i tabellen under grafen."))
    headers = [gettext("Uge"), gettext("Besvarelser"), gettext("Tilfredse"),
               gettext("Andel tilfredse")]
    return Figure("chart-satisfaction", title, chart, _legend(series), headers, rows)


def _minutes(mean_seconds):
    return None if mean_seconds is None else mean_seconds / 60


def waiting_figure(weekly, lang):
    """Weekly mean wait until the call, booked against walk-in citizens, in minutes."""
    labels, booked, walk_in, rows = [], [], [], []
    for bucket, item in zip(weekly["buckets"], weekly["waiting"]):
        booked_count, booked_mean = item["booked"]
        walk_in_count, walk_in_mean = item["walk_in"]
        labels.append(str(bucket.first_day.isocalendar().week))
        booked.append(_minutes(booked_mean))
        walk_in.append(_minutes(walk_in_mean))
        rows.append([week_label(bucket, lang), format_number(booked_count, 0, lang),
                     format_number(_minutes(booked_mean), 1, lang),
                     format_number(walk_in_count, 0, lang),
                     format_number(_minutes(walk_in_mean), 1, lang)])
    series = [charts.Series(gettext("Med bestilt tid"), booked, 1),
              charts.Series(gettext("Uden tid"), walk_in, 2)]
    title = gettext("Gennemsnitlig ventetid til kald pr. uge (minutter)")
    chart = charts.line_chart("chart-waiting", title, labels, series, unit="",
                              axis_title=gettext("Uge"), lang=lang,
                              description=gettext("Tallene står i tabellen under grafen."))
    headers = [gettext("Uge"), gettext("Kaldt, med tid"), gettext("Ventetid, med tid (min.)"),
               gettext("Kaldt, uden tid"), gettext("Ventetid, uden tid (min.)")]
    return Figure("chart-waiting", title, chart, _legend(series), headers, rows)


def no_show_figure(weekly, lang):
    """Weekly share of no-shows among the bookings that were served or missed."""
    labels, values, rows = [], [], []
    for bucket, item in zip(weekly["buckets"], weekly["bookings"]):
        finished = item["served"] + item["no_show"]
        share = percent(item["no_show"], finished)
        labels.append(str(bucket.first_day.isocalendar().week))
        values.append(None if share is None else float(share))
        rows.append([week_label(bucket, lang), format_number(finished, 0, lang),
                     format_number(item["no_show"], 0, lang),
                     format_percent(item["no_show"], finished, 1, lang)])
    series = [charts.Series(gettext("Udeblevne"), values, 3)]
    title = gettext("Andel udeblevne pr. uge")
    chart = charts.line_chart("chart-no-show", title, labels, series, unit=" %",
                              axis_title=gettext("Uge"), lang=lang,
                              description=gettext("Tallene står i tabellen under grafen."))
    headers = [gettext("Uge"), gettext("Mødt eller udeblevet"), gettext("Udeblevne"),
               gettext("Andel udeblevne")]
    return Figure("chart-no-show", title, chart, _legend(series), headers, rows)


def units_figure(weekly, units, lang):
    """Weekly bookings (not cancelled) per PAS unit, as grouped bars."""
    labels = [str(bucket.first_day.isocalendar().week) for bucket in weekly["buckets"]]
    series = [charts.Series(unit.name, [item["units"].get(unit.id, 0)
                                        for item in weekly["bookings"]], _style(position))
              for position, unit in enumerate(units)]
    rows = []
    for index, bucket in enumerate(weekly["buckets"]):
        counts = [item.values[index] for item in series]
        rows.append([week_label(bucket, lang)]
                    + [format_number(count, 0, lang) for count in counts]
                    + [format_number(weekly["bookings"][index]["bookings"], 0, lang)])
    title = gettext("Tidsbestillinger pr. PAS-enhed pr. uge")
    chart = charts.bar_chart("chart-units", title, labels, series, axis_title=gettext("Uge"),
                             lang=lang,
                             description=gettext("Tallene står i tabellen under grafen."))
    headers = [gettext("Uge")] + [unit.name for unit in units] + [gettext("I alt")]
    return Figure("chart-units", title, chart, _legend(series, bar=True), headers, rows)


def digital_share_figure(monthly, lang):
    """Monthly share of served visits booked online, against assisted and walk-in."""
    labels, values, rows = [], [], []
    for bucket, item in zip(monthly["buckets"], monthly["channels"]):
        total = item["online"] + item["assisted"] + item["walk_in"]
        share = percent(item["online"], total)
        labels.append(month_label(bucket, lang, short=True))
        values.append(None if share is None else float(share))
        rows.append([month_label(bucket, lang), format_number(item["online"], 0, lang),
                     format_number(item["assisted"], 0, lang),
                     format_number(item["walk_in"], 0, lang),
                     format_percent(item["online"], total, 1, lang)])
    series = [charts.Series(gettext("Digital andel"), values, 1)]
    title = gettext("Andel af besøg bestilt online pr. måned")
    chart = charts.line_chart("chart-digital", title, labels, series, unit=" %", y_max=100,
                              axis_title=gettext("Måned"), lang=lang,
                              description=gettext("Tallene står i tabellen under grafen."))
    headers = [gettext("Måned"), gettext("Bestilt online"), gettext("Bestilt af personalet"),
               gettext("Uden tid"), gettext("Digital andel")]
    return Figure("chart-digital", title, chart, _legend(series), headers, rows)


def distribution_rows(distribution, labels, lang):
    """Return rows of (score label, count, share) with shares adding up to 100,0 %."""
    scores = sorted(distribution, reverse=True)
    counts = [distribution[score] for score in scores]
    shares = largest_remainder(counts, 1)
    return [(labels[score], format_number(count, 0, lang),
             format_percent_value(share, 1, lang) if share is not None else MISSING)
            for score, count, share in zip(scores, counts, shares)]


def _yes_no(value):
    return gettext("Ja") if value else gettext("Nej")


def test_rows(area, lang):
    """Return the summary rows of one focus area's tests: (label, value, None)."""
    difference = area["difference_points"]
    rows = [(gettext("Forskel i andel tilfredse"),
             MISSING if difference is None else gettext(
                 "%(points)s procentpoint", points=("+" if difference > 0 else "")
                 + format_number(difference, 1, lang)), None)]
    test = area["proportion_test"]
    if test is None:
        rows.append((gettext("Test for to andele"), MISSING, None))
    elif test.method == "fisher":
        rows.append((gettext("Test for to andele"), gettext(
            "Fishers eksakte test (små tal), ensidet p: %(p)s",
            p=format_p_value(test.p_value, lang)), None))
    else:
        rows.append((gettext("Test for to andele"), gettext(
            "z-test, z = %(z)s, ensidet p: %(p)s", z=format_number(test.statistic, 2, lang),
            p=format_p_value(test.p_value, lang)), None))
    rows.append((gettext("Signifikant forbedring på 5 %-niveau"), _yes_no(area["significant"]),
                 None))
    rank = area["rank_test"]
    rows.append((gettext("Mann-Whitney U på svarfordelingen"), MISSING if rank is None else
                 gettext("U = %(u)s, ensidet p: %(p)s", u=format_number(rank.u_statistic, 1, lang),
                         p=format_p_value(rank.p_value, lang)), None))
    rows.append((gettext("Svarfordelingen signifikant bedre"), _yes_no(area["rank_significant"]),
                 None))
    return rows
