"""UI strings in zh-CN and en: pick a language from the browser locale, translate keys."""

from __future__ import annotations

import string
from collections.abc import Callable

from core.locales import en, zh_cn

LANGUAGES = {"zh-CN": "中文", "en": "English"}
# Each catalogue is split by area (locales/<area>_en.py, <area>_zh_cn.py) and merged here.
CATALOGUES = {"zh-CN": zh_cn.merged(), "en": en.merged()}
DEFAULT = "zh-CN"  # our users are Chinese-speaking developers first


def from_locale(locale: str | None) -> str:
    """Map a browser locale such as ``zh-TW`` or ``en-US`` to a catalogue."""
    if not locale:
        return DEFAULT
    return "zh-CN" if locale.lower().startswith("zh") else "en"


def translate(lang: str, key: str, **params: object) -> str:
    """The message for ``key`` in ``lang`` (English if missing there), with params filled in."""
    template = CATALOGUES.get(lang, {}).get(key) or CATALOGUES["en"].get(key) or key
    return template.format_map(_Lenient(params)) if params or "{" in template else template


def translator(lang: str) -> Callable[..., str]:
    """A ``t(key, **params)`` bound to one language."""
    return lambda key, **params: translate(lang, key, **params)


def placeholders(template: str) -> set[str]:
    """The ``{names}`` a template expects (used by the catalogue test)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


class _Lenient(dict):
    """A missing parameter renders as ``{name}`` instead of raising mid-page."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
