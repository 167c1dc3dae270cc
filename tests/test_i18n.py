"""The questionnaire and the interface in Polish, Russian, Chinese and Latvian.

Catalogue checks read the .po files (every message translated, no placeholder lost);
the questionnaire check reads the YAML (every text in every declared language); the
page tests walk the respondent's journey in each language. The compiled catalogues
(*.mo) are build output, not committed: a session fixture compiles any that are missing
or older than their .po file before the first app of this module is built, because the
app offers only languages whose catalogue is compiled.
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from assessment.instrument.questionnaire import Questionnaire, load_file
from assessment.models import Campaign
from tests.conftest import PROJECT_ROOT
from tests.test_survey import complete, post_page, start

TRANSLATIONS = PROJECT_ROOT / "assessment" / "translations"
INSTRUMENT = PROJECT_ROOT / "questionnaires" / "digiskills-1.yaml"
LANGUAGES = ["pl", "ru", "zh", "lv"]
ALL_LANGUAGES = ["en", *LANGUAGES]
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdf]|%%")


def _po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def _read_po(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues() -> None:
    """Compile each .po whose .mo is missing or stale (as `make translations` does)."""
    for language in LANGUAGES:
        po = _po_path(language)
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = _read_po(po, language)
        partial = mo.with_name(f"messages.mo.{os.getpid()}")
        with partial.open("wb") as handle:
            write_mo(handle, catalog)
        os.replace(partial, mo)  # atomic: parallel workers never see half a file


# --- catalogues -------------------------------------------------------------------------

@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_translates_every_message(language: str) -> None:
    catalog = _read_po(_po_path(language), language)
    template = _read_po(TRANSLATIONS / "messages.pot")
    template_ids = {m.id for m in template if m.id}
    catalog_ids = {m.id for m in catalog if m.id}
    # The catalogue is in step with the template (run `pybabel update` after `make messages`).
    assert template_ids - catalog_ids == set()
    problems = []
    for message in catalog:
        if not message.id:
            continue
        if message.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        # A plural message (ngettext) has one translation per plural form of the language,
        # each keeping the placeholders of the English plural.
        plural = isinstance(message.id, tuple)
        source = message.id[-1] if plural else message.id
        forms = list(message.string) if plural else [message.string]
        assert isinstance(source, str) and all(isinstance(form, str) for form in forms)
        if plural and len(forms) != catalog.num_plurals:
            problems.append(f"plural forms: {message.id!r} has {len(forms)}")
        for form in forms:
            if not form.strip():
                problems.append(f"untranslated: {message.id!r}")
                continue
            if sorted(PLACEHOLDER.findall(form)) != sorted(PLACEHOLDER.findall(source)):
                problems.append(f"placeholders differ: {message.id!r} -> {form!r}")
            if "%" in PLACEHOLDER.sub("", form):
                # Templates always apply `%` formatting: a lone % must be written %%.
                problems.append(f"lone %: {form!r}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_header(language: str) -> None:
    catalog = _read_po(_po_path(language), language)
    assert str(catalog.locale) == language
    assert not catalog.fuzzy
    assert catalog.charset == "utf-8"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_plural_formula_agrees_with_cldr(language: str) -> None:
    """The catalogue's Plural-Forms picks the same form as CLDR's rule for every count.

    What matters is the form chosen for each n, not how the formula is spelled (Babel's
    CLDR data rewrites the spelling between releases). Both formulas are evaluated with
    the standard library's gettext, independently of Babel's own evaluator.
    """
    catalog = _read_po(_po_path(language), language)
    ours = gettext.c2py(_plural_expression(_po_path(language)))
    cldr_catalog = Catalog(locale=language)
    cldr = gettext.c2py(cldr_catalog.plural_expr)
    assert catalog.num_plurals == cldr_catalog.num_plurals
    differing = [n for n in range(1001) if ours(n) != cldr(n)]
    assert differing == []
    assert {ours(n) for n in range(1001)} == set(range(catalog.num_plurals))


def _plural_expression(po: Path) -> str:
    """The plural= expression as written in the .po header (not as Babel re-derives it)."""
    forms = dict(_read_po(po).mime_headers)["Plural-Forms"]
    found = re.search(r"plural=(.*?);?\s*$", forms)
    assert found, forms
    return found.group(1)


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_plural_message_has_the_formula_s_number_of_forms(language: str) -> None:
    catalog = _read_po(_po_path(language), language)
    header = dict(_read_po(_po_path(language)).mime_headers)["Plural-Forms"]
    found = re.search(r"nplurals=(\d+)", header)
    assert found, header
    expected = int(found.group(1))
    plural = [m for m in catalog if m.id and isinstance(m.id, tuple)]
    assert plural, "the catalogue has plural messages (ngettext)"
    wrong = [m.id for m in plural if len(m.string) != expected]
    assert wrong == []


# --- questionnaire ----------------------------------------------------------------------

def _texts(q: Questionnaire) -> Iterator[tuple[str, dict[str, str]]]:
    """Every text mapping of a questionnaire, with where it is."""
    yield "title", q.title
    if q.intro is not None:
        yield "intro", q.intro
    for name, scale in q.scales.items():
        for option in scale.options:
            yield f"scale {name} option {option.code}", option.label
    for dimension in q.dimensions:
        yield f"dimension {dimension.key}", dimension.label
    for band in q.bands:
        yield f"band {band.key} label", band.label
        yield f"band {band.key} meaning", band.meaning
    for section in q.sections:
        yield f"section {section.key} title", section.title
        if section.help is not None:
            yield f"section {section.key} help", section.help
        for item in section.items:
            yield f"item {item.key}", item.text


def test_questionnaire_has_every_text_in_every_language() -> None:
    q = load_file(INSTRUMENT)
    assert q.languages == ALL_LANGUAGES
    texts = list(_texts(q))
    assert len(texts) > 100
    problems = [
        f"{where}: {language}"
        for where, text in texts
        for language in q.languages
        if not (text.get(language) or "").strip()
    ]
    assert problems == []
    # Nothing was left in English by mistake (short codes like "IT" aside).
    copied = [where for where, text in texts
              if any(text[lang] == text["en"] and len(text["en"]) > 12 for lang in LANGUAGES)]
    assert copied == []


def test_questionnaire_option_meanings() -> None:
    q = load_file(INSTRUMENT)
    spread = {o.code: o.label for o in q.scales["spread"].options}
    assert [spread["everyone"][lang] for lang in LANGUAGES] == ["Wszyscy", "Все", "所有人", "Visi"]
    assert [spread["dont_know"][lang] for lang in LANGUAGES] == [
        "Nie wiem", "Не знаю", "不知道", "Nezinu"]
    assert [spread["nobody"][lang] for lang in LANGUAGES] == ["Nikt", "Никто", "没有人", "Neviens"]


# --- pages ------------------------------------------------------------------------------

# A few exact translations per language: interface messages (from the .po files) and
# questionnaire texts (from the YAML).
EXPECTED: dict[str, dict[str, str]] = {
    "pl": {
        "title": "Ocena dojrzałości cyfrowej",
        "start": "Rozpocznij",
        "stop": "Ankietę można w dowolnym momencie przerwać i dokończyć później",
        "privacy": "Nigdy nie pytamy o imię i nazwisko ani adres e-mail",
        "minutes": "Wypełnienie ankiety zajmuje około 10 min.",
        "part": "Część 1 z 5",
        "section": "Kompetencje cyfrowe",
        "item": "Rozmawiać o podstawach cyberbezpieczeństwa",
        "everyone": "Wszyscy",
        "dont_know": "Nie wiem",
        "next": "Dalej",
        "required": "(wymagane)",
        "error": "Proszę wybrać odpowiedź.",
        "summary": "Prosimy odpowiedzieć na pytania oznaczone poniżej.",
        "thanks": "Dziękujemy",
        "band": "Rozwijający się",
        "dimension": "Wizja cyfrowa",
    },
    "ru": {
        "title": "Оценка цифровой зрелости",
        "start": "Начать",
        "stop": "Вы можете прервать заполнение в любой момент",
        "privacy": "Мы никогда не спрашиваем ваше имя или адрес электронной почты",
        "minutes": "займёт около 10 мин.",
        "part": "Часть 1 из 5",
        "section": "Цифровые компетенции",
        "item": "Поддержать разговор об основах кибербезопасности",
        "everyone": "Все",
        "dont_know": "Не знаю",
        "next": "Далее",
        "required": "(обязательный вопрос)",
        "error": "Пожалуйста, выберите ответ.",
        "summary": "Пожалуйста, ответьте на отмеченные ниже вопросы.",
        "thanks": "Спасибо",
        "band": "Развивающийся",
        "dimension": "Видение цифрового развития",
    },
    "zh": {
        "title": "数字化成熟度评估",
        "start": "开始",
        "stop": "您可以随时暂停",
        "privacy": "我们绝不会询问您的姓名或电子邮件地址",
        "minutes": "填写约需 10 分钟，共 5 个简短部分。",
        "part": "第 1 部分，共 5 部分",
        "section": "数字能力",
        "item": "就网络安全的基础知识进行交流",
        "everyone": "所有人",
        "dont_know": "不知道",
        "next": "下一页",
        "required": "（必答）",
        "error": "请选择一个答案。",
        "summary": "请回答下面标出的问题。",
        "thanks": "谢谢",
        "band": "发展级",
        "dimension": "数字化愿景",
    },
    "lv": {
        "title": "Digitālā brieduma novērtējums",
        "start": "Sākt",
        "stop": "Jūs varat jebkurā brīdī pārtraukt",
        "privacy": "Mēs nekad nejautājam jūsu vārdu vai e-pasta adresi",
        "minutes": "Aizpildīšana aizņem apmēram 10 min; anketā ir 5 īsas daļas.",
        "part": "1. daļa no 5",
        "section": "Digitālās kompetences",
        "item": "Sarunāties par kiberdrošības pamatiem",
        "everyone": "Visi",
        "dont_know": "Nezinu",
        "next": "Tālāk",
        "required": "(obligāts)",
        "error": "Lūdzu, izvēlieties atbildi.",
        "summary": "Lūdzu, atbildiet uz tālāk atzīmētajiem jautājumiem.",
        "thanks": "Paldies",
        "band": "Attīstības līmenis",
        "dimension": "Digitālā vīzija",
    },
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_intro_and_first_page_in_language(
    client: FlaskClient, make_campaign: Callable[..., Campaign], language: str,
) -> None:
    campaign = make_campaign()
    expected = EXPECTED[language]
    intro = client.get(f"/s/{campaign.slug}?lang={language}")
    assert intro.status_code == 200
    assert f'<html lang="{language}">' in intro.text
    for key in ("title", "start", "stop", "privacy", "minutes"):
        assert expected[key] in intro.text, key
    assert "You can stop at any time" not in intro.text
    assert "This questionnaire asks" not in intro.text
    # The choice is remembered in the session: no ?lang= from here on.
    first = start(client, f"/s/{campaign.slug}")
    page = client.get(first)
    assert f'<html lang="{language}">' in page.text
    for key in ("part", "section", "item", "everyone", "dont_know", "next", "required"):
        assert expected[key] in page.text, key
    assert "Hold a conversation about basic cyber security" not in page.text
    assert "Everyone" not in page.text and ">Next<" not in page.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_required_item_message_is_translated(
    client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]], language: str,
) -> None:
    campaign = make_campaign()
    client.get(f"/s/{campaign.slug}?lang={language}")
    start(client, f"/s/{campaign.slug}")
    answers = full_answers()
    del answers["cap_coding"]
    result = post_page(client, campaign.slug, 1, answers)
    assert result.status_code == 422
    block = re.search(r'<fieldset class="question has-error" id="q-cap_coding".*?</fieldset>',
                      result.text, re.S)
    assert block and EXPECTED[language]["error"] in block.group(0)
    assert EXPECTED[language]["summary"] in result.text
    assert "Please choose an answer." not in result.text


@pytest.mark.parametrize("language", LANGUAGES)
def test_thanks_page_in_language(
    client: FlaskClient, make_campaign: Callable[..., Campaign],
    full_answers: Callable[..., dict[str, Any]], language: str,
) -> None:
    campaign = make_campaign()
    client.get(f"/s/{campaign.slug}?lang={language}")
    start(client, f"/s/{campaign.slug}")
    result = complete(client, campaign.slug, full_answers())
    assert result.headers["Location"].endswith("/thanks")
    thanks = client.get(f"/s/{campaign.slug}/thanks")
    expected = EXPECTED[language]
    # Index 55 falls in the "developing" band (see test_survey).
    for key in ("thanks", "dimension"):
        assert expected[key] in thanks.text, key
    assert f"<strong>{expected['band']}</strong>" in thanks.text
    assert "Developing" not in thanks.text


@pytest.mark.parametrize(("header", "language"), [
    ("lv,en;q=0.5", "lv"),
    ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("pl-PL", "pl"),
    ("ru-RU,ru;q=0.9", "ru"),
    ("de-DE,en;q=0.7", "en"),
])
def test_browser_language_is_used_without_lang(
    client: FlaskClient, make_campaign: Callable[..., Campaign], header: str, language: str,
) -> None:
    campaign = make_campaign()
    intro = client.get(f"/s/{campaign.slug}", headers={"Accept-Language": header})
    assert intro.status_code == 200
    assert f'<html lang="{language}">' in intro.text
    if language != "en":
        assert EXPECTED[language]["start"] in intro.text


def test_lang_parameter_beats_browser_language(
    client: FlaskClient, make_campaign: Callable[..., Campaign],
) -> None:
    campaign = make_campaign()
    page = client.get(f"/s/{campaign.slug}?lang=ru", headers={"Accept-Language": "lv"})
    assert '<html lang="ru">' in page.text
    again = client.get(f"/s/{campaign.slug}", headers={"Accept-Language": "lv"})
    assert '<html lang="ru">' in again.text
    back = client.get(f"/s/{campaign.slug}?lang=en", headers={"Accept-Language": "lv"})
    assert '<html lang="en">' in back.text and "Start" in back.text


def test_language_switcher_offers_every_language(
    client: FlaskClient, make_campaign: Callable[..., Campaign],
) -> None:
    campaign = make_campaign()
    intro = client.get(f"/s/{campaign.slug}?lang=zh")
    for code in ALL_LANGUAGES:
        assert f'href="?lang={code}"' in intro.text
    assert 'lang="zh" aria-current="true"' in intro.text


def test_error_page_is_translated(client: FlaskClient) -> None:
    page = client.get("/s/no-such-campaign?lang=pl")
    assert page.status_code == 404
    assert "Nie znaleziono ankiety" in page.text


# --- terminology and plural forms (issue 11, reviewed against the seed articles) --------

def _catalogue_text(language: str) -> str:
    """Every translation in a catalogue, as one text."""
    catalog = _read_po(_po_path(language), language)
    strings = []
    for message in catalog:
        if message.id:
            strings += list(message.string) if isinstance(message.id, tuple) else [message.string]
    return "\n".join(strings)


# Terms the review replaced (left) and the ones that replaced them (right).
TERMS = {
    "ru": (["вопрос-результат", "Ни согласен", "каждое из перечисленного", "Мобильные\n"],
           ["итоговый вопрос", "Мобильные технологии", "Электронная коммерция",
            "Видение цифрового развития"]),
    "lv": (["atbildētīb", "Bēbibūm", "klienta balss", "saites loks", "Mobilās tehnol."],
           ["atsaucības līmenis", "Salīdzinošā kopa", "Kompetence", "Digitālās kompetences"]),
    "pl": (["Pytanie o wynik", "pytanie o wynik", "potrafią wszystkie", "Mobilność",
            "Gotowość L&D"],
           ["Pytanie wynikowe", "Technologie mobilne", "Gotowość działu szkoleń i rozwoju"]),
    "zh": (["结果问题", "家中排"], ["核心结果题", "百分位排名 %(rank)s（共 %(num)s 家）"]),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_uses_the_reviewed_terms(language: str) -> None:
    text = _catalogue_text(language) + "\n"
    replaced, used = TERMS[language]
    assert [term for term in replaced if term in text] == []
    assert [term for term in used if term not in text] == []
    if language == "ru":
        # "Видение цифрового развития", never "цифровое видение" in any case.
        assert re.findall(r"цифров\w+ видени\w+", text, flags=re.I) == []


def test_questionnaire_uses_the_reviewed_terms() -> None:
    q = load_file(INSTRUMENT)
    texts = "\n".join(text[lang] for _where, text in _texts(q) for lang in LANGUAGES)
    neutral = {o.code: o.label for o in q.scales["agree"].options}["neutral"]
    assert neutral["ru"] == "Нейтрально"
    assert neutral["pl"] == "Ani się zgadzam, ani się nie zgadzam"
    bands = {band.key: band.label for band in q.bands}
    assert [bands[key]["zh"] for key in ("beginning", "emerging", "developing",
                                         "established", "leading")] == [
        "初始级", "起步级", "发展级", "成熟级", "领先级"]
    assert bands["emerging"]["pl"] == "Kształtujący się"
    for term in ("Bēbju buma paaudze", "klientu balss (VoC)", "atgriezeniskās saites ciklu",
                 "Ответьте по каждому пункту"):
        assert term in texts
    for term in ("Bēbibūma", "klienta balss", "saites loku", "каждое из перечисленного",
                 "Ни согласен", "Wczesny"):
        assert term not in texts
    # Ranges of years take an en dash in every language.
    assert re.findall(r"\d{4}\.?-\d{4}", texts) == []


@pytest.mark.parametrize(("language", "threshold", "expected"), [
    ("en", 2, "groups of at least 2 people"),
    ("pl", 2, "co najmniej 2 osoby"), ("pl", 5, "co najmniej 5 osób"),
    ("pl", 22, "co najmniej 22 osoby"),
    ("ru", 2, "не менее 2 человек"), ("ru", 21, "не менее 21 человека"),
    ("lv", 5, "vismaz 5 cilvēki"), ("lv", 10, "vismaz 10 cilvēku"),
    ("lv", 21, "vismaz 21 cilvēks"),
    ("zh", 5, "至少 5 人"),
])
def test_intro_counts_take_the_language_s_plural_forms(
    client: FlaskClient, make_campaign: Callable[..., Campaign], language: str,
    threshold: int, expected: str,
) -> None:
    campaign = make_campaign(anonymity_threshold=threshold)
    intro = client.get(f"/s/{campaign.slug}?lang={language}")
    assert expected in intro.text
    parts = {"en": "in 5 short parts", "pl": "z 5 krótkich części",
             "ru": "из 5 коротких частей", "lv": "5 īsas daļas", "zh": "共 5 个简短部分"}
    assert parts[language] in intro.text
