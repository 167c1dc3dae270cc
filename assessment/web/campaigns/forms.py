"""Campaign forms: create, edit, reopen, personal links, delete, and button forms."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from assessment.operations.campaigns import MAX_INVITED, MAX_THRESHOLD
from assessment.operations.names import NameRefused, clean_name
from assessment.stats.privacy import DEFAULT_THRESHOLD
from assessment.web.fields import ChoiceRadioField, DayField, ListField, WholeNumberField
from assessment.web.forms import TextForm

# The browser never offers a threshold below the product's default (5); the CLI keeps
# the engine's minimum for tests and special cases.
MIN_THRESHOLD = DEFAULT_THRESHOLD
MAX_LINKS = 10_000  # personal links issued by one download


def _clean_campaign_name(form: Any, field: StringField) -> None:
    """The name as it will be stored (see operations.names), or a message why not."""
    try:
        field.data = clean_name(field.data or "", "campaign")
    except NameRefused as refused:
        raise ValidationError({
            "empty": _("Give the campaign a name."),
            "too_long": _("Use at most %(max)d characters.", max=refused.limit),
            "control": _("The name cannot hold control characters."),
        }[refused.reason]) from None


def _name() -> StringField:
    return StringField(_l("Name"), validators=[
        InputRequired(message=_l("Give the campaign a name.")), _clean_campaign_name])


def _threshold() -> WholeNumberField:
    return WholeNumberField(
        _l("Anonymity threshold"), default=DEFAULT_THRESHOLD,
        description=_l("No figure about fewer people than this is ever shown (at least 5)."),
        validators=[InputRequired(message=_l("Give the anonymity threshold.")),
                    NumberRange(min=MIN_THRESHOLD, max=MAX_THRESHOLD,
                                message=_l("Give a number from %(min)s to %(max)s."))])


def _invited() -> WholeNumberField:
    return WholeNumberField(
        _l("Number of people invited"),
        description=_l("For the response rate; leave empty if you do not know."),
        validators=[Optional(), NumberRange(min=1, max=MAX_INVITED,
                                            message=_l("Give a number from %(min)s to %(max)s."))])


def _closes_on() -> DayField:
    return DayField(_l("Closing day"), validators=[Optional()],
                    description=_l("The last day answers are taken; leave empty to close "
                                   "it by hand."))


class EditCampaignForm(TextForm):
    """What may change about a campaign (see operations.campaigns.update_campaign)."""

    name = _name()
    questionnaire = ListField(_l("Questionnaire"), validators=[
        InputRequired(message=_l("Choose a questionnaire."))])
    opens_on = DayField(_l("Opening day"), validators=[
        InputRequired(message=_l("Give the opening day."))])
    closes_on = _closes_on()
    anonymity_threshold = _threshold()
    invited = _invited()
    submit = SubmitField(_l("Save changes"))


class CampaignForm(EditCampaignForm):
    """A new campaign: what an edit may change, and how people answer."""

    mode = ChoiceRadioField(_l("How people answer"), default="open", choices=[
        SelectChoice("open", _l("One open link for everyone")),
        SelectChoice("token", _l("Personal single-use links"))],
        validators=[InputRequired(message=_l("Choose how people answer."))])
    submit = SubmitField(_l("Create campaign"))


class ReopenForm(TextForm):
    """Reopen a closed campaign, optionally until a new closing day."""

    closes_on = DayField(_l("New closing day"), validators=[Optional()],
                         description=_l("Leave empty to keep it open until you close it."))
    submit = SubmitField(_l("Reopen"))


class CloseForm(TextForm):
    """Close a campaign early."""

    submit = SubmitField(_l("Close now"))


class LinksForm(TextForm):
    """Issue personal links and download them as CSV."""

    count = WholeNumberField(_l("Number of new links"), default=10, validators=[
        InputRequired(message=_l("Give the number of links.")),
        NumberRange(min=1, max=MAX_LINKS, message=_l("Give a number from %(min)s to %(max)s."))])
    submit = SubmitField(_l("Issue and download links (CSV)"))


class DeleteForm(TextForm):
    """Delete a campaign: its name typed again as confirmation."""

    confirm = StringField(_l("Type the campaign's name to confirm"), validators=[
        InputRequired(message=_l("Type the campaign's name."))])
    submit = SubmitField(_l("Delete the campaign and its answers"))
