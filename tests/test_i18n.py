"""The catalogues: both languages say the same things, every key the code names exists, none is unused."""

import ast
import re
from pathlib import Path

import pytest

from core import i18n

ROOT = Path(__file__).resolve().parent.parent
CODE = sorted([*ROOT.glob("*.py"), *(path for folder in ("core", "ui", "app_pages") for path in (ROOT / folder).rglob("*.py"))])
EN, ZH = i18n.CATALOGUES["en"], i18n.CATALOGUES["zh-CN"]
DOMAINS = {key.split(".", 1)[0] for key in EN}
KEY_SHAPE = re.compile(r"[a-z_]+\.[\w.\-]*")

# Keys the code builds at run time, by the literal start of the f-string that builds them.
DYNAMIC = {
    "check.",          # core/setup/checks.py explain(): check.{kind} and check.{kind}.fix
    "err.",            # core/diagnosis.py words(): err.{diagnosis kind}, err.{kind}_wait
    "chat.retrying.",  # ui/live.py show_wait(): chat.retrying.{kind of the fault being retried}
    "chat.no_room.",  # app_pages/chat.py no_room(): chat.no_room.{busy, visitor, process}
    "route.",          # app_pages/setup.py, core/doctor.py: route.{route}
    "source.",         # app_pages/setup.py, core/setup/checks.py, core/doctor.py: source.{where a value comes from}
    "place.",          # app_pages/setup.py: place.{place kind}
    "doctor.place.",   # core/doctor.py: doctor.place.{place kind}
    "preset.",         # app_pages/setup.py: preset.{preset id}
    "save.",           # app_pages/setup.py: save.{save error kind}
    "verify.step.",    # app_pages/setup.py, core/doctor.py: verify.step.{step name}
    "verify.skip.",    # core/setup/diagnostics.py describe(): verify.skip.{reason}
    "verify.note.",    # core/setup/diagnostics.py describe(): verify.note.{step}.{status}
    "export.status.",  # core/conversations/export.py: export.status.{message status}
    "export.",         # core/conversations/export.py: export.{role}
    "chats.model.",    # core/conversations/records.py footer(): chats.model.{route}
}
# Key-shaped strings in the code that are not keys.
NOT_KEYS = {"chats.db"}  # core/conversations/database.py: the database file
# Keys no code shows, kept because a test outside this file still asserts them: drop both together.
TESTS_ONLY = {"verify.status."}  # tests/setup/test_verify.py: test_every_step_outcome_has_a_message


def key_shaped(text: str) -> bool:
    return bool(KEY_SHAPE.fullmatch(text)) and text.split(".", 1)[0] in DOMAINS


def scan(paths: list[Path]) -> tuple[set[str], dict[str, set[str]]]:
    """Key-shaped string literals, and the f-strings that build keys as regexes by their literal head."""
    literals, built = set(), {}
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                if key_shaped(head := node.values[0].value):
                    built.setdefault(head, set()).add(as_regex(node))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in inside:
                literals.add(node.value)
    return {text for text in literals if key_shaped(text)}, built


def as_regex(fstring: ast.JoinedStr) -> str:
    """``f"check.{kind}.fix"`` as ``check\\..+\\.fix``: literal parts kept, each ``{…}`` any text."""
    return "".join(re.escape(p.value) if isinstance(p, ast.Constant) else ".+" for p in fstring.values)


LITERALS, BUILT = scan(CODE)


# Both languages


def test_both_languages_have_the_same_keys():
    assert set(EN) == set(ZH)


@pytest.mark.parametrize("key", sorted(EN))
def test_placeholders_match_across_languages_and_plural_forms(key):
    templates = i18n.forms(EN[key]) + i18n.forms(ZH.get(key, ""))
    assert len({frozenset(i18n.placeholders(text)) for text in templates}) == 1, templates


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
def test_a_plural_is_chosen_by_a_parameter_every_form_uses(lang):
    for key, entry in i18n.CATALOGUES[lang].items():
        if isinstance(entry, i18n.Plural):
            assert all(entry.count in i18n.placeholders(text) for text in entry.forms.values()), key


def test_english_plurals_have_one_and_other():
    plurals = {key: entry.forms for key, entry in EN.items() if isinstance(entry, i18n.Plural)}
    assert plurals
    assert all(set(forms) == {"one", "other"} for forms in plurals.values()), plurals


# Keys and code


def test_every_key_the_code_names_exists():
    assert not LITERALS - NOT_KEYS - set(EN)
    assert NOT_KEYS <= LITERALS  # still in the code, or drop it from NOT_KEYS


def test_every_key_the_code_builds_is_listed_and_exists():
    assert not set(BUILT) - DYNAMIC, "a new f-string builds keys: add its head to DYNAMIC"
    for head, patterns in BUILT.items():
        for pattern in patterns:
            assert any(re.fullmatch(pattern, key) for key in EN), (head, pattern)


