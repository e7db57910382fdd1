"""Forms of the survey and of the chief's data entry. Messages are Danish source text.

Numbers are typed the Danish way. Kroner may carry thousands dots ("21.120.200"), and
decimals use a comma ("4,2"). A point is also accepted as decimal mark in fields that
take no thousands separator. Dates are typed as dd.mm.åååå.
"""

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField, Field, RadioField, SelectChoice, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from kpi.messages import QUESTION_LABELS, SCORE_LABELS
from kpi.models import COMMENT_MAX_LENGTH, SCORE_MAX, SCORE_MIN, Question

DATE_FORMATS = ["%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d"]
DONT_KNOW = "0"


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


# The post-visit survey ---------------------------------------------------------------

SURVEY_QUESTIONS = {
    Question.BOOKING_OVERALL: (
        _l("Hvor tilfreds er du samlet set med at bestille tid online?"),
        _l("Vælg, hvor tilfreds du samlet set er med at bestille tid online")),
    Question.BOOKING_EASE: (
        _l("Hvor tilfreds er du med, hvor nemt det var at bestille tiden?"),
        _l("Vælg, hvor tilfreds du er med, hvor nemt det var at bestille tiden")),
    Question.WAITING_TIME: (
        _l("Hvor tilfreds er du med ventetiden i Borgerservice?"),
        _l("Vælg, hvor tilfreds du er med ventetiden i Borgerservice")),
    Question.PROFESSIONAL_QUALITY: (
        _l("Hvor tilfreds er du med medarbejderens faglighed?"),
        _l("Vælg, hvor tilfreds du er med medarbejderens faglighed")),
    Question.GENERAL_SERVICE: (
        _l("Hvor tilfreds er du med den service, du fik generelt?"),
        _l("Vælg, hvor tilfreds du er med den service, du fik generelt")),
}


def _score_field(question):
    label, message = SURVEY_QUESTIONS[question]
    choices = [SelectChoice(str(score), SCORE_LABELS[score])
               for score in range(SCORE_MIN, SCORE_MAX + 1)]
    choices.append(SelectChoice(DONT_KNOW, _l("Ved ikke")))
    return RadioField(label, choices=choices, validators=[InputRequired(message)])


class SurveyForm(FlaskForm):
    booking_overall = _score_field(Question.BOOKING_OVERALL)
    booking_ease = _score_field(Question.BOOKING_EASE)
    waiting_time = _score_field(Question.WAITING_TIME)
    professional_quality = _score_field(Question.PROFESSIONAL_QUALITY)
    general_service = _score_field(Question.GENERAL_SERVICE)
    comment = TextAreaField(
        _l("Kommentar (valgfri)"), filters=[strip_text],
        validators=[Optional(), Length(max=COMMENT_MAX_LENGTH, message=_l(
            "Kommentaren må højst være %(max)s tegn", max=f"{COMMENT_MAX_LENGTH:,}".replace(
                ",", ".")))])

    def __init__(self, *args, ask_booking=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not ask_booking:
            del self.booking_overall
            del self.booking_ease

    @property
    def question_fields(self):
        return [self[question.value] for question in Question if question.value in self]

    def scores(self):
        """Return {Question: 1-5 or None} for the questions on the form."""
        return {Question(field.name): None if field.data == DONT_KNOW else int(field.data)
                for field in self.question_fields}


# Numbers and dates typed the Danish way ----------------------------------------------

class KronerField(Field):
    """Whole kroner: '21.120.200', '21 120 200', '-1.500' and '1.500 kr.' are accepted."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:,}".replace(",", ".")

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip()
        if not raw:
            return
        raw = re.sub(r"\s*kr\.?$", "", raw, flags=re.IGNORECASE)
        # Digits, optionally grouped in threes by dots or spaces: '1.760.000', '39 725'.
        if not re.fullmatch(r"-?(\d{1,13}|\d{1,3}([.\s\u00a0]\d{3})+)", raw):
            raise ValueError(_l("Skriv et helt antal kroner, fx 1.760.000"))
        self.data = int(re.sub(r"[.\s\u00a0]", "", raw))


class DanishDecimalField(Field):
    """A decimal number with comma or point as decimal mark, keeping its decimals."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, max_decimals=2, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.max_decimals = max_decimals

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:f}".replace(".", ",")

    def process_formdata(self, valuelist):
        self.data = None
        raw = (valuelist[0] if valuelist else "").strip().replace(" ", "")
        if not raw:
            return
        pattern = rf"-?\d{{1,12}}([.,]\d{{1,{self.max_decimals}}})?" if self.max_decimals \
            else r"-?\d{1,12}"
        if not re.fullmatch(pattern, raw):
            raise ValueError(_l("Skriv et tal med højst %(decimals)s decimaler, fx 4,2",
                                decimals=self.max_decimals))
        try:
            self.data = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            raise ValueError(_l("Skriv et tal, fx 4,2")) from None


