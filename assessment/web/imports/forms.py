"""The import forms: upload a file; confirm the previewed one."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from werkzeug.datastructures import CombinedMultiDict
from wtforms import HiddenField, SubmitField
from wtforms.validators import InputRequired

from assessment.web.forms import SUBMIT_METHODS, TextForm


class UploadForm(TextForm):
    """A CSV or XLSX file of answers, checked and previewed before anything is stored.

    The one form that takes a file: it reads the posted files and text fields, never a
    JSON body (which Flask-WTF would otherwise read as the form).
    """

    file = FileField(_l("File of answers (CSV or XLSX)"), validators=[
        FileRequired(message=_l("Choose a CSV or XLSX file to upload."))],
        render_kw={"accept": ".csv,.xlsx,.xlsm"})
    submit = SubmitField(_l("Check the file"))

    def __init__(self, **kwargs: Any) -> None:
        formdata: CombinedMultiDict[str, Any] | None = None
        if request.method in SUBMIT_METHODS and (request.files or request.form):
            formdata = CombinedMultiDict([request.files, request.form])
        super().__init__(formdata=formdata, **kwargs)


class ConfirmForm(TextForm):
    """Store the previewed file; `digest` names the file the preview showed."""

    digest = HiddenField(validators=[InputRequired()])
    submit = SubmitField(_l("Store these responses"))
