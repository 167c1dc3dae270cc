"""Templates to HTML, HTML to PDF: Jinja for the markup, WeasyPrint for the layout.

WeasyPrint fetches every stylesheet and image through `AssetFetcher`, which serves only
this package's own static files and data: URIs (the charts) and refuses anything else,
so rendering a report never touches the network or the rest of the file system.
"""

from __future__ import annotations

import base64
import mimetypes
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from reports import formatting

PACKAGE = Path(__file__).resolve().parent
STATIC = PACKAGE / "static"
TEMPLATES = PACKAGE / "templates"
STYLESHEET = STATIC / "report.css"
# PDF/UA-1: tagged PDF (headings, tables, figures with their alt text), document title
# shown, language set. WeasyPrint 61+ writes the structure tree for this variant.
PDF_OPTIONS: dict[str, Any] = {"pdf_variant": "pdf/ua-1"}


class AssetRefused(ValueError):
    """A report tried to load something that is not one of its own assets."""


class ReportError(Exception):
    """A report could not be rendered; the message says why."""


class AssetFetcher(URLFetcher):
    """Serves reports/static/ files and data: URIs; raises AssetRefused for anything else."""

    def __init__(self) -> None:
        # fail_on_errors: a refused resource stops the rendering instead of quietly
        # leaving a hole in the report.
        super().__init__(allowed_protocols=("data", "file"), fail_on_errors=True)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Fetch an asset, or raise AssetRefused."""
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = asset_path(url)
            if path is not None:
                kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(),
                                          headers={"Content-Type": kind})
        raise AssetRefused(f"reports load only their own assets, not {url!r}")


def asset_path(url: str) -> Path | None:
    """The file under reports/static/ that a file: URL names, or None if it is elsewhere."""
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None
    path = Path(url2pathname(parts.path)).resolve()
    static = STATIC.resolve()
    return path if path.is_relative_to(static) and path.is_file() else None


@cache
def environment() -> Environment:
    """The Jinja environment of the report templates (built once per process)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(formatting.FILTERS)
    env.globals.update(stylesheet=STYLESHEET.as_uri(), fewer_than=formatting.fewer_than,
                       is_suppressed=formatting.is_suppressed, SUPPRESSED=formatting.SUPPRESSED)
    return env


def render_html(template: str, context: dict[str, Any]) -> str:
    """Fill one template with plain report data."""
    return environment().get_template(template).render(**context)


def write_pdf(html: str) -> bytes:
    """Lay out the HTML with WeasyPrint and return the PDF bytes."""
    document = weasyprint.HTML(string=html, base_url=STATIC.as_uri() + "/",
                               url_fetcher=AssetFetcher())
    try:
        pdf: bytes = document.write_pdf(**PDF_OPTIONS)
    except FatalURLFetchingError as exc:
        # WeasyPrint wraps our refusal in a BaseException; callers get an ordinary error.
        raise ReportError(f"{exc} ({exc.__cause__})") from exc.__cause__
    return pdf


def svg_data_uri(svg: str) -> str:
    """A chart as a data: URI for an <img>, so each SVG keeps its own ids."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def figure(svg: str, alt: str) -> dict[str, str]:
    """A chart ready for a template: the SVG as a data: URI and its alternative text."""
    return {"src": svg_data_uri(svg), "alt": alt}
