"""The JSON API, /api/v1: bearer tokens, the same access rules as the pages, pydantic
schemas, and an OpenAPI 3.1 document generated from them (/api/v1/openapi.json).

The blueprint with every view registered is `assessment.web.api.routes.bp`; this package
itself imports nothing, so the app's error pages can use `problems` without loading it.
"""
