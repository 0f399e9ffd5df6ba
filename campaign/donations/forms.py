from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ..validators import NoControlCharacters
from .money import PRESETS, SUPPORTED_CURRENCIES, InvalidAmount, Money


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class DonateForm(FlaskForm):
    """The donate form; the preset buttons follow the chosen currency (set in __init__)."""

    currency = SelectField(_l("Currency"), validate_choice=False)
    amount = RadioField(_l("Amount"), validate_choice=False,
                        validators=[InputRequired(_l("Please choose an amount."))])
    custom_amount = StringField(_l("Other amount"), filters=[_strip],
                                validators=[Length(max=20), NoControlCharacters()])
    frequency = RadioField(_l("How often"), default="one_time",
                           choices=[("one_time", _l("Once")), ("monthly", _l("Monthly"))],
                           validators=[InputRequired(_l("Please choose how often."))])
    donor_name = StringField(
        _l("Your name (optional)"), filters=[_strip],
        validators=[Length(max=120, message=_l("Your name can be at most 120 characters.")),
                    NoControlCharacters()])
    public = BooleanField(_l("Show my name on the list of donors"))

    def __init__(self, currencies: list[str], selected: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.currencies = currencies
        self.currency.choices = [(code, code) for code in currencies]
        if not self.currency.data:  # a posted currency is validated, never swapped
            self.currency.data = selected
        presets = PRESETS.get(self.currency.data, ())
        self.amount.choices = [(str(value), str(value)) for value in presets] + [
            ("other", _l("Other amount"))]
        if not self.amount.data and presets and not self.is_submitted():
            # One amount chosen already (the second preset: a common gift), so one click on
            # "continue" is enough; a posted form keeps what was sent.
            self.amount.data = str(presets[min(1, len(presets) - 1)])
        self.money: Money | None = None

    def validate_currency(self, field: Any) -> None:
        if field.data not in self.currencies:
            raise ValidationError(_l("Please choose one of the currencies offered."))

    def validate_amount(self, field: Any) -> None:
        currency = self.currency.data
        if field.data == "other":
            try:
                self.money = Money.parse(self.custom_amount.data or "", currency)
            except InvalidAmount:
                self.custom_amount.errors = list(self.custom_amount.errors) + [
                    _l("Please enter an amount such as 25 or 25.50.")]
                raise ValidationError(_l("Please enter a valid amount.")) from None
            return
        if field.data not in {str(v) for v in PRESETS.get(currency, ())}:
            raise ValidationError(_l("Please choose an amount."))
        self.money = Money(Decimal(field.data), currency)

    def validate_public(self, field: Any) -> None:
        if field.data and not self.donor_name.data:
            raise ValidationError(_l("Please give the name to show, or untick this box."))


class OfflineDonationForm(FlaskForm):
    amount = StringField(_l("Amount"), filters=[_strip],
                         validators=[InputRequired(_l("Please enter the amount.")),
                                     Length(max=20)])
    currency = SelectField(_l("Currency"),
                           choices=[(code, code) for code in SUPPORTED_CURRENCIES])
    received = RadioField(_l("Status"), default="received",
                          choices=[("received", _l("Received")),
                                   ("pledge", _l("Pledged, not yet received"))])
    received_on = DateField(_l("Date received"), validators=[Optional()])
    donor_name = StringField(_l("Donor's name (optional)"), filters=[_strip],
                             validators=[Length(max=120), NoControlCharacters()])
    public = BooleanField(_l("The donor agreed to be named on the donor list"))
    note = TextAreaField(_l("Note (for organizers only)"), filters=[_strip],
                         validators=[Length(max=1000), NoControlCharacters(multiline=True)])

    def validate_amount(self, field: Any) -> None:
        try:
            self.money = Money.parse(field.data or "", self.currency.data or "EUR")
        except InvalidAmount:
            raise ValidationError(_l("Please enter an amount such as 25 or 25.50.")) from None


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DonationSettingsForm(FlaskForm):
    currencies = MultiCheckboxField(
        _l("Currencies donors may choose"),
        choices=[(code, code) for code in SUPPORTED_CURRENCIES],
        validators=[InputRequired(_l("Please enable at least one currency."))])
    goal_amount = DecimalField(_l("Legal-aid goal (optional)"), places=None,
                               validators=[Optional(), NumberRange(min=0, max=10**12)])
    goal_currency = SelectField(_l("Currency of the goal"),
                                choices=[(code, code) for code in SUPPORTED_CURRENCIES])
    rates = TextAreaField(
        _l("Conversion rates, one per line, e.g. \"USD 0.92\" (units of the goal currency "
           "per unit); currencies without a rate are shown but not counted towards the goal"),
        filters=[_strip], validators=[Length(max=2000), NoControlCharacters(multiline=True)])
    offline_instructions = TextAreaField(
        _l("Offline ways to give (bank transfer details)"), filters=[_strip],
        validators=[Length(max=4000), NoControlCharacters(multiline=True)])

    def validate_rates(self, field: Any) -> None:
        self.parsed_rates: dict[str, Decimal] = {}
        for line in (field.data or "").splitlines():
            if not line.strip():
                continue
            parts = line.replace("=", " ").split()
            try:
                code, rate = parts[0].upper(), Decimal(parts[1].replace(",", "."))
            except (IndexError, InvalidOperation):
                raise ValidationError(_l("Write each rate as a currency code and a number, "
                                         "e.g. \"USD 0.92\".")) from None
            if code not in SUPPORTED_CURRENCIES or not rate.is_finite() or rate <= 0 \
                    or len(parts) != 2:
                raise ValidationError(_l("Write each rate as a currency code and a number, "
                                         "e.g. \"USD 0.92\"."))
            self.parsed_rates[code] = rate
