"""Forms of the booking flow. Every message is Danish source text for Flask-Babel."""

import re

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, EmailField, HiddenField, RadioField, SelectChoice, StringField, TelField,
)
from wtforms.validators import DataRequired, Email, InputRequired, Length, ValidationError

from booking.models import MAX_PERSONS, Purpose

# Line breaks and other control characters have no place in a name, and in an e-mail
# header they would let a name smuggle in extra headers.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def strip_text(value):
    return value.strip() if isinstance(value, str) else value


class PurposeForm(FlaskForm):
    purpose = RadioField(
        _l("Hvad skal du bestille tid til?"),
        choices=[
            SelectChoice(Purpose.OWN.value, _l("Mit eget pas")),
            SelectChoice(Purpose.CHILD.value, _l("Pas til et barn under 18 år")),
            SelectChoice(Purpose.HOUSEHOLD.value, _l("Pas til flere personer i samme husstand")),
        ],
        validators=[InputRequired(_l("Vælg, hvad du skal bestille tid til"))],
    )
    persons = RadioField(
        _l("Hvor mange personer skal have pas?"),
        choices=[SelectChoice(str(n)) for n in range(2, MAX_PERSONS + 1)],
        validate_choice=False,
    )
    unit = RadioField(_l("Hvilken PAS-enhed vil du helst bruge?"), validate_choice=False)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unit.choices = [SelectChoice("any", _l("Første ledige PAS-enhed (anbefalet)"))] + [
            SelectChoice(str(unit.id), unit.name) for unit in units]

    def validate_persons(self, field):
        if self.purpose.data != Purpose.HOUSEHOLD.value:
            return
        if field.data not in {str(n) for n in range(2, MAX_PERSONS + 1)}:
            raise ValidationError(_l("Vælg, hvor mange personer der skal have pas"))

    def validate_unit(self, field):
        if field.data not in {choice.value for choice in self.unit.choices}:
            raise ValidationError(_l("Vælg en PAS-enhed"))

    @property
    def person_count(self):
        if self.purpose.data == Purpose.HOUSEHOLD.value:
            return int(self.persons.data)
        return 1


class TimeForm(FlaskForm):
    slot = RadioField(_l("Vælg et tidspunkt"), validate_choice=False,
                      validators=[InputRequired(_l("Vælg et tidspunkt"))])

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.slot.choices = [SelectChoice(value, label) for value, label in choices]

    def validate_slot(self, field):
        if field.data not in {choice.value for choice in self.slot.choices}:
            raise ValidationError(_l("Vælg et af de viste tidspunkter"))


def validate_name(form, field):
    if CONTROL_CHARACTERS.search(field.data or ""):
        raise ValidationError(_l("Navnet må ikke indeholde linjeskift eller kontroltegn"))


def normalize_phone(raw):
    """Return the number in E.164 form, reading numbers without a country code as Danish.

    Raise ValueError when it is not a valid mobile number.
    """
    try:
        number = phonenumbers.parse(raw, "DK")
    except phonenumbers.NumberParseException as error:
        raise ValueError(str(error)) from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("invalid number")
    kind = phonenumbers.number_type(number)
    if kind not in (phonenumbers.PhoneNumberType.MOBILE,
                    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise ValueError("not a mobile number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class DetailsForm(FlaskForm):
    name = StringField(
        _l("Fulde navn"),
        filters=[strip_text],
        validators=[DataRequired(_l("Indtast dit fulde navn")),
                    Length(max=100, message=_l("Navnet må højst være 100 tegn")),
                    validate_name],
    )
    email = EmailField(
        _l("E-mail"),
        filters=[strip_text],
        validators=[DataRequired(_l("Indtast din e-mailadresse")),
                    Length(max=254, message=_l("E-mailadressen må højst være 254 tegn")),
                    Email(_l("Indtast en gyldig e-mailadresse, fx navn@eksempel.dk"))],
    )
    phone = TelField(_l("Mobilnummer (valgfrit)"), filters=[strip_text])
    consent = BooleanField(
        _l("Jeg har læst, hvordan kommunen behandler mine oplysninger"),
        validators=[DataRequired(_l("Bekræft, at du har læst om behandlingen af dine "
                                    "oplysninger"))],
    )

    def validate_phone(self, field):
        if not field.data:
            field.data = None
            return
        if len(field.data) > 30:
            raise ValidationError(_l("Indtast et gyldigt mobilnummer, fx 20 12 34 56"))
        try:
            field.data = normalize_phone(field.data)
        except ValueError:
            raise ValidationError(_l(
                "Indtast et gyldigt mobilnummer, fx 20 12 34 56 eller +46 70 123 45 67")
            ) from None


class ConfirmForm(FlaskForm):
    altcha = HiddenField()


class ActionForm(FlaskForm):
    """A form with nothing but its CSRF token, for buttons that change something."""
