"""Who may see which conversations, and where they are kept: on this machine, per signed-in
user, or only for the browser session."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.conversations.database import MEMORY, sqlite_url
from core.place import Place
from core.redact import mask

LOCAL_OWNER = "local"


@dataclass(frozen=True)
class Keeping:
    """How this visitor's conversations are stored: ``mode`` keys the page's explanation."""

    mode: str  # local | account | session
    owner: str
    url: str
    account: str = ""  # the signed-in identity, shortened for display
    can_sign_in: bool = False


def identity(claims: Mapping[str, object]) -> tuple[str | None, str]:
    """A signed-in user's stable key and display name from their identity token's claims.

    The key is the issuer plus subject (unique per provider, never reassigned); the e-mail alone
    is the fallback, since with several providers configured one might vouch for any address.
    """
    issuer, subject, email = (str(claims.get(k) or "") for k in ("iss", "sub", "email"))
    key = f"{issuer}|{subject}" if subject else email
    return key or None, email or str(claims.get("name") or "") or key


def decide(place: Place, data_dir: Path, auth_configured: bool, user_id: str | None,
           user_label: str = "", database_url: str | None = None) -> Keeping:
    """Pick the storage for one visitor.

    On a machine only its owner reaches, everything is saved under one local owner. On a shared
    deployment conversations are saved per signed-in user (Streamlit authentication); without
    a signed-in user they live in a database private to the browser session, so no visitor can
    ever list another's.
    """
    url = database_url or sqlite_url(data_dir)  # R1_DATABASE_URL, else SQLite in the data folder
    if not place.shared:
        return Keeping("local", LOCAL_OWNER, url)
    if user_id:
        return Keeping("account", "user:" + user_id, url, account=_shorten(user_label or user_id))
    return Keeping("session", "session", MEMORY, can_sign_in=auth_configured)


def visitor_key(keeping: Keeping, session_id: str) -> str:
    """Who this visitor is to an upstream that keeps per-user state: their conversations' owner,
    or this browser session when their conversations live in the session only."""
    return f"session:{session_id}" if keeping.mode == "session" else keeping.owner


def data_dir(value: str | None, app_dir: Path) -> Path:
    """The data folder from its setting: relative paths are taken from the app folder."""
    folder = Path(value or "data").expanduser()
    return folder if folder.is_absolute() else app_dir / folder


def _shorten(user_id: str) -> str:
    """An e-mail keeps its domain readable; anything else is masked like a token."""
    name, at, domain = user_id.partition("@")
    shown = name[:2] if len(name) > 3 else name[:1] if len(name) > 1 else ""  # never the whole name
    return f"{shown}…@{domain}" if at else mask(user_id) or user_id
