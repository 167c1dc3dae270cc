"""The OpenAPI 3.1 document, generated from the endpoints as declared (endpoints.py) and
the pydantic models the views validate and serialise with (schemas.py). pydantic writes
JSON Schema 2020-12, which is OpenAPI 3.1's schema language, so the models' schemas go
into `components.schemas` unchanged."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from assessment.web.api.endpoints import ENDPOINTS, Endpoint, endpoint
from assessment.web.api.problems import PREFIX, STANDARD
from assessment.web.api.schemas import MAX_ID, MAX_PAGE, ErrorBody, Figures

REF = "#/components/schemas/{model}"
_PARAMETER = re.compile(r"<(?:([^:<>]+):)?(\w+)>")
PATH_SCHEMAS = {"job_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{24}$"}}
ALWAYS = (400, 401, 404, 503)  # any request can be malformed, unauthorised, or meet a
# database that is down; 404 also answers another organisation's resource
DESCRIPTION = f"""The assessment tool's JSON API.

Authenticate with a personal API token (create one on your account page, /account):
`Authorization: Bearer <token>`. A token acts with your roles as they are at each
request. Lists are paginated with `limit` (at most {MAX_PAGE}) and `offset`. Every error
is `{{"error": {{"code", "message", "details"}}}}` with an English message and a stable
code."""


def _path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """An OpenAPI path and its parameters from a Flask rule."""
    parameters = []
    for converter, name in _PARAMETER.findall(rule):
        if converter == "int":
            schema: dict[str, Any] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
        elif converter.startswith("any("):
            schema = {"type": "string", "enum": [
                v.strip() for v in converter[4:-1].split(",")]}
        else:
            schema = PATH_SCHEMAS.get(name, {"type": "string"})
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return _PARAMETER.sub(r"{\2}", PREFIX + rule), parameters


def _query(model: type[BaseModel]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template=REF)
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        parameter: dict[str, Any] = {"name": name, "in": "query", "required": name in required,
                                     "schema": {k: v for k, v in prop.items()
                                                if k not in ("title", "description")}}
        if "description" in prop:
            parameter["description"] = prop["description"]
        if prop.get("type") == "array":
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters


def _error(status: int) -> dict[str, Any]:
    code, message = STANDARD[status]
    return {"description": f"{message} (e.g. code `{code}`)", "content": {
        "application/json": {"schema": {"$ref": REF.format(model="ErrorBody")}}}}


def _operation(declared: Endpoint, names: dict[tuple[Any, str], str]) -> dict[str, Any]:
    path, parameters = _path(declared.rule)
    operation: dict[str, Any] = {
        "operationId": declared.name, "summary": declared.summary, "tags": [declared.tag],
        "description": declared.description,
        "parameters": parameters + (_query(declared.query) if declared.query else []),
    }
    if declared.public:
        operation["security"] = []
    if declared.body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": REF.format(model=names[(declared.body, "validation")])}}}}
    if declared.uploads:
        from assessment.web.api.figures import UPLOAD_SCHEMAS

        operation["requestBody"] = {"required": True, "content": {
            media: {"schema": UPLOAD_SCHEMAS[media]} for media in declared.uploads}}
    if declared.response is not None:
        content = {"application/json": {"schema": {
            "$ref": REF.format(model=names[(declared.response, "serialization")])}}}
    else:
        content = {media: {"schema": schema} for media, schema in declared.files.items()}
    statuses = set(ALWAYS) | set(declared.errors)
    if declared.body is not None:
        statuses |= {413, 415, 422}
    if declared.query is not None:
        statuses |= {422}
    operation["responses"] = {str(declared.status): {"description": declared.summary,
                                                     "content": content}}
    operation["responses"] |= {str(status): _error(status) for status in sorted(statuses)}
    return operation


@cache
def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document (built once per process: the API does not change)."""
    models: list[tuple[Any, str]] = [(ErrorBody, "serialization"), (Figures, "serialization")]
    for declared in ENDPOINTS:
        if declared.body is not None:
            models.append((declared.body, "validation"))
        if declared.response is not None:
            models.append((declared.response, "serialization"))
    unique = list(dict.fromkeys(models))
    refs, schema = models_json_schema(unique, ref_template=REF)  # type: ignore[arg-type]
    names: dict[tuple[Any, str], str] = {
        key: ref["$ref"].rsplit("/", 1)[1] for key, ref in refs.items()}
    paths: dict[str, dict[str, Any]] = {}
    for declared in ENDPOINTS:
        path, _parameters = _path(declared.rule)
        paths.setdefault(path, {})[declared.method.lower()] = _operation(declared, names)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Digital maturity assessment API", "version": "1",
                 "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A personal API token from your account page (/account)."}},
        },
    }


@endpoint("/openapi.json", "GET", summary="This document", tag="meta", public=True,
          files={"application/json": {"type": "object"}})
def openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 description of the API (no token needed)."""
    return document()
