"""Checking a respondent's answers against the instrument (pure; no Flask)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from assessment.instrument.questionnaire import Item, Questionnaire


def clean_answer(questionnaire: Questionnaire, item: Item, raw: Any) -> Any:
    """The answer in stored form (a code, a list of codes or None); ValueError if invalid."""
    scale = questionnaire.scales[item.scale]
    codes = {o.code for o in scale.options}
    if scale.kind == "multiple":
        if raw in (None, "", []):
            return []
        values = raw if isinstance(raw, list | tuple) else str(raw).split(";")
        chosen = [str(v).strip() for v in values if str(v).strip()]
        unknown = [v for v in chosen if v not in codes]
        if unknown:
            raise ValueError(f"unknown option(s) {', '.join(unknown)}")
        chosen = sorted(set(chosen), key=[o.code for o in scale.options].index)
        exclusive = [o.code for o in scale.options if o.exclusive and o.code in chosen]
        if exclusive and len(chosen) > 1:
            others = ", ".join(c for c in chosen if c != exclusive[0])
            raise ValueError(f"'{exclusive[0]}' cannot be chosen together with other options "
                             f"(here {others}): choose it alone")
        return chosen
    if raw is None or str(raw).strip() == "":
        return None
    code = str(raw).strip()
    if code not in codes:
        raise ValueError(f"unknown option '{code}' (expected one of {', '.join(sorted(codes))})")
    return code


def answer_problems(
    questionnaire: Questionnaire, answers: Mapping[str, Any], items: Iterable[Item] | None = None
) -> dict[str, str]:
    """Item key -> what is wrong with its answer (missing when required, or invalid)."""
    problems: dict[str, str] = {}
    for item in items if items is not None else questionnaire.items():
        try:
            value = clean_answer(questionnaire, item, answers.get(item.key))
        except ValueError as exc:
            problems[item.key] = str(exc)
            continue
        if item.required and value in (None, []):
            problems[item.key] = "an answer is required"
    return problems


def clean_answers(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Only the instrument's items, in stored form; invalid answers raise ValueError."""
    cleaned: dict[str, Any] = {}
    for item in questionnaire.items():
        value = clean_answer(questionnaire, item, answers.get(item.key))
        if value not in (None, []):
            cleaned[item.key] = value
    return cleaned
