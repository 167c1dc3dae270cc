"""Templates to HTML, HTML to PDF: Jinja for the markup, WeasyPrint for the layout.

WeasyPrint fetches every stylesheet and image through `AssetFetcher`, which serves only
this package's own static files and data: URIs (the charts) and refuses anything else,
so rendering a report never touches the network or the rest of the file system.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from reports import formatting
from reports.formatting import N_, Language

PACKAGE = Path(__file__).resolve().parent
# The interface's catalogues (domain "messages"): reports share them with the web pages.
CATALOGUES = PACKAGE.parent / "assessment" / "translations"
LANGUAGES = ("en", "pl", "ru", "zh", "lv")
# The document language (PDF/UA): BCP 47, Chinese in simplified script.
DOCUMENT_LANGUAGE = {"zh": "zh-Hans"}
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


class UnknownLanguage(ValueError):
    """A report was asked for in a language it is not written in."""


@cache
def language(code: str = "en") -> Language:
    """A report language with its compiled catalogue (English needs none)."""
    if code not in LANGUAGES:
        raise UnknownLanguage(f"no report language '{code}' (choose from "
                              f"{', '.join(LANGUAGES)})")
    if code == "en":
        return Language("en")
    catalogue = CATALOGUES / code / "LC_MESSAGES" / "messages.mo"
    if not catalogue.is_file():
        raise ReportError(f"the {code} catalogue is not compiled: run `make translations`")
    return Language(code, Translations.load(str(CATALOGUES), [code]))


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def css_string(text: str) -> str:
    """A CSS string literal (quotes, backslashes and '<' escaped)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return f'"{escaped}"'


def css_content(lang: Language, message: str) -> Markup:
    """A CSS `content` value from a message: %(page)s and %(pages)s become page counters."""
    parts = []
    translated = lang.translations.gettext(message)
    for index, piece in enumerate(_PLACEHOLDER.split(translated)):
        if index % 2:
            if piece not in ("page", "pages"):
                raise ReportError(f"unknown placeholder %({piece})s in {message!r}")
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece.replace("%%", "%")))
    # Safe: each piece is a CSS string escaped by css_string (quotes, backslashes and "<").
    return Markup(" ".join(parts) or '""')  # noqa: S704 - escaped just above


@cache
def environment(code: str = "en") -> Environment:
    """The Jinja environment of the report templates in one language (one per process)."""
    lang = language(code)
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(lang.translations, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(lang.filters())
    env.globals.update(
        stylesheet=STYLESHEET.as_uri(), fewer_than=lang.fewer_than,
        is_suppressed=formatting.is_suppressed, SUPPRESSED=lang.suppressed,
        lang=DOCUMENT_LANGUAGE.get(code, code),
        page_footer=css_content(lang, N_("Page %(page)s of %(pages)s")),
        synthetic_footer=css_content(lang, N_("Synthetic demonstration data")),
        percent_interval=lang.percent_interval,
    )
    return env


def render_html(template: str, context: dict[str, Any], code: str = "en") -> str:
    """Fill one template with plain report data, in the report's language."""
    return environment(code).get_template(template).render(**context)


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
