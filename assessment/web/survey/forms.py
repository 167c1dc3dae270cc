"""Forms. Questionnaire pages are built from the instrument definition, not by hand."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from assessment.instrument.questionnaire import Questionnaire, Section, translate
from assessment.web.forms import TextForm


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (WTForms has the widgets but no ready-made field)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _code(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


class ChoiceField(RadioField):
    """Radio buttons where 'no answer' is None and left to the required/optional check.

    WTForms' own RadioField turns a missing answer into the string "None" and reports
    "Not a valid choice" before InputRequired can give the friendlier message.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, coerce=_code, **kwargs)

    def pre_validate(self, form: Any) -> None:
        if self.data is not None:
            super().pre_validate(form)


class Exclusive:
    """Refuse an exclusive option ("None of these") ticked together with other options."""

    def __init__(self, exclusive: dict[str, str]):
        self.exclusive = exclusive  # code -> its label in the respondent's language

    def __call__(self, form: Any, field: Any) -> None:
        chosen = list(field.data or [])
        clash = next((code for code in chosen if code in self.exclusive), None)
        if clash is not None and len(chosen) > 1:
            raise ValidationError(_l("“%(option)s” cannot be ticked together with other "
                                     "answers.", option=self.exclusive[clash]))


class StartForm(TextForm):
    """The intro page's 'Start' button (a form so that it carries a CSRF token)."""

    start = SubmitField(_l("Start"))


class SectionForm(TextForm):
    """Base of the per-section forms; navigation buttons are plain named submits."""

    def answers(self) -> dict[str, Any]:
        """The item answers of this page, leaving out navigation and CSRF fields."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}


def section_form(
    questionnaire: Questionnaire, section: Section, language: str, **kwargs: Any
) -> SectionForm:
    """A form for one questionnaire section, labelled in the respondent's language."""
    return _section_form_class(questionnaire, section, language)(**kwargs)


def _section_form_class(
    questionnaire: Questionnaire, section: Section, language: str
) -> type[SectionForm]:
    """The form class of a section in a language, built once per app and kept.

    A class holds only unbound fields (labels, choices, validators), never a request's
    data, so every respondent's form can be an instance of it; building it anew took a
    tenth of a questionnaire page's time.
    """
    kept: dict[tuple[str, str, str], tuple[Section, type[SectionForm]]] = (
        current_app.extensions.setdefault("survey_form_classes", {}))
    key = (questionnaire.ident, section.key, language)
    found = kept.get(key)
    if found is None or found[0] is not section:
        found = kept[key] = (section, _build_section_form_class(questionnaire, section,
                                                                 language))
    return found[1]


def _build_section_form_class(
    questionnaire: Questionnaire, section: Section, language: str
) -> type[SectionForm]:
    class Form(SectionForm):
        pass

    for item in section.items:
        scale = questionnaire.scales[item.scale]
        choices = [SelectChoice(o.code, translate(o.label, language)) for o in scale.options]
        label = translate(item.text, language)
        field: Any
        if scale.kind == "multiple":
            exclusive = {o.code: translate(o.label, language) for o in scale.options
                         if o.exclusive}
            field = MultiCheckboxField(label, choices=choices,
                                       validators=[Optional(), Exclusive(exclusive)])
        else:
            required = InputRequired(message=_l("Please choose an answer."))
            field = ChoiceField(
                label, choices=choices, validators=[required] if item.required else [Optional()]
            )
        setattr(Form, item.key, field)
    return Form
