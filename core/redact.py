"""Masking and redaction, so a token never appears in full on a page, in a log or a report."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Shapes of credentials worth scrubbing even when we were not told the value.
PATTERNS = (
    re.compile(r"(?i)(bearer\s+)([A-Za-z0-9._~+/=-]{8,})"),
    re.compile(r"\b(sk-|pat_|sat_|sk-or-v1-)([A-Za-z0-9_-]{8,})"),
    # A value that looks like a credential, not a template such as `OPENAI_API_KEY=<token>`.
    re.compile(r"(?i)((?:api[_-]?key|token|authorization)[\"']?\s*[:=]\s*[\"']?)([A-Za-z0-9._~+/=-]{8,})"),
)
# user:password@host, up to the last "@" before a space: a password often holds an "@" or a "/" that
# its owner did not percent-encode, and hiding some of the host is better than showing the password.
URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*:)(\S+)(?=@)")
# ...?password=secret in a URL's query, or password=secret in a libpq "key=value" string.
PASSWORD_PARAM = re.compile(r"(?i)((?:^|[?&;\s])(?:ssl)?password=)([^&#\s]+)")
# The same in prose, where the URL is followed by a comma, a bracket or words (CJK ones too): those
# are not the password's. A known password is replaced whole before (redact's ``secrets``).
# Case-blind for the name only: under IGNORECASE the range beyond ASCII would take in "s" and "k"
# (their case folds, "ſ" and the Kelvin sign, lie there).
PROSE_PASSWORD_PARAM = re.compile(r"((?:^|[?&;\s])(?i:ssl)?(?i:password)=)([^&#\s,;)\]'\"`\u0080-\uffff]+)")
# A password gets no fingerprint: unlike a token's random ends, its ends are the user's own words.
HIDDEN = "•" * 8


def mask(value: str | None) -> str:
    """Show a few leading and the last 4 characters of a secret, never the whole of it."""
    if not value:
        return ""
    head = 6 if value[:4] in ("pat_", "sat_") or value.startswith("sk-") else 4
    if len(value) <= 2 * (head + 4):  # head and tail would show half of a short secret or more
        return "•" * 8
    return f"{value[:head]}…{value[-4:]}"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """Replace every known secret and every token-shaped string in ``text`` by its mask."""
    for secret in sorted((s for s in secrets if s and len(s) >= 6), key=len, reverse=True):
        text = text.replace(secret, mask(secret))
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + mask(m.group(2)), text)
    return _hide(PROSE_PASSWORD_PARAM, _hide(URL_PASSWORD, text))


def mask_url(url: str | None) -> str:
    """A URL with its password hidden, in the ``user:password@`` part or a ``password=`` parameter."""
    return _hide(PASSWORD_PARAM, _hide(URL_PASSWORD, url or ""))


def mask_server(url: str | None) -> str:
    """Only a URL's scheme, the rest hidden: a shared deployment's visitors need not learn the host,
    user and database name its operator chose."""
    scheme, found, _ = (url or "").partition("://")
    return f"{scheme}://{HIDDEN}" if found else HIDDEN


def _hide(pattern: re.Pattern, text: str) -> str:
    """``text`` with each ``pattern`` match's second group, a password, replaced by ``HIDDEN``."""
    return pattern.sub(lambda m: m.group(1) + HIDDEN, text)
