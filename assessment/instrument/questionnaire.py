"""Questionnaire definitions: load a versioned data file, validate it, look items up.

Pure Python (no Flask): the web app, the CLI, the scorer and the reports share it.
Pydantic checks the structure and types; the cross-references a schema cannot express
(an item's scale exists, keys are unique, every dimension has items) are checked by hand
so each problem can be reported with its file and item key.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_LANGUAGE = "en"
Text = dict[str, str]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    code: str = Field(min_length=1)
    value: float | None = None
    label: Text
    # On a multiple-choice scale: chosen alone or not at all (e.g. "none of these").
    exclusive: bool = False


class Scale(_Strict):
    kind: Literal["single", "multiple"]
    scored: bool = False
    options: list[Option] = Field(min_length=1)

    def option(self, code: str) -> Option | None:
        """The option with this code, or None."""
        return self._by_code.get(code)

    @cached_property
    def _by_code(self) -> dict[str, Option]:
        # Looked up for every answer of every respondent: a dict, built once per scale.
        return {o.code: o for o in self.options}

    @cached_property
    def value_range(self) -> tuple[float, float]:
        """Lowest and highest numeric value of the scored options."""
        values = [o.value for o in self.options if o.value is not None]
        return min(values), max(values)


class Item(_Strict):
    key: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    scale: str
    text: Text
    dimension: str | None = None
    required: bool = False
    profile: bool = False


class Section(_Strict):
    key: str = Field(min_length=1)
    title: Text
    help: Text | None = None
    items: list[Item] = Field(min_length=1)


class Dimension(_Strict):
    key: str = Field(min_length=1)
    group: str
    label: Text
    representative: bool = False


class Band(_Strict):
    key: str
    min: float
    label: Text
    meaning: Text


class IndexRule(_Strict):
    weights: dict[str, float]


class Action(_Strict):
    """One recommended action of the action library: what to do first about a dimension
    that is a priority. The engine names it by key; the reports print its text."""

    key: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    dimension: str
    text: Text


# The dimension groups the priorities rank, so each needs one action in the library.
ACTION_GROUPS = ("capability", "vision", "learning")


class AnalysisMap(_Strict):
    """Which items the published Digiskills analyses read (see the methodology)."""

    outcome_item: str
    outcome_positive: str
    representative_items: list[str]
    representative_positive: str
    vision_item: str
    vision_positive: str
    learning_item: str
    learning_positive: str
    seniority_item: str
    senior_code: str
    staff_code: str
    function_item: str
    priorities_item: str | None = None


class Questionnaire(_Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    key: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_-]*$")
    version: int = Field(ge=1)
    title: Text
    intro: Text | None = None
    estimated_minutes: int = Field(default=10, ge=1)
    languages: list[str] = Field(min_length=1)
    scales: dict[str, Scale]
    dimensions: list[Dimension] = Field(min_length=1)
    index: IndexRule
    bands: list[Band] = Field(min_length=1)
    analysis: AnalysisMap | None = None
    actions: list[Action] = Field(default_factory=list)
    sections: list[Section] = Field(min_length=1)

    @property
    def ident(self) -> str:
        """`key@version`, how campaigns refer to the instrument."""
        return f"{self.key}@{self.version}"

    def items(self) -> Iterator[Item]:
        """Every item, in questionnaire order."""
        for section in self.sections:
            yield from section.items

    @cached_property
    def _items_by_key(self) -> dict[str, Item]:
        found: dict[str, Item] = {}
        for item in self.items():
            found.setdefault(item.key, item)  # the first wins, as a reader would expect
        return found

    @cached_property
    def _dimension_items(self) -> dict[str, list[Item]]:
        found: dict[str, list[Item]] = {}
        for item in self.items():
            if item.dimension:
                found.setdefault(item.dimension, []).append(item)
        return found

    def item(self, key: str) -> Item:
        """The item with this key (KeyError if there is none)."""
        return self._items_by_key[key]

    def item_scale(self, key: str) -> Scale:
        """The scale of the item with this key."""
        return self.scales[self.item(key).scale]

    def dimension(self, key: str) -> Dimension:
        """The dimension with this key (KeyError if there is none)."""
        for dimension in self.dimensions:
            if dimension.key == key:
                return dimension
        raise KeyError(key)

    def dimension_items(self, key: str) -> list[Item]:
        """The scored items that feed one dimension."""
        return list(self._dimension_items.get(key, []))

    def dimensions_in(self, group: str) -> list[Dimension]:
        """The dimensions of one group (e.g. every capability)."""
        return [d for d in self.dimensions if d.group == group]

    def profile_items(self) -> list[Item]:
        """The respondent-profile items (seniority, function, ...)."""
        return [i for i in self.items() if i.profile]

    def action_for(self, dimension: str) -> Action | None:
        """The recommended action of the action library for one dimension, or None."""
        return next((a for a in self.actions if a.dimension == dimension), None)

    def band_for(self, score: float | None) -> Band | None:
        """The maturity band an index score falls in."""
        if score is None:
            return None
        chosen = None
        for band in sorted(self.bands, key=lambda b: b.min):
            if score >= band.min:
                chosen = band
        return chosen


def translate(text: Text | None, language: str) -> str:
    """The text in this language, falling back to English, then to any language."""
    if not text:
        return ""
    return text.get(language) or text.get(DEFAULT_LANGUAGE) or next(iter(text.values()))


class QuestionnaireError(Exception):
    """A definition file has problems; `problems` lists every one."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class _Located:
    label: str

    def __call__(self, message: str) -> str:
        return f"{self.label}: {message}"


