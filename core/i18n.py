"""UI strings in zh-CN and en: pick a language from the browser locale, translate keys."""

from __future__ import annotations

import importlib
import string
from collections.abc import Callable

LANGUAGES = {"zh-CN": "中文", "en": "English"}
AREAS = ("", "setup_", "checks_", "verify_", "coze_", "chats_", "history_")  # locales/<area><lang>.py, merged into one catalogue


def _catalogue(suffix: str) -> dict[str, str]:
    """Every area's messages for one language (``en`` or ``zh_cn``)."""
    merged: dict[str, str] = {}
    for area in AREAS:
        merged.update(importlib.import_module(f"core.locales.{area}{suffix}").MESSAGES)
    return merged


CATALOGUES = {"zh-CN": _catalogue("zh_cn"), "en": _catalogue("en")}
DEFAULT = "zh-CN"  # our users are Chinese-speaking developers first


def from_locale(locale: str | None) -> str:
    """Map a browser locale such as ``zh-TW`` or ``en-US`` to a catalogue."""
    if not locale:
        return DEFAULT
    return "zh-CN" if locale.lower().startswith("zh") else "en"


def translate(lang: str, key: str, **params: object) -> str:
    """The message for ``key`` in ``lang`` (English if missing there), with params filled in."""
    template = CATALOGUES.get(lang, {}).get(key) or CATALOGUES["en"].get(key)
    if template is None:
        return key
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
