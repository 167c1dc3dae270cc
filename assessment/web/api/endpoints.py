"""How an API view is declared: `@endpoint(...)` registers the route on the blueprint,
authenticates the bearer token, validates the query and body with the view's pydantic
models, serialises its answer, and records all of it for the OpenAPI document
(assessment/web/api/openapi.py), so the document describes what the views really do.

Hand-written rather than flask-openapi3 / spectree / flask-smorest: each of those brings
its own request parsing, error format or Swagger UI we would then have to bend to the
error body and the bearer-only authentication asked for here, while pydantic (already a
dependency) gives the validation and the JSON Schema 2020-12 that OpenAPI 3.1 uses; what
is left is this decorator and a generator of about a hundred lines.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, get_origin

from flask import Blueprint, Response, g, jsonify, request
from flask.typing import ResponseReturnValue
from pydantic import BaseModel, ValidationError

from assessment.extensions import csrf, db
from assessment.models import Campaign, Organisation, User, utc_today
from assessment.operations.accounts import can_access
from assessment.operations.api_tokens import user_by_api_token
from assessment.web.api.problems import PREFIX, ApiError, error_response
from assessment.web.api.schemas import MAX_ID, Body, Query
from assessment.web.errors import release_session

bp = Blueprint("api", __name__, url_prefix=PREFIX)
csrf.exempt(bp)  # bearer tokens only, never cookies: nothing for a forged form to ride on
JSON_BODY_LIMIT = 64 * 1024  # bytes of a JSON request body


@dataclass
class Endpoint:
    """One operation of the API, as the view declared it."""

    rule: str
    method: str
    name: str
    summary: str
    tag: str
    status: int = 200
    query: type[Query] | None = None
    body: type[Body] | None = None
    uploads: dict[str, str] = field(default_factory=dict)  # media type -> file suffix
    upload_limit: int = 0
    response: Any = None  # a pydantic model (or generic alias), or None for files
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # media type -> schema
    errors: tuple[int, ...] = ()
    public: bool = False
    description: str = ""


ENDPOINTS: list[Endpoint] = []


def endpoint(rule: str, method: str, *, summary: str, tag: str, **options: Any
             ) -> Callable[[Callable[..., Any]], Callable[..., ResponseReturnValue]]:
    """Declare an API view (see the module's docstring); options are Endpoint's fields."""

    def decorate(view: Callable[..., Any]) -> Callable[..., ResponseReturnValue]:
        declared = Endpoint(rule, method, view.__name__, summary, tag,
                            description=inspect.cleandoc(view.__doc__ or ""), **options)
        ENDPOINTS.append(declared)

        @functools.wraps(view)
        def handle(**path: Any) -> ResponseReturnValue:
            if any(isinstance(value, int) and value > MAX_ID for value in path.values()):
                raise ApiError(404)  # no row has such an id (and the database can't say so)
            if not declared.public:
                authenticate()
            arguments = dict(path)
            if declared.query is not None:
                arguments["query"] = parse_query(declared.query)
            if declared.body is not None:
                arguments["body"] = parse_body(declared.body)
            if declared.uploads:
                arguments["upload"] = read_upload(declared.uploads, declared.upload_limit)
            result = view(**arguments)
            if isinstance(result, Response):
                return result
            response = jsonify(result.model_dump(mode="json") if isinstance(result, BaseModel)
                               else result)
            response.status_code = declared.status
            return response

        bp.add_url_rule(rule, view.__name__, handle, methods=[method])
        return handle

    return decorate


@bp.errorhandler(ApiError)
def api_error(exc: ApiError) -> ResponseReturnValue:
    """An API error: end whatever the request had begun, answer the error body."""
    release_session()  # rolls back; a dead connection is let go rather than raised
    return error_response(exc)


@bp.after_request
def no_store(response: Response) -> Response:
    """Answers are per account: no shared cache keeps them."""
    response.headers.setdefault("Cache-Control", "private, no-store")
    return response


# --- who is asking ---------------------------------------------------------------------

def authenticate() -> User:
    """The account of the request's bearer token; 401 without a valid one.

    Only the Authorization header counts: a browser's session cookie never authenticates
    an API call, so a page on another site cannot make a signed-in browser use the API.
    """
    scheme, _sep, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise ApiError(401)
    user = user_by_api_token(credentials.strip(), utc_today())
    if user is None:
        raise ApiError(401, "invalid_token", "The API token is not valid or has been revoked.")
    db.session.commit()  # the token's last-used day, whatever the request then does
    g.api_user = user
    return user


def api_user() -> User:
    """The account the request acts for (set by `authenticate`)."""
    user: User = g.api_user
    return user


def organisation_or_404(organisation_id: int) -> Organisation:
    """An organisation the account may work on; 404 for another's as for a missing one."""
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not can_access(api_user(), organisation.id):
        raise ApiError(404)
    return organisation


def campaign_or_404(campaign_id: int) -> Campaign:
    """A campaign the account may work on; 404 for another's as for a missing one."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or not can_access(api_user(), campaign.organisation_id):
        raise ApiError(404)
    return campaign


# --- reading requests --------------------------------------------------------------------

def _field_errors(exc: ValidationError) -> dict[str, Any]:
    """pydantic's errors without the values sent (they may hold secrets)."""
    return {"fields": [
        {"location": [str(part) for part in error["loc"]], "type": error["type"],
         "message": error["msg"]}
        for error in exc.errors(include_url=False, include_context=False, include_input=False)
    ]}


def parse_query(model: type[Query]) -> Query:
    """The query string validated by `model` (list fields take repeated parameters)."""
    values: dict[str, Any] = {}
    for name, given in request.args.lists():
        info = model.model_fields.get(name)
        is_list = info is not None and get_origin(info.annotation) is list
        values[name] = given if is_list else given[0]
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ApiError(422, "invalid", "Some query parameters are not valid.",
                       _field_errors(exc)) from None


def parse_body(model: type[Body]) -> Body:
    """The JSON body validated strictly by `model`: 415, 413, 400 or 422 otherwise."""
    if request.mimetype != "application/json":
        raise ApiError(415, message="Send a JSON body (Content-Type: application/json).")
    request.max_content_length = JSON_BODY_LIMIT
    raw = request.get_data(cache=True)
    try:
        return model.model_validate_json(raw or b"", strict=True)
    except ValidationError as exc:
        if any(error["type"] == "json_invalid" for error in exc.errors()):
            raise ApiError(400, "malformed_json", "The body is not valid JSON.") from None
        raise ApiError(422, "invalid", "The body is not valid.", _field_errors(exc)) from None


@dataclass(frozen=True)
class Upload:
    """A file sent as the request body: its bytes and the file name its type implies."""

    content: bytes
    filename: str


def read_upload(types: dict[str, str], limit: int) -> Upload:
    """The request body as a file of one of `types` (media type -> suffix)."""
    suffix = types.get(request.mimetype)
    if suffix is None:
        raise ApiError(415, message=f"Send the file as one of: {', '.join(types)}.")
    request.max_content_length = limit
    return Upload(request.get_data(cache=True), f"upload{suffix}")
