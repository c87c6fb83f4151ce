"""Route detection: which provider object (core.chat.providers) the resolved settings select."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from core.chat import providers
from core.chat.endpoint import Detection
from core.setup.settings import BY_ENV, Resolved, typed_value


def detect(values: Mapping[str, Resolved]) -> Detection:
    """Pick the route: an explicit ``R1_ROUTE`` wins; else the complete route that ranks first (the
    Coze sandbox, a Coze bot, then OpenAI-compatible); else a half-set route says what it misses."""
    get = _reader(values)
    choice = get("R1_ROUTE")  # typed: lower case, and "auto" for a value that is not a route
    if choice in providers.BY_ROUTE:
        return providers.of(choice).detect(get, explicit=True)
    complete = [p for p in providers.PROVIDERS if p.complete(get)]
    if complete:
        return min(complete, key=lambda p: p.auto_rank).detect(get, explicit=False)
    partial = [p for p in providers.PROVIDERS if p.partial(get)]
    if partial:
        return min(partial, key=lambda p: p.partial_rank).detect(get, explicit=False)
    first = providers.FIRST_CHOICE  # nothing set: name what the most common route needs
    return Detection(None, None, (first.key_var, first.url_var), False)


def _reader(values: Mapping[str, Resolved]) -> Callable[[str], object]:
    """Each setting's typed value, the default for a bad one or for one missing from ``values``."""
    typed = {name: r.typed for name, r in values.items()}
    return lambda name: typed[name] if name in typed else typed_value(BY_ENV[name], BY_ENV[name].default)[0]