def _date_field(label, required=False, message=None):
    validators = [DataRequired(message)] if required else [Optional()]
    return DateField(label, format=DATE_FORMATS, validators=validators)


class PeriodForm(FlaskForm):
    """The dashboard's and reports' period: read from the query string (GET)."""

    class Meta:
        csrf = False

    aftale = StringField(_l("Aftale (år)"), filters=[strip_text])
    fra = _date_field(_l("Fra og med"))
    til = _date_field(_l("Til og med"))

    def validate_til(self, field):
        if self.fra.data and field.data and field.data < self.fra.data:
            raise ValidationError(_l("Slutdatoen skal ligge på eller efter startdatoen"))


# The chief's data entry ----------------------------------------------------------------

class EffectForm(FlaskForm):
    description = StringField(_l("Beskrivelse af effekten"), filters=[strip_text], validators=[
        DataRequired(_l("Beskriv effekten")), Length(max=300, message=_l(
            "Beskrivelsen må højst være 300 tegn"))])
    measure = StringField(_l("Måleenhed"), filters=[strip_text], validators=[
        DataRequired(_l("Skriv, hvad effekten måles i, fx timer pr. år")),
        Length(max=60, message=_l("Måleenheden må højst være 60 tegn"))])
    expected_value = DanishDecimalField(_l("Forventet værdi"), validators=[
        InputRequired(_l("Skriv den forventede værdi"))])
    realised_value = DanishDecimalField(_l("Realiseret værdi (valgfri)"),
                                        validators=[Optional()])
    documentation = TextAreaField(_l("Dokumentation"), filters=[strip_text],
                                  validators=[Length(max=5000, message=_l(
                                      "Dokumentationen må højst være 5.000 tegn"))])

    def validate_expected_value(self, field):
        if field.data is not None and field.data <= 0:
            raise ValidationError(_l("Den forventede værdi skal være større end 0"))

    def validate_realised_value(self, field):
        if field.data is not None and field.data < 0:
            raise ValidationError(_l("Den realiserede værdi kan ikke være negativ"))


class AnalysisForm(FlaskForm):
    analysis_on = _date_field(_l("Analysen blev færdig"))
    note = TextAreaField(_l("Note om analysen"), filters=[strip_text],
                         validators=[Length(max=5000, message=_l(
                             "Noten må højst være 5.000 tegn"))])


class CompetencePlanForm(FlaskForm):
    plan_on = _date_field(_l("Den samlede kompetenceplan blev færdig"))
    note = TextAreaField(_l("Note om kompetenceplanen"), filters=[strip_text],
                         validators=[Length(max=5000, message=_l(
                             "Noten må højst være 5.000 tegn"))])


class EmployeeForm(FlaskForm):
    name = StringField(_l("Navn"), filters=[strip_text], validators=[
        DataRequired(_l("Skriv medarbejderens navn")),
        Length(max=100, message=_l("Navnet må højst være 100 tegn"))])
    job_title = StringField(_l("Stilling (valgfri)"), filters=[strip_text], validators=[
        Length(max=100, message=_l("Stillingen må højst være 100 tegn"))])
    left_on = _date_field(_l("Fratrådt (valgfri)"))


