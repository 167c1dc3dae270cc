"""Form fields whose own error messages come from our catalogues.

WTForms writes "Not a valid date value." and the like from its own translations, which
lack Latvian; these fields say it in words of our catalogue, in all five languages.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from wtforms import DateField, IntegerField, RadioField, SelectField
from wtforms.validators import ValidationError


class DayField(DateField):
    """A date (YYYY-MM-DD, as <input type="date"> sends it)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Give a date like 2026-12-31.")) from None


class WholeNumberField(IntegerField):
    """A whole number."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Give a whole number.")) from None


class ListField(SelectField):
    """A drop-down list whose only error is a value that is not on the list."""

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_("Choose one of the options on the list.")) from None


class ChoiceRadioField(RadioField):
    """Radio buttons whose only error is a value that is not among them."""

    def pre_validate(self, form: Any) -> None:
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(_("Choose one of the options on the list.")) from None
