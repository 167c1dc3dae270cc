"""What the JSON API takes and gives, as pydantic models: the views validate requests
and serialise answers with them, and the OpenAPI document is generated from them, so
the two cannot drift apart.

Request bodies forbid unknown fields and are validated strictly (no "3" for 3); query
parameters arrive as text and are converted.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from assessment.analysis import MAX_COMPARED, MIN_COMPARED
from assessment.config import LANGUAGES
from assessment.instrument.attributes import SIZE_BANDS

MAX_PAGE = 100  # the most items one page of a list holds
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the database
MAX_LINKS = 10_000  # personal links issued by one request, as on the campaign page
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Item = TypeVar("Item")


class Body(BaseModel):
    """A request body: unknown fields are refused."""

    model_config = ConfigDict(extra="forbid")


class Query(BaseModel):
    """Query parameters: unknown ones are refused."""

    model_config = ConfigDict(extra="forbid")


class Page(Query):
    """Pagination of a list: `limit` items from `offset` on."""

    limit: int = Field(50, ge=1, le=MAX_PAGE, description=f"Items per page (1-{MAX_PAGE}).")
    offset: int = Field(0, ge=0, le=MAX_ID, description="Items to skip.")


class OrganisationPage(Page):
    """Organisations: pagination, and whether the synthetic demo pool is listed."""

    include_synthetic: bool = Field(
        False, description="List the synthetic demo pool's organisations too (administrators).")


class Listing(BaseModel, Generic[Item]):
    """One page of a list, with the total and where the page starts."""

    items: list[Item]
    total: int = Field(description="Items in the whole list.")
    limit: int
    offset: int


class ErrorDetail(BaseModel):
    """What went wrong: a stable machine-readable code and an English message."""

    code: str = Field(description="e.g. not_found, invalid, malformed_json, unauthorized.")
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorBody(BaseModel):
    """Every 4xx and 5xx answer of the API."""

    error: ErrorDetail


class OrganisationIn(Body):
    """A new organisation."""

    name: Name
    sector: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                             max_length=80)]
    size_band: Literal[SIZE_BANDS]  # type: ignore[valid-type]
    country: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")] = Field(
        description="Two-letter ISO 3166 code, e.g. PL.")


class OrganisationOut(BaseModel):
    """An organisation."""

    id: int
    name: str
    sector: str
    size_band: str
    country: str
    synthetic: bool


class CampaignIn(Body):
    """A new campaign of an organisation."""

    name: Name
    questionnaire: str = Field("digiskills", max_length=100,
                               description="key or key@version; the newest version by "
                                           "default.")
    opens_on: dt.date
    closes_on: dt.date | None = None
    mode: Literal["open", "token"] = Field(
        "open", description="open: one link for everyone; token: single-use personal links.")
    anonymity_threshold: int = Field(5, ge=5, le=1000,
                                     description="At least 5, as on the campaign page.")
    invited: int | None = Field(None, ge=1, le=10_000_000,
                                description="How many were asked (open link only).")


class CampaignOut(BaseModel):
    """A campaign with its live counts."""

    id: int
    organisation_id: int
    name: str
    questionnaire: str
    opens_on: dt.date
    closes_on: dt.date | None
    state: Literal["scheduled", "open", "closed"]
    mode: Literal["open", "token"]
    anonymity_threshold: int
    open_link: str | None = Field(description="The link for everyone (open campaigns).")
    responses: int
    in_progress: int
    invited: int | None
    response_rate: float | None


class LinksIn(Body):
    """How many new personal links to issue."""

    count: int = Field(ge=1, le=MAX_LINKS)


class LinksOut(BaseModel):
    """New single-use personal links: stored only as hashes, so shown this once."""

    campaign_id: int
    links: list[str]


class ComparisonQuery(Query):
    """The campaigns to compare."""

    campaign: list[Id] = Field(min_length=MIN_COMPARED, max_length=MAX_COMPARED,
                               description="A campaign id, given 2-20 times.")


class ImportProblemOut(BaseModel):
    """One problem of an import file; row and column are null when it is the whole file's."""

    row: int | None
    column: str | None
    message: str


class ImportCheck(BaseModel):
    """The result of checking an import file: every problem, or what would be stored."""

    valid: bool
    problems: list[ImportProblemOut]
    responses: int = Field(description="Responses that would be stored (0 when invalid).")
    preview: list[dict[str, Any]] = Field(
        description="The first rows as they would be stored: row, locale, submitted_on, "
                    "answers (item key -> option code or codes).")


class ImportDone(BaseModel):
    """Responses stored by an import."""

    campaign_id: int
    imported: int


class ReportIn(Body):
    """A report to render: the organisation report of one campaign (`kind`
    "organisation", `campaign_id`) or the comparison report of 2 to 20 campaigns (`kind`
    "comparison", `campaign_ids` in the order they are shown)."""

    kind: Literal["organisation", "comparison"]
    campaign_id: Id | None = None
    campaign_ids: list[Id] | None = Field(
        default=None, min_length=MIN_COMPARED, max_length=MAX_COMPARED)
    language: Literal[tuple(LANGUAGES)] = "en"  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _one_kind(self) -> ReportIn:
        if self.kind == "organisation" and (self.campaign_id is None
                                            or self.campaign_ids is not None):
            raise ValueError("an organisation report takes campaign_id (not campaign_ids)")
        if self.kind == "comparison" and (self.campaign_ids is None
                                          or self.campaign_id is not None):
            raise ValueError("a comparison report takes campaign_ids (not campaign_id)")
        if self.campaign_ids is not None and len(set(self.campaign_ids)) != len(
                self.campaign_ids):
            raise ValueError("each campaign can be compared once")
        return self


class ReportJobOut(BaseModel):
    """A report job and how far it has got."""

    id: str
    kind: Literal["organisation", "comparison"]
    campaign_id: int = Field(description="The campaign reported on (a comparison's first).")
    campaign_ids: list[int] = Field(description="Every campaign the report covers, in order.")
    language: str
    status: Literal["queued", "running", "done", "failed"]
    ready: bool = Field(description="The PDF can be downloaded.")
    error_code: str | None = Field(
        description="unknown_campaign, instrument_missing, render_failed, storage_failed "
                    "or worker_stopped.")
    error: str | None
    created_at: str
    finished_at: str | None
    file: str | None = Field(description="Where to download the PDF once ready.")


class Figures(BaseModel):
    """The engine's JSON, as `assessment stats --json` prints it (README, Statistics)."""

    model_config = ConfigDict(extra="allow")

