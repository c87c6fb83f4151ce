"""UI strings in zh-CN and en: pick a language from the browser locale, translate keys.

The strings are data: one catalogue per language, ``core/locales/<code>.toml``. Why TOML:
Python 3.11 reads it with the standard library (``tomllib``), so there is no new dependency
and no compile step (gettext wants ``.mo`` files); unlike JSON it allows comments and
rejects duplicate keys; and its tables namespace the keys by domain. A key
``check.token_quoted.fix`` is the quoted key ``"token_quoted.fix"`` in table ``[check]``.

An entry is a template, or a plural ``{ count = "n", one = "…", other = "…" }`` whose
``count`` names the parameter that picks the form (English: "one" for 1, else "other").
``CATALOGUES[lang][key]`` is always text: a plural is a ``Plural``, which reads as its
"other" form and keeps every form in ``.forms``.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path

LANGUAGES = {"zh-CN": "中文", "en": "English"}
DEFAULT = "zh-CN"  # our users are Chinese-speaking developers first
LOCALES = Path(__file__).with_name("locales")

# CLDR plural categories a language tells apart; a language not listed has only "other" (as Chinese).
PLURAL_RULES: dict[str, Callable[[object], str]] = {
    "en": lambda count: "one" if str(count) == "1" else "other",
}
FORMS = ("zero", "one", "two", "few", "many", "other")


class Plural(str):
    """A plural entry; as text it is its "other" form, so every catalogue value stays a ``str``."""

    count: str  # the parameter whose number picks the form
    forms: dict[str, str]  # CLDR category -> template

    def __new__(cls, count: str, forms: Mapping[str, str]) -> Plural:
        entry = super().__new__(cls, forms["other"])
        entry.count, entry.forms = count, dict(forms)
        return entry


def load(path: Path) -> dict[str, str]:
    """The flat ``{"domain.rest": text}`` catalogue in one TOML file, checked for shape."""
    with path.open("rb") as file:
        document = tomllib.load(file)
    catalogue: dict[str, str] = {}
    for domain, table in document.items():
        if not isinstance(table, dict):
            raise ValueError(f"{path.name}: {domain!r} must be a [table] of one domain")
        for rest, entry in table.items():
            catalogue[f"{domain}.{rest}"] = _entry(f"{path.name}: {domain}.{rest}", entry)
    return catalogue


def _entry(where: str, entry: object) -> str:
    """A template as is, a plural table as a ``Plural``; anything else is a ValueError naming it."""
    if isinstance(entry, str):
        return entry
    if (isinstance(entry, dict) and "count" in entry and "other" in entry
            and set(entry) <= {"count", *FORMS} and all(isinstance(v, str) for v in entry.values())):
        return Plural(entry["count"], {form: text for form, text in entry.items() if form != "count"})
    raise ValueError(f"{where}: expected text or {{ count = ..., one = ..., other = ... }}, got {entry!r}")


CATALOGUES = {lang: load(LOCALES / f"{lang}.toml") for lang in LANGUAGES}


def from_locale(locale: str | None) -> str:
    """Map a browser locale such as ``zh-TW`` or ``en-US`` to a catalogue."""
    if not locale:
        return DEFAULT
    return "zh-CN" if locale.lower().startswith("zh") else "en"


def translate(lang: str, key: str, **params: object) -> str:
    """The message for ``key`` in ``lang`` (English if missing there), with params filled in."""
    if not CATALOGUES.get(lang, {}).get(key):
        lang = "en"
    entry = CATALOGUES[lang].get(key)
    if entry is None:
        return key
    template = choose(lang, entry, params) if isinstance(entry, Plural) else entry
    return template.format_map(_Lenient(params)) if params or "{" in template else template


def choose(lang: str, plural: Plural, params: Mapping[str, object]) -> str:
    """The form of a plural that its count parameter calls for in ``lang`` ("other" without one)."""
    rule = PLURAL_RULES.get(lang)
    form = rule(params[plural.count]) if rule and plural.count in params else "other"
    return plural.forms.get(form) or plural.forms["other"]


def translator(lang: str) -> Callable[..., str]:
    """A ``t(key, **params)`` bound to one language."""
    return lambda key, **params: translate(lang, key, **params)


def forms(entry: str) -> list[str]:
    """Every template of a catalogue entry: each form of a plural, else the text itself."""
    return list(entry.forms.values()) if isinstance(entry, Plural) else [entry]


def placeholders(entry: str) -> set[str]:
    """The ``{names}`` an entry expects, over all its forms (used by the catalogue tests)."""
    formatter = string.Formatter()
    return {name for text in forms(entry) for _, name, _, _ in formatter.parse(text) if name}


class _Lenient(dict):
    """A missing parameter renders as ``{name}`` instead of raising mid-page."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
