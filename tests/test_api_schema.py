"""Schemathesis against the served OpenAPI document, in process (WSGI): for every
operation, requests generated from the document (valid ones, and invalid ones), sent with
an administrator's token, both to generated ids and to the ids of real resources. No
answer may be a 5xx, and every answer must be documented (status and media type) and
match its schema. The example count is bounded so the test takes seconds, not minutes."""

from __future__ import annotations

import re
from typing import Any

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api_support import bearer
from tests.workspace.conftest import World

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
PARAMETER = re.compile(r"<(?:[^:<>]+:)?(\w+)>")
EXAMPLES = 12  # per operation and generation mode


def _real_ids(world: World, path: str) -> dict[str, Any]:
    """The ids of existing resources for an operation's path parameters."""
    ids: dict[str, Any] = {"organisation_id": world.organisation, "job_id": world.job,
                           "campaign_id": world.token_campaign if path.endswith("/links")
                           else world.campaign}
    return {name: value for name, value in ids.items() if "{" + name + "}" in path}


def test_the_api_keeps_to_its_openapi_document(app: Flask, api_world: World,
                                               api_tokens: dict[str, str]) -> None:
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = bearer(api_tokens["admin"])
    operations = [result.ok() for result in schema.get_all_operations()]
    # Every route of the API is in the document (schemathesis leaves out the document's
    # own path).
    routes = {method + " " + PARAMETER.sub(r"{\1}", rule.rule)
              for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")
              for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    assert {o.label for o in operations} == routes - {"GET /api/v1/openapi.json"}
    for operation in operations:
        strategies = []
        for mode in (schemathesis.GenerationMode.POSITIVE,
                     schemathesis.GenerationMode.NEGATIVE):
            strategies.append(operation.as_strategy(generation_mode=mode))
            real = _real_ids(api_world, operation.path)
            if real:
                strategies.append(operation.as_strategy(generation_mode=mode,
                                                        path_parameters=real))

        @settings(max_examples=EXAMPLES * len(strategies), deadline=None, database=None,
                  derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=st.one_of(strategies))
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()


def test_the_document_is_built_from_the_views_schemas(client: Any) -> None:
    from assessment.web.api.schemas import CampaignIn, ErrorBody, LinksIn

    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"] == "3.1.0"
    schemas = document["components"]["schemas"]
    ref = "#/components/schemas/{model}"
    # The very JSON Schema pydantic writes for the models the views validate with.
    assert schemas["CampaignIn"] == CampaignIn.model_json_schema(ref_template=ref)
    assert schemas["LinksIn"] == LinksIn.model_json_schema(ref_template=ref)
    assert schemas["LinksIn"]["additionalProperties"] is False
    assert schemas["ErrorBody"]["properties"]["error"] == {"$ref": ref.format(
        model="ErrorDetail")}
    assert ErrorBody.model_json_schema()["required"] == ["error"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            public = path == "/api/v1/openapi.json"
            assert operation.get("security") == ([] if public else None), (method, path)
            for status in ("400", "401", "404", "503"):
                assert operation["responses"][status]["content"]["application/json"][
                    "schema"] == {"$ref": ref.format(model="ErrorBody")}
    listing = document["paths"]["/api/v1/organisations"]["get"]["parameters"]
    limit = next(p for p in listing if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 100 and limit["in"] == "query"
