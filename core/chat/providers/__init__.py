"""One provider object per route — how it reads its settings, builds its client, streams a reply
and names its faults. A new route is one module here (a ``PROVIDER``) plus its Setup preset."""

from __future__ import annotations

from core.chat.providers import coze_bot, coze_sandbox, openai_compatible
from core.chat.providers.base import Provider

PROVIDERS: tuple[Provider, ...] = (coze_sandbox.PROVIDER, coze_bot.PROVIDER, openai_compatible.PROVIDER)
BY_ROUTE = {p.route: p for p in PROVIDERS}
ROUTES = tuple(BY_ROUTE)
FIRST_CHOICE = openai_compatible.PROVIDER  # what a machine with nothing set is told to configure


def of(route: str) -> Provider:
    """The provider object of a route (an endpoint's ``route``, a preset's, ``R1_ROUTE``'s)."""
    return BY_ROUTE[route]
