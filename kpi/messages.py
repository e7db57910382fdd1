"""Danish texts of the KPI pages, reports and command output (translated by Flask-Babel).

The evaluation returns codes, and these tables turn them into sentences. summary_rows
turns a goal's figures into label and value pairs. The dashboard card, the printable
report and `flask kpi evaluate --format text` all show the same pairs.
"""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from kpi.evaluation import Status
from kpi.formatting import (
    MISSING, format_decimal_plain, format_kroner, format_number, format_p_value,
    format_percent, format_percent_value,
)
from kpi.models import GoalRule, Question

STATUS_LABELS = {
    Status.MET: _l("Opfyldt"),
    Status.PARTLY_MET: _l("Delvist opfyldt"),
    Status.NOT_MET: _l("Ikke opfyldt"),
    Status.NOT_MEASURED: _l("Ikke målt"),
}

# DKFDS badge variant and icon per status: the word is always shown beside them.
STATUS_STYLES = {
    Status.MET: ("success", "success"),
    Status.PARTLY_MET: ("warning", "warning"),
    Status.NOT_MET: ("error", "error"),
    Status.NOT_MEASURED: ("info", "help"),
}

LEVEL_LABELS = {
    1: _l("Niveau 1: politisk målsætning"),
    2: _l("Niveau 2: administrativ målsætning"),
    3: _l("Niveau 3: enhedens egen målsætning"),
}

# Short names of the survey questions, for tables and charts.
QUESTION_LABELS = {
    Question.BOOKING_OVERALL: _l("Tidsbestilling online, samlet"),
    Question.BOOKING_EASE: _l("Nemt at bestille tid"),
    Question.WAITING_TIME: _l("Ventetid i centret"),
    Question.PROFESSIONAL_QUALITY: _l("Faglighed"),
    Question.GENERAL_SERVICE: _l("Generel service"),
}

SCORE_LABELS = {
    1: _l("Meget utilfreds"),
    2: _l("Utilfreds"),
    3: _l("Hverken tilfreds eller utilfreds"),
    4: _l("Tilfreds"),
    5: _l("Meget tilfreds"),
}

MISSING_TEXTS = {
    "no_bookings": _l("Løsningen har ingen tidsbestillinger online i perioden."),
    "no_answers": _l("Der er ingen besvarelser af tilfredshedsmålingen i perioden."),
    "round_1_missing": _l("Første måling (periode) er ikke oprettet."),
    "round_2_missing": _l("Anden måling (periode) er ikke oprettet."),
    "round_2_not_ended": _l("Anden måling er ikke afsluttet endnu."),
    "no_focus_areas": _l("Der er ikke valgt indsatsområder efter første måling."),
    "focus_area_without_answers": _l(
        "Et indsatsområde har ingen besvarelser i en af de to målinger."),
    "analysis_missing": _l("Analysen af boligstøtteområdet er ikke registreret."),
    "no_effects": _l("Der er ikke registreret nogen effekter."),
    "effects_undocumented": _l("En eller flere effekter mangler dokumentation."),
    "no_employees": _l("Der er ikke registreret nogen medarbejdere."),
    "talks_missing": _l("Ikke alle medarbejdere har haft MUS-samtale."),
    "plan_missing": _l("Den samlede kompetenceplan er ikke registreret som færdig."),
    "apv_missing": _l("Centerets APV-resultat og rådhusets gennemsnit er ikke indtastet."),
    "no_actuals": _l("Der er ikke indtastet forbrug for nogen måned."),
    "months_without_actuals": _l("Der mangler forbrug for en eller flere afsluttede måneder."),
}

NOTE_TEXTS = {
    "interval_spans_threshold": _l(
        "Der er for få besvarelser til, at konfidensintervallet kan skelne mellem "
        "statusserne: intervallet rummer en tærskel."),
}

# Each rule's reading of the agreement's success criteria, shown beside the goal.
RULE_TEXTS = {
    GoalRule.ONLINE_BOOKING: _l(
        "Ikke opfyldt, hvis løsningen ingen tidsbestillinger online har i perioden. Ellers "
        "tæller andelen af besvarelser med 4 eller 5 på spørgsmålet om samlet tilfredshed "
        "med at bestille tid online. Opfyldt ved mindst 90 %, delvist opfyldt ved mindst "
        "80 %, ellers ikke opfyldt. Uden besvarelser er målet ikke målt."),
    GoalRule.CITIZEN_SURVEY: _l(
        "De to målinger er tilfredshedsmålingens besvarelser i hver målings periode. For "
        "hvert indsatsområde sammenlignes andelen af tilfredse med en ensidet test for to "
        "andele (Fishers eksakte test ved små tal) på 5 %-niveau, og svarfordelingerne "
        "med Mann-Whitney U. Opfyldt, når alle indsatsområder er forbedret signifikant, "
        "delvist opfyldt, når alle er forbedret, ellers ikke opfyldt. Ikke målt, før "
        "anden måling er slut."),
    GoalRule.EFFICIENCY: _l(
        "Opfyldt, når analysen er registreret, og alle effekter er realiseret og "
        "dokumenteret. Delvist opfyldt, når mindst 80 % af effekterne er realiseret, "
        "ellers ikke opfyldt. En effekt er realiseret, når den realiserede værdi når den "
        "forventede."),
    GoalRule.COMPETENCE: _l(
        "Opfyldt, når alle medarbejdere har haft MUS, og den samlede kompetenceplan er "
        "færdig. Delvist opfyldt, når alle har haft MUS, ellers ikke opfyldt."),
    GoalRule.WELLBEING: _l(
        "Centerets APV-score sammenlignes med rådhusets gennemsnit med det mindste antal "
        "decimaler, de to tal er oplyst med: over gennemsnittet er opfyldt, på "
        "gennemsnittet delvist opfyldt og under gennemsnittet ikke opfyldt."),
    GoalRule.BUDGET: _l(
        "Forbruget indtastes måned for måned. Prognosen fremskriver forbruget i de "
        "indtastede måneder til 12 måneder. Opfyldt, når prognosen holder sig inden for "
        "rammen, og alle afsluttede måneder har tal. Delvist opfyldt, når prognosen holder, "
        "men der mangler måneder. Ikke opfyldt, når prognosen overstiger rammen."),
}


