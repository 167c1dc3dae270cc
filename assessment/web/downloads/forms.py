"""The "Download the report" form: the report's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from assessment.web.fields import ListField
from assessment.web.forms import TextForm

# Each language in its own name, as the language switcher shows them.
LANGUAGE_NAMES = {"en": "English", "pl": "Polski", "ru": "Русский", "zh": "中文",
                  "lv": "Latviešu"}


class ReportForm(TextForm):
    """Ask for the organisation report in one language."""

    language = ListField(_l("Language of the report"), validators=[
        InputRequired(message=_l("Choose a language."))])
    submit = SubmitField(_l("Download the report"))

    def offer(self, languages: list[str], chosen: str) -> ReportForm:
        """Offer these languages, with `chosen` selected unless the form says otherwise."""
        self.language.choices = [SelectChoice(code, LANGUAGE_NAMES.get(code, code))
                                 for code in languages]
        if not self.language.data:
            self.language.data = chosen
        return self
