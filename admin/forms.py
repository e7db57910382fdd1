"""Forms of the staff pages. Every message is Danish source text for Flask-Babel."""

import re
from datetime import time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, EmailField, HiddenField, IntegerField, PasswordField, RadioField,
    SelectChoice, SelectField, StringField, TelField, TimeField,
)
from wtforms.validators import (
    DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError,
)

from admin.labels import PURPOSE_LABELS, ROLE_LABELS
from admin.models import Role
from booking.forms import TimeForm, normalize_phone, strip_text, validate_name
from booking.models import MAX_PERSONS, HolidayMode, Purpose
from booking.slots import OPTIONAL_CLOSING_DAYS

WEEKDAY_LABELS = [_l("Mandag"), _l("Tirsdag"), _l("Onsdag"), _l("Torsdag"), _l("Fredag"),
                  _l("Lørdag"), _l("Søndag")]
HOLIDAY_LABELS = {
    "christmas_eve": _l("Juleaftensdag (24. december)"),
    "new_years_eve": _l("Nytårsaftensdag (31. december)"),
    "may_day": _l("1. maj"),
    "constitution_day": _l("Grundlovsdag (5. juni)"),
}
HOLIDAY_MODE_LABELS = {
    HolidayMode.OPEN: _l("Åbent som normalt"),
    HolidayMode.HALF_DAY: _l("Åbent til kl. 12"),
    HolidayMode.CLOSED: _l("Lukket hele dagen"),
}
# One period is "9.30-12" or "09:30–12:00"; periods are separated by commas.
PERIOD_PATTERN = re.compile(
    r"\s*(\d{1,2})(?:[.:](\d{2}))?\s*[-–]\s*(\d{1,2})(?:[.:](\d{2}))?\s*")


def purpose_choices():
    return [SelectChoice(purpose.value, label) for purpose, label in PURPOSE_LABELS.items()]


def persons_choices():
    return [SelectChoice(str(number)) for number in range(1, MAX_PERSONS + 1)]


class LoginForm(FlaskForm):
    username = StringField(_l("Brugernavn"), filters=[strip_text],
                           validators=[DataRequired(_l("Indtast dit brugernavn")),
                                       Length(max=40, message=_l("Brugernavnet er for langt"))])
    password = PasswordField(_l("Adgangskode"),
                             validators=[DataRequired(_l("Indtast din adgangskode")),
                                         Length(max=256, message=_l("Adgangskoden er for lang"))])


class CheckinForm(FlaskForm):
    code = StringField(_l("Bookingkode"), filters=[strip_text],
                       validators=[DataRequired(_l("Indtast eller scan bookingkoden")),
                                   Length(max=20, message=_l("Bookingkoden har 6 tegn"))])
    accept_late = HiddenField()


class WalkInForm(FlaskForm):
    purpose = RadioField(_l("Hvad skal borgeren have?"), choices=purpose_choices(),
                         validators=[InputRequired(_l("Vælg, hvad borgeren skal have"))])
    persons = SelectField(_l("Antal personer"), choices=persons_choices(), default="1")


class KioskStartForm(FlaskForm):
    name = StringField(_l("Navn på enheden"), filters=[strip_text],
                       validators=[DataRequired(_l("Giv enheden et navn, fx Tablet ved indgangen")),
                                   Length(max=60, message=_l("Navnet må højst være 60 tegn"))])


class AssistedSearchForm(FlaskForm):
    """The first part of an assisted booking: what, how many, where and which day."""

    class Meta:
        csrf = False  # Sent with GET; it changes nothing.

    purpose = RadioField(_l("Hvad skal borgeren have?"), choices=purpose_choices(),
                         validators=[InputRequired(_l("Vælg, hvad borgeren skal have"))])
    persons = SelectField(_l("Antal personer"), choices=persons_choices(), default="1")
    unit = SelectField(_l("PAS-enhed"), validate_choice=False)
    day = DateField(_l("Dag"), validators=[InputRequired(_l("Vælg en dag"))])

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = [SelectChoice("any", _l("Første ledige"))] + [
            SelectChoice(str(unit.id), unit.name) for unit in units]

    def validate_unit(self, field):
        if field.data not in {choice.value for choice in self.unit.choices}:
            raise ValidationError(_l("Vælg en PAS-enhed"))

    def validate_persons(self, field):
        if self.purpose.data != Purpose.HOUSEHOLD and field.data != "1":
            raise ValidationError(_l("Flere personer kan kun vælges for en husstand"))

    @property
    def unit_id(self):
        return None if self.unit.data == "any" else int(self.unit.data)


def validate_optional_phone(form, field):
    if not field.data:
        field.data = None
        return
    if len(field.data) > 30:
        raise ValidationError(_l("Indtast et gyldigt mobilnummer, fx 20 12 34 56"))
    try:
        field.data = normalize_phone(field.data)
    except ValueError:
        raise ValidationError(_l("Indtast et gyldigt mobilnummer, fx 20 12 34 56")) from None