def test_every_listed_prefix_is_still_built():
    assert not DYNAMIC - set(BUILT)


def test_no_key_is_unused():
    prefixes = tuple(DYNAMIC | TESTS_ONLY)
    unused = {key for key in EN if key not in LITERALS and not key.startswith(prefixes)}
    assert not unused


def test_test_only_keys_are_still_unused_by_the_code_and_still_tested():
    tests = [path for path in sorted(ROOT.joinpath("tests").rglob("*.py")) if path.name != Path(__file__).name]
    for prefix in TESTS_ONLY:
        assert any(key.startswith(prefix) for key in EN)
        assert not any(key.startswith(prefix) for key in LITERALS) and prefix not in BUILT
        assert any(f'"{prefix}' in path.read_text(encoding="utf-8") for path in tests), prefix


# Plural forms


@pytest.mark.parametrize(("key", "params", "text"), [
    ("chat.tokens", {"n": 1}, "1 token"),
    ("chat.tokens", {"n": 2}, "2 tokens"),
    ("chat.tokens", {"n": 0}, "0 tokens"),
    ("chats.imported", {"title": "T", "n": 1}, "Imported “T” (1 message)."),
    ("chats.imported", {"title": "T", "n": 2}, "Imported “T” (2 messages)."),
    ("verify.note.reasoning.ok", {"chars": 1}, "1 character of reasoning came back."),
    ("verify.note.reasoning.ok", {"chars": 250}, "250 characters of reasoning came back."),
    ("verify.note.model.ok", {"model": "m", "models": 1}, "The provider lists 1 model: `m`."),
    ("verify.note.model.ok", {"model": "m", "models": 3}, "`m` is among the 3 models the provider lists."),
])
def test_english_counts_take_the_plural_they_need(key, params, text):
    assert i18n.translate("en", key, **params) == text


def test_chinese_has_one_form_for_every_count():
    assert i18n.translate("zh-CN", "chats.imported", title="T", n=1).replace("1", "2") == \
        i18n.translate("zh-CN", "chats.imported", title="T", n=2)


def test_a_plural_without_its_count_falls_back_to_other_and_shows_the_gap():
    assert i18n.translate("en", "chats.imported", title="T") == "Imported “T” ({n} messages)."


# Lookup


def test_missing_parameter_does_not_raise():
    assert "{n}" in i18n.translate("en", "chat.tokens")


def test_a_key_missing_in_a_language_falls_back_to_english_then_to_itself(monkeypatch):
    monkeypatch.delitem(ZH, "chat.retry")
    assert i18n.translate("zh-CN", "chat.retry") == EN["chat.retry"]
    assert i18n.translate("zh-CN", "no.such_key") == "no.such_key"


def test_every_diagnosis_kind_has_a_message():
    kinds = {"bad_request", "auth", "balance", "forbidden", "not_found", "rate_limit", "server",
             "http", "timeout", "refused", "dns", "tls", "proxy", "connection", "stream_error",
             "cut_off", "unknown"}
    assert {f"err.{k}" for k in kinds} <= set(EN)


@pytest.mark.parametrize(("locale", "lang"), [
    ("zh-CN", "zh-CN"), ("zh-TW", "zh-CN"), ("en-US", "en"), ("de-DE", "en"), (None, "zh-CN")])
def test_language_follows_the_browser_locale(locale, lang):
    assert i18n.from_locale(locale) == lang


# The file format


def test_a_domain_table_holds_a_key_and_its_dotted_sibling(tmp_path):
    path = tmp_path / "xx.toml"
    path.write_text('[check]\n"quoted" = "a"\n"quoted.fix" = "b"\n'
                    '"n" = { count = "n", one = "{n} item", other = "{n} items" }\n', encoding="utf-8")
    catalogue = i18n.load(path)
    assert catalogue == {"check.quoted": "a", "check.quoted.fix": "b", "check.n": "{n} items"}
    assert (catalogue["check.n"].count, catalogue["check.n"].forms) == ("n", {"one": "{n} item", "other": "{n} items"})


@pytest.mark.parametrize("text", [
    'top = "no domain"\n',
    '[chat]\n"x" = { one = "no count", other = "x" }\n',
    '[chat]\n"x" = { count = "n", one = "no other" }\n',
    '[chat]\n"x" = 3\n',
])
def test_a_malformed_entry_is_refused_by_name(tmp_path, text):
    path = tmp_path / "xx.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match="xx.toml"):
        i18n.load(path)


def test_every_route_words_what_answered_in_the_footer():
    from core.chat import providers

    assert {f"chats.model.{route}" for route in providers.ROUTES} <= set(EN)