def status_label(status):
    return STATUS_LABELS[Status(status)]


def question_label(question):
    return QUESTION_LABELS[Question(question)]


def format_interval(interval, lang="da"):
    """Format a Wilson interval of fractions as '73,0–98,9 %'."""
    if interval is None:
        return MISSING
    low, high = (format_number(100 * bound, 1, lang) for bound in interval)
    return f"{low}–{high} %"


def _share(fraction, lang):
    return format_percent_value(None if fraction is None else 100 * fraction, 1, lang)


def _date(value):
    return value.strftime("%d.%m.%Y") if value else MISSING


def _online_booking_rows(figures, lang):
    thresholds = ", ".join(format_percent_value(100 * t, 0, lang)
                           for t in figures["undecided_thresholds"])
    rows = [
        (gettext("Tidsbestillinger online"), format_number(figures["bookings"], 0, lang)),
        (gettext("Besvarelser (n)"), format_number(figures["answers"], 0, lang)),
        (gettext("Tilfredse (4 eller 5)"), format_number(figures["satisfied"], 0, lang)),
        (gettext("Andel tilfredse"),
         format_percent(figures["satisfied"], figures["answers"], 1, lang)),
        (gettext("95 %-konfidensinterval (Wilson)"), format_interval(figures["interval"], lang)),
    ]
    if thresholds:
        rows.append((gettext("Tærskler inden for intervallet"), thresholds))
    return rows


def _citizen_survey_rows(figures, lang):
    rows = []
    for period in figures["rounds"]:
        rows.append((gettext("Måling %(number)s", number=period.number),
                     f"{_date(period.starts_on)}–{_date(period.ends_on)}"))
    for area in figures["areas"]:
        label = question_label(area["question"])
        value = gettext("%(first)s → %(second)s", first=_share(area["first"]["share"], lang),
                        second=_share(area["second"]["share"], lang))
        if area["proportion_test"] is not None:
            p_value = format_p_value(area["proportion_test"].p_value, lang)
            value += f" (p {p_value})" if p_value.startswith("<") else f" (p = {p_value})"
        rows.append((label, value))
    if not figures["areas"]:
        rows.append((gettext("Indsatsområder"), MISSING))
    return rows


def _efficiency_rows(figures, lang):
    return [
        (gettext("Analyse registreret"), _date(figures["analysis_on"])),
        (gettext("Effekter realiseret"),
         gettext("%(realised)s af %(total)s", realised=figures["realised"],
                 total=figures["effects"])),
        (gettext("Andel realiseret"), _share(figures["share"], lang)),
        (gettext("Effekter dokumenteret"),
         gettext("%(documented)s af %(total)s", documented=figures["documented"],
                 total=figures["effects"])),
    ]


def _competence_rows(figures, lang):
    return [
        (gettext("MUS holdt"), gettext("%(held)s af %(total)s", held=figures["talks_held"],
                                       total=figures["employees"])),
        (gettext("Fremdrift"), _share(figures["share"], lang)),
        (gettext("Kompetenceplan færdig"), _date(figures["plan_done_on"])),
    ]


def _wellbeing_rows(figures, lang):
    return [
        (gettext("Centerets APV-score"), format_decimal_plain(figures["centre"], lang)),
        (gettext("Rådhusets gennemsnit"), format_decimal_plain(figures["town_hall"], lang)),
    ]


def _budget_rows(figures, lang):
    rows = [(gettext("Budgetramme i alt"), format_kroner(figures["frame"], lang))]
    if "spent" in figures:
        rows += [
            (gettext("Forbrug til og med måned %(month)s", month=figures["last_month"]),
             format_kroner(figures["spent"], lang)),
            (gettext("Forholdsmæssig ramme for de samme måneder"),
             format_kroner(figures["pro_rata"], lang)),
            (gettext("Prognose for hele året"), format_kroner(figures["forecast"], lang)),
        ]
    return rows


SUMMARY_ROWS = {
    GoalRule.ONLINE_BOOKING: _online_booking_rows,
    GoalRule.CITIZEN_SURVEY: _citizen_survey_rows,
    GoalRule.EFFICIENCY: _efficiency_rows,
    GoalRule.COMPETENCE: _competence_rows,
    GoalRule.WELLBEING: _wellbeing_rows,
    GoalRule.BUDGET: _budget_rows,
}


def summary_rows(rule, result, lang="da"):
    """Return the (label, value) pairs that summarise a goal's figures."""
    return SUMMARY_ROWS[GoalRule(rule)](result.figures, lang)