class AssistedDetailsForm(FlaskForm):
    slot = RadioField(_l("Tidspunkt"), validate_choice=False,
                      validators=[InputRequired(_l("Vælg et tidspunkt"))])
    name = StringField(_l("Borgerens fulde navn"), filters=[strip_text],
                       validators=[DataRequired(_l("Indtast borgerens fulde navn")),
                                   Length(max=100, message=_l("Navnet må højst være 100 tegn")),
                                   validate_name])
    email = EmailField(_l("E-mail (valgfri)"), filters=[strip_text], validators=[
        Optional(),
        Length(max=254, message=_l("E-mailadressen må højst være 254 tegn")),
        Email(_l("Indtast en gyldig e-mailadresse, fx navn@eksempel.dk"))])
    phone = TelField(_l("Mobilnummer (valgfrit)"), filters=[strip_text],
                     validators=[validate_optional_phone])
    language = RadioField(_l("Sprog i e-mails"), default="da",
                          choices=[SelectChoice("da", _l("Dansk")),
                                   SelectChoice("en", _l("Engelsk"))])

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.slot.choices = [SelectChoice(value, label) for value, label in choices]

    def validate_slot(self, field):
        if field.data not in {choice.value for choice in self.slot.choices}:
            raise ValidationError(_l("Vælg et af de viste tidspunkter"))

    def validate(self, extra_validators=None):
        """Validate the fields, then require an e-mail address or a mobile number.

        Either is enough: a citizen who phones in may have no e-mail address, and then
        gets no confirmation.
        """
        valid = super().validate(extra_validators)
        self.email.data = self.email.data or None
        if not self.email.data and not self.phone.data and not self.phone.errors:
            self.email.errors = list(self.email.errors) + [
                _l("Indtast en e-mailadresse eller et mobilnummer")]
            return False
        return valid


class RescheduleForm(TimeForm):
    slot = RadioField(_l("Ny tid"), validate_choice=False,
                      validators=[InputRequired(_l("Vælg et tidspunkt"))])


class UnitForm(FlaskForm):
    name = StringField(_l("Navn"), filters=[strip_text],
                       validators=[DataRequired(_l("Indtast et navn, fx PAS 3")),
                                   Length(max=60, message=_l("Navnet må højst være 60 tegn"))])
    location = StringField(_l("Placering (vises for borgeren)"), filters=[strip_text], validators=[
        Length(max=200, message=_l("Placeringen må højst være 200 tegn"))])
    position = IntegerField(_l("Rækkefølge"), default=0,
                            validators=[InputRequired(_l("Indtast et tal")),
                                        NumberRange(0, 999, _l("Indtast et tal fra 0 til 999"))])
    slot_minutes = IntegerField(_l("Længde af en tid (minutter)"), default=15, validators=[
        InputRequired(_l("Indtast længden af en tid i minutter")),
        NumberRange(5, 120, _l("En tid skal vare fra 5 til 120 minutter"))])
    horizon_days = IntegerField(_l("Kan bookes så mange dage frem"), default=60, validators=[
        InputRequired(_l("Indtast antal dage")),
        NumberRange(1, 366, _l("Indtast fra 1 til 366 dage"))])
    lead_minutes = IntegerField(_l("Skal bookes mindst så mange minutter før"), default=120,
                                validators=[
                                    InputRequired(_l("Indtast antal minutter")),
                                    NumberRange(0, 10080, _l("Indtast fra 0 til 10080 minutter"))])
    is_active = BooleanField(_l("Enheden tager imod bookinger"), default=True)


def parse_periods(text):
    """Return [(opens, closes)] from text such as "9.30-12, 12.30-15.00"; raise ValueError."""
    periods = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        match = PERIOD_PATTERN.fullmatch(part)
        if not match:
            raise ValueError(part.strip())
        open_hour, open_minute, close_hour, close_minute = match.groups()
        opens = time(int(open_hour), int(open_minute or 0))
        closes = time(int(close_hour), int(close_minute or 0))
        periods.append((opens, closes))
    return sorted(periods)


def _make_hours_form():
    fields = {
        f"day{weekday}": StringField(label, filters=[strip_text],
                                     validators=[Length(max=200, message=_l("For lang tekst"))])
        for weekday, label in enumerate(WEEKDAY_LABELS)
    }
    return type("HoursForm", (FlaskForm,), fields)


HoursForm = _make_hours_form()
HoursForm.__doc__ = ("Weekly opening hours: one text field per weekday, e.g. "
                     "'9.30-12, 12.30-15'. admin.schedule checks the periods.")