def load_file(path: str | Path) -> Questionnaire:
    """Load and validate one definition file (YAML or JSON); raise QuestionnaireError."""
    path = Path(path)
    try:
        raw_text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QuestionnaireError([f"{path}: cannot be read ({exc.strerror})"]) from exc
    try:
        if path.suffix == ".json":
            raw = json.loads(raw_text)
        else:
            raw = yaml.safe_load(raw_text)
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise QuestionnaireError([f"{path}: not valid YAML/JSON: {exc}"]) from exc
    return parse(raw, source=str(path))


def parse(raw: Any, source: str = "<definition>") -> Questionnaire:
    """Validate a definition given as plain data; raise QuestionnaireError listing all problems."""
    where = _Located(source)
    if not isinstance(raw, dict):
        raise QuestionnaireError([where("the file must hold a mapping at its top level")])
    try:
        questionnaire = Questionnaire.model_validate(raw)
    except ValidationError as exc:
        raise QuestionnaireError(
            [where(_describe_error(raw, err)) for err in exc.errors()]
        ) from exc
    problems = [where(p) for p in _semantic_problems(questionnaire)]
    if problems:
        raise QuestionnaireError(problems)
    return questionnaire


def _describe_error(raw: dict[str, Any], err: Any) -> str:
    """Turn a pydantic error location into 'item KEY: field: message'."""
    loc = list(err["loc"])
    prefix = ""
    if len(loc) >= 4 and loc[0] == "sections" and loc[2] == "items":
        try:
            key = raw["sections"][loc[1]]["items"][loc[3]].get("key", f"#{loc[3] + 1}")
        except (IndexError, KeyError, TypeError, AttributeError):
            key = f"#{loc[3]}"
        prefix, loc = f"item {key}: ", loc[4:]
    elif len(loc) >= 2 and loc[0] == "sections":
        try:
            key = raw["sections"][loc[1]].get("key", f"#{loc[1] + 1}")
        except (IndexError, KeyError, TypeError, AttributeError):
            key = f"#{loc[1]}"
        prefix, loc = f"section {key}: ", loc[2:]
    elif len(loc) >= 2 and loc[0] == "scales":
        prefix, loc = f"scale {loc[1]}: ", loc[2:]
    field = ".".join(str(part) for part in loc) or "(whole)"
    message = err["msg"]
    if err["type"] == "missing":
        message = "is missing"
    elif err["type"] == "extra_forbidden":
        message = "is not a known field"
    return f"{prefix}{field} {message}" if field != "(whole)" else f"{prefix}{message}"


