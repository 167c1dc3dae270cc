"""The import forms: upload a file; confirm the previewed one."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField
from wtforms.validators import InputRequired


class UploadForm(FlaskForm):
    """A CSV or XLSX file of answers, checked and previewed before anything is stored."""

    file = FileField(_l("File of answers (CSV or XLSX)"), validators=[
        FileRequired(message=_l("Choose a CSV or XLSX file to upload."))],
        render_kw={"accept": ".csv,.xlsx,.xlsm"})
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(FlaskForm):
    """Store the previewed file; `digest` names the file the preview showed."""

    digest = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Store these responses"))
