"""Portfolio forms: a new client organisation, its HR admin, its benchmark consent, and
the comparison PDF."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp

from assessment.instrument.attributes import SIZE_BANDS
from assessment.operations.organisations import MAX_NAME, MAX_SECTOR
from assessment.web.downloads.forms import ReportForm
from assessment.web.fields import ListField
from assessment.web.forms import TextForm


class OrganisationForm(TextForm):
    """A new client organisation: name, sector, size band and country."""

    name = StringField(_l("Name"), validators=[
        InputRequired(message=_l("Give the organisation's name.")),
        Length(max=MAX_NAME, message=_l("Use at most %(max)d characters."))])
    sector = StringField(_l("Sector"), description=_l(
        "As the benchmark groups organisations, e.g. Retail or Financial services."),
        validators=[InputRequired(message=_l("Give the sector.")),
                    Length(max=MAX_SECTOR, message=_l("Use at most %(max)d characters."))])
    size_band = ListField(_l("Size band (employees)"), choices=[
        SelectChoice(band, band) for band in SIZE_BANDS],
        validators=[InputRequired(message=_l("Choose a size band."))])
    country = StringField(_l("Country"), description=_l("Two-letter ISO code, e.g. PL."),
                          validators=[
                              InputRequired(message=_l("Give the country.")),
                              Regexp(r"^[A-Za-z]{2}$",
                                     message=_l("Give a two-letter ISO code, e.g. PL."))])
    benchmark_consent = BooleanField(_l(
        "The organisation agrees that its results enter the shared benchmark pool"))
    submit = SubmitField(_l("Create the organisation"))


class InviteForm(TextForm):
    """Invite the client's HR / L&D admin: an account limited to this organisation."""

    email = StringField(_l("E-mail address"), validators=[
        InputRequired(message=_l("Give an e-mail address.")),
        Length(max=254, message=_l("Use at most %(max)d characters."))])
    submit = SubmitField(_l("Invite the HR admin"))


class ConsentForm(TextForm):
    """Whether the organisation's results enter the shared benchmark pool."""

    benchmark_consent = BooleanField(_l(
        "The organisation agrees that its results enter the shared benchmark pool"))
    submit = SubmitField(_l("Save the setting"))


class ComparisonReportForm(ReportForm):
    """Ask for the comparison PDF of the campaigns on the page, in one language."""

    campaigns = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Download the comparison PDF"))