class TalkForm(FlaskForm):
    held_on = _date_field(_l("MUS-samtalen blev holdt"))

    def __init__(self, *args, agreement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.agreement = agreement

    def validate_held_on(self, field):
        if field.data and self.agreement and field.data.year != self.agreement.year:
            raise ValidationError(_l("Datoen skal ligge i aftalens år %(year)s",
                                     year=self.agreement.year))


class WellbeingForm(FlaskForm):
    centre_score = DanishDecimalField(_l("Centerets APV-score"), max_decimals=3, validators=[
        InputRequired(_l("Skriv centerets APV-score"))])
    town_hall_score = DanishDecimalField(_l("Rådhusets gennemsnit"), max_decimals=3, validators=[
        InputRequired(_l("Skriv rådhusets gennemsnit"))])
    measured_on = _date_field(_l("Målingens dato (valgfri)"))
    note = TextAreaField(_l("Note (valgfri)"), filters=[strip_text], validators=[
        Length(max=2000, message=_l("Noten må højst være 2.000 tegn"))])

    def validate_centre_score(self, field):
        if field.data is not None and field.data < 0:
            raise ValidationError(_l("Scoren kan ikke være negativ"))

    validate_town_hall_score = validate_centre_score


class BudgetActualForm(FlaskForm):
    salary_spent = KronerField(_l("Lønsum brugt i måneden (kr.)"), validators=[
        InputRequired(_l("Skriv lønsummen brugt i måneden"))])
    operating_spent = KronerField(_l("Driftssum brugt i måneden (kr.)"), validators=[
        InputRequired(_l("Skriv driftssummen brugt i måneden"))])
    note = TextAreaField(_l("Note (valgfri)"), filters=[strip_text], validators=[
        Length(max=2000, message=_l("Noten må højst være 2.000 tegn"))])


class BudgetFrameForm(FlaskForm):
    salary_budget = KronerField(_l("Lønsum (kr.)"), validators=[
        InputRequired(_l("Skriv lønsummen"))])
    operating_budget = KronerField(_l("Driftssum (kr.)"), validators=[
        InputRequired(_l("Skriv driftssummen"))])

    def validate_salary_budget(self, field):
        if field.data is not None and field.data < 0:
            raise ValidationError(_l("Beløbet kan ikke være negativt"))

    validate_operating_budget = validate_salary_budget


class SurveyRoundsForm(FlaskForm):
    first_starts_on = _date_field(_l("Første måling fra og med"))
    first_ends_on = _date_field(_l("Første måling til og med"))
    second_starts_on = _date_field(_l("Anden måling fra og med"))
    second_ends_on = _date_field(_l("Anden måling til og med"))

    def _pair(self, starts, ends, name):
        if bool(starts.data) != bool(ends.data):
            target = ends if starts.data else starts
            target.errors.append(_l("Skriv både start- og slutdato for %(name)s", name=name))
            return False
        if starts.data and ends.data < starts.data:
            ends.errors.append(_l("Slutdatoen skal ligge på eller efter startdatoen"))
            return False
        return True

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        first = self._pair(self.first_starts_on, self.first_ends_on, _l("første måling"))
        second = self._pair(self.second_starts_on, self.second_ends_on, _l("anden måling"))
        if valid and first and second and self.second_starts_on.data and not self.first_starts_on.data:
            self.first_starts_on.errors.append(_l("Opret første måling før anden måling"))
            return False
        return valid and first and second

    def period(self, which):
        starts = getattr(self, f"{which}_starts_on").data
        ends = getattr(self, f"{which}_ends_on").data
        return (starts, ends) if starts else None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FocusAreasForm(FlaskForm):
    questions = MultiCheckboxField(
        _l("Indsatsområder"),
        choices=[SelectChoice(question.value, QUESTION_LABELS[question]) for question in Question],
        validators=[DataRequired(_l("Vælg mindst ét indsatsområde"))])
    actions = TextAreaField(_l("Indsatser mellem de to målinger"), filters=[strip_text],
                            validators=[Length(max=5000, message=_l(
                                "Teksten må højst være 5.000 tegn"))])

