"""Forms of the staff pages. Every message is Danish source text for Flask-Babel."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from booking.forms import strip_text


class LoginForm(FlaskForm):
    username = StringField(_l("Brugernavn"), filters=[strip_text],
                           validators=[DataRequired(_l("Indtast dit brugernavn")),
                                       Length(max=40, message=_l("Brugernavnet er for langt"))])
    password = PasswordField(_l("Adgangskode"),
                             validators=[DataRequired(_l("Indtast din adgangskode")),
                                         Length(max=256, message=_l("Adgangskoden er for lang"))])