def _duplicates(keys: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    repeated: list[str] = []
    for key in keys:
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return repeated


def _semantic_problems(q: Questionnaire) -> list[str]:
    """Cross-reference checks that the schema cannot express."""
    problems: list[str] = []
    if DEFAULT_LANGUAGE not in q.languages:
        problems.append(f"languages must include '{DEFAULT_LANGUAGE}'")
    for key in _duplicates(i.key for i in q.items()):
        problems.append(f"item {key}: duplicate item key")
    for key in _duplicates(s.key for s in q.sections):
        problems.append(f"section {key}: duplicate section key")
    for key in _duplicates(d.key for d in q.dimensions):
        problems.append(f"dimension {key}: duplicate dimension key")
    dimension_keys = {d.key for d in q.dimensions}
    for name, scale in q.scales.items():
        for code in _duplicates(o.code for o in scale.options):
            problems.append(f"scale {name}: duplicate option code '{code}'")
        if scale.scored:
            values = {o.value for o in scale.options if o.value is not None}
            if len(values) < 2:
                problems.append(f"scale {name}: a scored scale needs two or more numeric values")
        if not all(o.label.get(DEFAULT_LANGUAGE) for o in scale.options):
            problems.append(f"scale {name}: every option needs an English label")
        exclusive = [o.code for o in scale.options if o.exclusive]
        if exclusive and scale.kind != "multiple":
            problems.append(f"scale {name}: only a multiple-choice scale can have exclusive "
                            f"options ({', '.join(exclusive)})")
    for item in q.items():
        item_scale = q.scales.get(item.scale)
        if item_scale is None:
            problems.append(f"item {item.key}: unknown scale '{item.scale}'")
        if not item.text.get(DEFAULT_LANGUAGE, "").strip():
            problems.append(f"item {item.key}: has no text")
        if item.dimension is not None:
            if item.dimension not in dimension_keys:
                problems.append(f"item {item.key}: unknown dimension '{item.dimension}'")
            if item_scale is not None and not item_scale.scored:
                problems.append(
                    f"item {item.key}: feeds dimension '{item.dimension}' "
                    f"but scale '{item.scale}' is not scored"
                )
    fed = {i.dimension for i in q.items() if i.dimension}
    for dimension in q.dimensions:
        if dimension.key not in fed:
            problems.append(f"dimension {dimension.key}: has no items")
    groups = {d.group for d in q.dimensions}
    for group, weight in q.index.weights.items():
        if group not in groups:
            problems.append(f"index: unknown dimension group '{group}'")
        if weight <= 0:
            problems.append(f"index: weight of '{group}' must be positive")
    if q.bands and min(b.min for b in q.bands) > 0:
        problems.append("bands: the lowest band must start at 0")
    if q.analysis is not None:
        problems.extend(_analysis_problems(q, q.analysis))
    problems.extend(_action_problems(q))
    problems.extend(_language_problems(q))
    return problems


def _action_problems(q: Questionnaire) -> list[str]:
    """The action library: known dimensions, unique keys, exactly one action for each
    dimension the priorities rank (when the library is given at all)."""
    if not q.actions:
        return []
    problems = [f"action {key}: duplicate action key"
                for key in _duplicates(a.key for a in q.actions)]
    known = {d.key for d in q.dimensions}
    for action in q.actions:
        if action.dimension not in known:
            problems.append(f"action {action.key}: unknown dimension '{action.dimension}'")
        if not action.text.get(DEFAULT_LANGUAGE, "").strip():
            problems.append(f"action {action.key}: has no text")
    for key in _duplicates(a.dimension for a in q.actions):
        problems.append(f"dimension {key}: more than one action (give one)")
    covered = {a.dimension for a in q.actions}
    for d in q.dimensions:
        if d.group in ACTION_GROUPS and d.key not in covered:
            problems.append(f"dimension {d.key}: has no action in the action library")
    return problems


def _texts(q: Questionnaire) -> Iterator[tuple[str, Text | None]]:
    """Every translatable text with where it stands, for the language check."""
    yield "title", q.title
    yield "intro", q.intro
    for name, scale in q.scales.items():
        for option in scale.options:
            yield f"scale {name}: option {option.code}", option.label
    for d in q.dimensions:
        yield f"dimension {d.key}: label", d.label
    for b in q.bands:
        yield f"band {b.key}: label", b.label
        yield f"band {b.key}: meaning", b.meaning
    for action in q.actions:
        yield f"action {action.key}: text", action.text
    for section in q.sections:
        yield f"section {section.key}: title", section.title
        yield f"section {section.key}: help", section.help
        for item in section.items:
            yield f"item {item.key}: text", item.text


def _language_problems(q: Questionnaire) -> list[str]:
    """Every declared language has every text, and no text is in an undeclared one.

    The survey falls back to English silently, so a gap would otherwise go unnoticed.
    """
    declared = set(q.languages)
    problems: list[str] = []
    for where, text in _texts(q):
        if text is None:
            continue
        # A missing English item text or option label is already reported on its own.
        checked = declared - {DEFAULT_LANGUAGE} \
            if where.startswith(("item ", "scale ", "action ")) else declared
        missing = sorted(lang for lang in checked if not str(text.get(lang, "")).strip())
        if missing:
            problems.append(f"{where} has no {', '.join(missing)} translation")
        extra = sorted(set(text) - declared)
        if extra:
            problems.append(f"{where} is in undeclared language(s) {', '.join(extra)}")
    return problems


def _analysis_problems(q: Questionnaire, a: AnalysisMap) -> list[str]:
    problems: list[str] = []
    keys = {i.key for i in q.items()}
    checks = [(a.outcome_item, a.outcome_positive), (a.vision_item, a.vision_positive),
              (a.learning_item, a.learning_positive), (a.seniority_item, a.senior_code),
              (a.seniority_item, a.staff_code), (a.function_item, None)]
    if a.priorities_item is not None:
        checks.append((a.priorities_item, a.representative_positive))
    checks += [(key, a.representative_positive) for key in a.representative_items]
    for key, code in checks:
        if key not in keys:
            problems.append(f"analysis: unknown item '{key}'")
        elif q.item(key).scale not in q.scales:
            continue  # already reported as an unknown scale
        elif code is not None and q.item_scale(key).option(code) is None:
            problems.append(f"analysis: item '{key}' has no option '{code}'")
    return problems


class Registry:
    """Every questionnaire found in some folders, by key and version."""

    def __init__(self, questionnaires: Iterable[Questionnaire] = (), problems: Iterable[str] = ()):
        self._by_ident: dict[str, Questionnaire] = {q.ident: q for q in questionnaires}
        self.problems = list(problems)

    @classmethod
    def from_folders(cls, folders: Iterable[str | Path]) -> Registry:
        """Load every valid *.yaml / *.yml / *.json definition; keep the others' problems.

        A broken file must not stop the app (or `questionnaire validate`) from starting.
        """
        found: list[Questionnaire] = []
        problems: list[str] = []
        for folder in folders:
            for path in sorted(Path(folder).glob("*")):
                if path.suffix in {".yaml", ".yml", ".json"}:
                    try:
                        found.append(load_file(path))
                    except QuestionnaireError as exc:
                        problems.extend(exc.problems)
        for key in _duplicates(q.ident for q in found):
            problems.append(f"{key}: defined by more than one file")
        return cls(found, problems)

    def get(self, key: str, version: int | None = None) -> Questionnaire:
        """One instrument; the newest version when none is named. KeyError if unknown."""
        if version is not None:
            return self._by_ident[f"{key}@{version}"]
        candidates = [q for q in self._by_ident.values() if q.key == key]
        if not candidates:
            raise KeyError(key)
        return max(candidates, key=lambda q: q.version)

    def all(self) -> list[Questionnaire]:
        """Every instrument, by key then version."""
        return sorted(self._by_ident.values(), key=lambda q: (q.key, q.version))
