"""A named failure — the value every domain passes around: chat makes it, storage keeps it, pages
and the doctor word it. Only the standard library and core.untrusted, so storage can hold one
without loading any SDK."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.untrusted import clean_line, inert_links

# Failures of the connection itself: named in words only, their cause goes to the log.
TRANSPORT_KINDS = {"connection", "reset", "refused", "dns", "tls", "proxy", "timeout", "cut_off"}
# Kinds whose fix lives on the Setup page (token, base URL, model name).
SETUP_KINDS = {"auth", "token_refused", "balance", "forbidden", "not_found", "dns", "refused", "tls",
               "bot_not_found", "bot_not_published", "api_not_found"}


@dataclass(frozen=True)
class Diagnosis:
    """A named failure: ``kind`` keys the i18n message, ``params`` fill it in."""

    kind: str
    params: dict = field(default_factory=dict)
    status: int | None = None
    detail: str = ""
    request_id: str | None = None

    @property
    def fix_in_setup(self) -> bool:
        """Whether the fix is a setting the Setup page can change."""
        return self.kind in SETUP_KINDS


def status_label(status: int | None, code: object = None) -> str:
    """What a failed server answered, as its message names it: ``HTTP 503``; ``Coze 5000`` when Coze's
    own code came with a status that is no server error (often 200); ``HTTP 5xx`` if nothing was kept."""
    if code not in (None, "") and not (status and status >= 500):
        return f"Coze {code}"
    return f"HTTP {status}" if status else "HTTP 5xx"


def words(diagnosis: Diagnosis, t, also: str = "") -> str:
    """The whole message for a diagnosis in the language of ``t``: what happened and the fix, then
    how often the app retried, what kind of page answered, ``also``, and the provider's own words.

    Text that came from the provider (a page's title, its message) is one clean line with inert
    links; a transport fault shows no detail (its cause, with class names, is in the log), which
    also hides what older versions stored there.
    """
    params, key = dict(diagnosis.params), f"err.{diagnosis.kind}"
    page = _inert(params.get("page_title", ""))
    if page:
        params["page_title"] = page
    for variant, wanted in (("_wait", params.get("wait", "?") != "?"), ("_page", bool(page))):
        if wanted and t(key + variant, **params) != key + variant:
            key += variant  # the provider said how long to wait; a web page came instead
    body = t(key, **params)
    if body == key:  # a kind this version has no words for (an imported conversation's)
        body = t("err.unknown", **params)
    if params.get("retries"):
        body += " " + t("err.retried", count=int(params["retries"]))
    if page and not key.endswith("_page") and diagnosis.kind != "gateway":  # a gateway's names it
        body += " " + t("err.html_page", page_title=page)
    body += " " + also if also else ""
    if diagnosis.detail and diagnosis.kind not in TRANSPORT_KINDS:
        body += "\n\n" + t("err.detail", detail=_inert(diagnosis.detail))
    return body


def _inert(text: str) -> str:
    return inert_links(clean_line(text))
