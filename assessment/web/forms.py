"""The base of every form: filled from the request's text fields only."""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_wtf import FlaskForm

_FROM_REQUEST = object()
SUBMIT_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class TextForm(FlaskForm):
    """A FlaskForm that reads only the posted text fields.

    Flask-WTF also fills a form from uploaded files and from a JSON body; a file, a number
    or a list arriving where a text field is expected reached the validators and failed
    there (a 500). Nothing here takes files or JSON, so a post of either is read as a form
    with those fields missing and gets the form's usual messages (a 4xx).
    """

    def __init__(self, formdata: Any = _FROM_REQUEST, **kwargs: Any) -> None:
        if formdata is _FROM_REQUEST:
            submitted = has_request_context() and request.method in SUBMIT_METHODS
            formdata = request.form if submitted and request.form else None
        super().__init__(formdata=formdata, **kwargs)