class ClosureForm(FlaskForm):
    unit = SelectField(_l("Hvad lukker?"), validate_choice=False)
    first_day = DateField(_l("Fra dag"), validators=[InputRequired(_l("Vælg den første dag"))])
    starts = TimeField(_l("Fra kl. (tom: hele dagen)"), validators=[Optional()])
    last_day = DateField(_l("Til og med dag"),
                         validators=[InputRequired(_l("Vælg den sidste dag"))])
    ends = TimeField(_l("Til kl. (tom: hele dagen)"), validators=[Optional()])
    reason = StringField(_l("Årsag (kun for personalet)"), filters=[strip_text],
                         validators=[DataRequired(_l("Skriv en årsag, fx Personalemøde")),
                                     Length(max=200, message=_l("Årsagen må højst være 200 tegn"))])

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = [SelectChoice("", _l("Hele centret"))] + [
            SelectChoice(str(unit.id), unit.name) for unit in units]

    def validate_unit(self, field):
        if field.data not in {choice.value for choice in self.unit.choices}:
            raise ValidationError(_l("Vælg hele centret eller en PAS-enhed"))

    def validate_last_day(self, field):
        if self.first_day.data and field.data and field.data < self.first_day.data:
            raise ValidationError(_l("Den sidste dag må ikke ligge før den første"))

    @property
    def unit_id(self):
        return int(self.unit.data) if self.unit.data else None


def _make_holiday_form():
    choices = [SelectChoice(mode.value, label) for mode, label in HOLIDAY_MODE_LABELS.items()]
    fields = {key: RadioField(HOLIDAY_LABELS[key], choices=choices,
                              validators=[InputRequired(_l("Vælg, hvordan dagen skal håndteres"))])
              for key in OPTIONAL_CLOSING_DAYS}
    return type("HolidayRulesForm", (FlaskForm,), fields)


HolidayRulesForm = _make_holiday_form()


class CounterForm(FlaskForm):
    name = StringField(_l("Navn"), filters=[strip_text],
                       validators=[DataRequired(_l("Indtast et navn, fx Skranke 5")),
                                   Length(max=60, message=_l("Navnet må højst være 60 tegn"))])
    unit = SelectField(_l("PAS-enhed, der betjenes herfra"), validate_choice=False)
    position = IntegerField(_l("Rækkefølge"), default=0,
                            validators=[InputRequired(_l("Indtast et tal")),
                                        NumberRange(0, 999, _l("Indtast et tal fra 0 til 999"))])
    is_active = BooleanField(_l("Skranken er i brug"), default=True)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = [SelectChoice("", _l("Ingen"))] + [
            SelectChoice(str(unit.id), unit.name) for unit in units]

    def validate_unit(self, field):
        if field.data not in {choice.value for choice in self.unit.choices}:
            raise ValidationError(_l("Vælg en PAS-enhed"))

    @property
    def unit_id(self):
        return int(self.unit.data) if self.unit.data else None


def role_choices():
    return [SelectChoice(role.value, ROLE_LABELS[role]) for role in Role]


class StaffCreateForm(FlaskForm):
    username = StringField(_l("Brugernavn"), filters=[strip_text], validators=[
        DataRequired(_l("Indtast et brugernavn")),
        Length(max=40, message=_l("Brugernavnet må højst være 40 tegn"))])
    display_name = StringField(_l("Navn"), filters=[strip_text], validators=[
        DataRequired(_l("Indtast medarbejderens navn")),
        Length(max=100, message=_l("Navnet må højst være 100 tegn")), validate_name])
    role = RadioField(_l("Rolle"), validators=[InputRequired(_l("Vælg en rolle"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class StaffEditForm(FlaskForm):
    display_name = StringField(_l("Navn"), filters=[strip_text], validators=[
        DataRequired(_l("Indtast medarbejderens navn")),
        Length(max=100, message=_l("Navnet må højst være 100 tegn")), validate_name])
    role = RadioField(_l("Rolle"), validators=[InputRequired(_l("Vælg en rolle"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Nuværende adgangskode"),
                            validators=[DataRequired(_l("Indtast din nuværende adgangskode"))])
    new = PasswordField(_l("Ny adgangskode (mindst 12 tegn)"),
                        validators=[DataRequired(_l("Indtast en ny adgangskode")),
                                    Length(min=12, max=256,
                                           message=_l("Adgangskoden skal have 12 til 256 tegn"))])
    repeat = PasswordField(_l("Gentag den nye adgangskode"),
                           validators=[DataRequired(_l("Gentag den nye adgangskode"))])

    def validate_repeat(self, field):
        if field.data != self.new.data:
            raise ValidationError(_l("De to adgangskoder er ikke ens"))


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # Sent with GET; it changes nothing.

    day = DateField(_l("Dag"), validators=[Optional()])
    staff = SelectField(_l("Medarbejder"), validate_choice=False)
    code = StringField(_l("Bookingkode"), filters=[strip_text],
                       validators=[Length(max=20, message=_l("Bookingkoden har 6 tegn"))])

    def __init__(self, *args, staff_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.staff.choices = [SelectChoice("", _l("Alle"))] + [
            SelectChoice(str(staff_id), f"{name} ({username})")
            for staff_id, name, username in staff_choices]

    @property
    def staff_id(self):
        return int(self.staff.data) if (self.staff.data or "").isdigit() else None
