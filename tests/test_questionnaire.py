"""Loading and validating questionnaire definitions."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from assessment.instrument.questionnaire import QuestionnaireError, Registry, load_file, parse

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENT = ROOT / "questionnaires" / "digiskills-1.yaml"


@pytest.fixture
def raw() -> dict[str, Any]:
    return yaml.safe_load(INSTRUMENT.read_text(encoding="utf-8"))


def problems_of(raw: dict[str, Any]) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        parse(raw, source="broken.yaml")
    return caught.value.problems


def test_shipped_instrument_loads() -> None:
    q = load_file(INSTRUMENT)
    assert q.ident == "digiskills@1"
    assert len(q.dimensions_in("capability")) == 8
    assert [d.key for d in q.dimensions if d.representative] == [
        "cap_data", "cap_cyber", "cap_coding"]
    assert {s.key for s in q.sections} == {
        "capabilities", "vision", "learning", "customer", "profile"}
    assert {i.key for i in q.profile_items()} == {"seniority", "function", "generation", "country"}
    # No item asks for a name or an e-mail address.
    assert not any("name" in i.key or "mail" in i.key for i in q.items())


def test_unknown_scale_is_reported_with_item_key(raw: dict[str, Any]) -> None:
    raw["sections"][0]["items"][1]["scale"] = "sprd"
    assert problems_of(raw) == ["broken.yaml: item cap_cyber: unknown scale 'sprd'"]


def test_every_problem_is_listed(raw: dict[str, Any]) -> None:
    raw["sections"][1]["items"][0]["key"] = "cap_data"  # duplicate key
    raw["sections"][2]["items"][0]["text"]["en"] = "  "  # item without (English) text
    raw["dimensions"].append({"key": "lonely", "group": "capability",
                              "label": {lang: "Lonely" for lang in raw["languages"]}})
    found = problems_of(raw)
    assert "broken.yaml: item cap_data: duplicate item key" in found
    assert "broken.yaml: item ld_understands: has no text" in found
    assert "broken.yaml: dimension lonely: has no items" in found
    # vision_clear was renamed away, so the Digiskills analysis map lost its item.
    assert "broken.yaml: analysis: unknown item 'vision_clear'" in found
    # The action library names one action per capability: the new one has none.
    assert "broken.yaml: dimension lonely: has no action in the action library" in found
    assert len(found) == 5


def test_structural_errors_name_the_item(raw: dict[str, Any]) -> None:
    del raw["sections"][0]["items"][2]["text"]
    raw["sections"][0]["items"][3]["colour"] = "red"
    found = problems_of(raw)
    assert "broken.yaml: item cap_coding: text is missing" in found
    assert "broken.yaml: item cap_social: colour is not a known field" in found


def test_item_feeding_a_dimension_needs_scored_scale(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    broken["sections"][3]["items"][6]["dimension"] = "customer"  # voc_methods, unscored
    assert problems_of(broken) == [
        "broken.yaml: item voc_methods: feeds dimension 'customer' "
        "but scale 'voc_methods' is not scored"]


def test_unknown_dimension_and_index_group(raw: dict[str, Any]) -> None:
    raw["sections"][0]["items"][0]["dimension"] = "cap_dta"
    raw["index"]["weights"]["speed"] = 1
    found = problems_of(raw)
    assert "broken.yaml: item cap_data: unknown dimension 'cap_dta'" in found
    assert "broken.yaml: dimension cap_data: has no items" in found
    assert "broken.yaml: index: unknown dimension group 'speed'" in found


def test_not_yaml_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("key: [unclosed", encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        load_file(bad)
    assert caught.value.problems[0].startswith(f"{bad}: not valid YAML/JSON")


def test_registry_keeps_good_files_and_reports_bad(tmp_path: Path, raw: dict[str, Any]) -> None:
    (tmp_path / "good.yaml").write_text(INSTRUMENT.read_text(encoding="utf-8"), encoding="utf-8")
    second = copy.deepcopy(raw)
    second["version"] = 2
    (tmp_path / "v2.json").write_text(__import__("json").dumps(second), encoding="utf-8")
    (tmp_path / "broken.yaml").write_text("- just a list", encoding="utf-8")
    registry = Registry.from_folders([tmp_path])
    assert [q.ident for q in registry.all()] == ["digiskills@1", "digiskills@2"]
    assert registry.get("digiskills").version == 2
    assert registry.get("digiskills", 1).version == 1
    assert registry.problems == [f"{tmp_path / 'broken.yaml'}: the file must hold a mapping "
                                 "at its top level"]


def test_cli_validate(runner: Any, tmp_path: Path, raw: dict[str, Any]) -> None:
    good = runner.invoke(args=["questionnaire", "validate", str(INSTRUMENT)])
    assert good.exit_code == 0
    assert "OK (digiskills@1, 27 items)" in good.output
    raw["sections"][0]["items"][0]["scale"] = "nope"
    raw["sections"][1]["items"][0]["key"] = "cap_cyber"
    bad = tmp_path / "mine.yaml"
    bad.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = runner.invoke(args=["questionnaire", "validate", str(INSTRUMENT), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}: item cap_data: unknown scale 'nope'" in result.output
    assert f"{bad}: item cap_cyber: duplicate item key" in result.output


def test_every_declared_language_has_every_text(raw: dict[str, Any]) -> None:
    del raw["sections"][0]["items"][0]["text"]["lv"]
    raw["scales"]["spread"]["options"][0]["label"]["cn"] = "没有人"
    found = problems_of(raw)
    assert found == [
        "broken.yaml: scale spread: option nobody is in undeclared language(s) cn",
        "broken.yaml: item cap_data: text has no lv translation",
    ]


def test_action_library_is_validated(raw: dict[str, Any]) -> None:
    actions = raw["actions"]
    assert len(actions) == 10  # eight capabilities, vision and L&D: one action each
    actions[1]["dimension"] = "cap_data"  # two for data software, none for cyber security
    actions[2]["dimension"] = "nowhere"
    actions[3]["key"] = actions[4]["key"]
    del actions[5]["text"]["lv"]
    found = problems_of(raw)
    assert "broken.yaml: dimension cap_data: more than one action (give one)" in found
    assert "broken.yaml: dimension cap_cyber: has no action in the action library" in found
    assert "broken.yaml: action coding_introduction: unknown dimension 'nowhere'" in found
    assert "broken.yaml: action analytics_practice: duplicate action key" in found
    assert "broken.yaml: action mobile_services_review: text has no lv translation" in found


def test_shipped_actions_cover_every_ranked_dimension() -> None:
    q = load_file(INSTRUMENT)
    for d in q.dimensions:
        action = q.action_for(d.key)
        assert (action is not None) == (d.group in ("capability", "vision", "learning"))
        if action is not None:
            assert set(action.text) == set(q.languages)


def test_exclusive_option_only_on_multiple_choice(raw: dict[str, Any]) -> None:
    raw["scales"]["yes_no"]["options"][0]["exclusive"] = True
    assert problems_of(raw) == [
        "broken.yaml: scale yes_no: only a multiple-choice scale can have exclusive options "
        "(no)"]
