"""Who sees which conversations, and where they are kept."""

from pathlib import Path

import pytest

from core.conversations.database import MEMORY, sqlite_url
from core.conversations.visibility import LOCAL_OWNER, data_dir, decide, identity, visitor_key
from core.place import Place

DATA = Path("/srv/r1chat/data")
LOCAL, SANDBOX_OWNER = Place("local", False), Place("coze-sandbox", False)
SERVER, CLOUD, SANDBOX_SHARED = Place("server", True), Place("community-cloud", True), Place("coze-sandbox", True)


def file_in(url, folder):
    """The database file a sqlite URL names, if it lies inside ``folder``."""
    assert url.startswith("sqlite:///")
    path = Path(url.removeprefix("sqlite:///"))
    return path.parent == folder.resolve()


@pytest.mark.parametrize(("place", "auth", "user_id", "mode", "owner", "can_sign_in"), [
    (LOCAL, False, None, "local", LOCAL_OWNER, False),
    (LOCAL, True, "alice@example.com", "local", LOCAL_OWNER, False),  # the machine's owner, signed in or not
    (SANDBOX_OWNER, False, None, "local", LOCAL_OWNER, False),
    (SERVER, True, "alice@example.com", "account", "user:alice@example.com", False),
    (CLOUD, True, "google-oauth2|109876543210987654321", "account",
     "user:google-oauth2|109876543210987654321", False),
    (SERVER, True, None, "session", "session", True),
    (CLOUD, False, None, "session", "session", False),
    (SANDBOX_SHARED, True, "", "session", "session", True),  # an empty id is nobody
])
def test_decide_picks_the_storage_for_each_kind_of_visitor(place, auth, user_id, mode, owner, can_sign_in):
    keeping = decide(place, DATA, auth, user_id)
    assert (keeping.mode, keeping.owner, keeping.can_sign_in) == (mode, owner, can_sign_in)
    if mode == "session":
        assert keeping.url == MEMORY and keeping.account == ""
    else:
        assert keeping.url == sqlite_url(DATA) and file_in(keeping.url, DATA)


def test_local_keeping_is_a_file_in_the_data_folder(tmp_path):
    keeping = decide(LOCAL, tmp_path / "data", False, None)
    assert keeping.url == sqlite_url(tmp_path / "data")
    assert file_in(keeping.url, tmp_path / "data")
    assert keeping.account == ""


@pytest.mark.parametrize(("email", "domain"), [
    ("alice.smith@example.com", "@example.com"),
    ("wang.xiaoming@qq.com", "@qq.com"),
    ("someone+tag@mail.example.org", "@mail.example.org"),
])
def test_an_email_account_label_keeps_the_domain_but_not_the_whole_name(email, domain):
    name = email.partition("@")[0]
    label = decide(SERVER, DATA, True, email).account
    assert label.endswith(domain)
    assert name not in label
    assert label.partition("…")[0] != name


@pytest.mark.parametrize("email", ["ab@example.com", "x@example.com"])
def test_a_short_email_name_is_not_shown_whole_either(email):
    name = email.partition("@")[0]
    label = decide(SERVER, DATA, True, email).account
    assert label.endswith("@example.com")
    assert label.partition("…")[0] != name


@pytest.mark.parametrize("user_id", ["google-oauth2|109876543210987654321", "0123456789abcdef0123456789abcdef",
                                     "short-sub-42"])
def test_an_opaque_account_id_is_masked(user_id):
    keeping = decide(CLOUD, DATA, True, user_id)
    assert keeping.owner == "user:" + user_id  # stored under the full id…
    assert keeping.account and user_id not in keeping.account  # …shown only masked
    assert len(keeping.account) < len(user_id)


def test_two_signed_in_users_never_share_an_owner():
    owners = {decide(SERVER, DATA, True, uid).owner
              for uid in ("alice@example.com", "bob@example.com", "local", "session")}
    owners |= {decide(LOCAL, DATA, False, None).owner, decide(SERVER, DATA, True, None).owner}
    assert len(owners) == 6  # an id spelled "local" or "session" is still its own user


def test_data_dir_defaults_to_data_next_to_the_app(tmp_path):
    assert data_dir(None, tmp_path) == tmp_path / "data"
    assert data_dir("", tmp_path) == tmp_path / "data"


def test_data_dir_relative_paths_are_taken_from_the_app_folder(tmp_path):
    assert data_dir("chats/store", tmp_path) == tmp_path / "chats" / "store"


def test_data_dir_keeps_an_absolute_path(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    assert data_dir(str(elsewhere), tmp_path / "app") == elsewhere


def test_data_dir_expands_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir("~/r1-data", tmp_path / "app") == tmp_path / "home" / "r1-data"
    assert data_dir("~", tmp_path / "app") == tmp_path / "home"


def test_identity_is_issuer_and_subject_with_the_email_shown():
    key, label = identity({"iss": "https://accounts.google.com", "sub": "1098", "email": "al@example.com"})
    assert (key, label) == ("https://accounts.google.com|1098", "al@example.com")


def test_identity_falls_back_to_the_email_and_needs_one_of_them():
    assert identity({"email": "al@example.com"}) == ("al@example.com", "al@example.com")
    assert identity({"name": "Al"})[0] is None


def test_the_label_shown_is_the_email_not_the_key():
    keeping = decide(SERVER, DATA, True, "https://issuer|1098", "alice@example.com")
    assert keeping.owner == "user:https://issuer|1098" and keeping.account == "al…@example.com"


def test_a_visitor_is_their_owner_or_else_their_browser_session():
    assert visitor_key(decide(LOCAL, DATA, False, None), "s1") == LOCAL_OWNER
    assert visitor_key(decide(SERVER, DATA, True, "alice@example.com"), "s1") == "user:alice@example.com"
    session_only = decide(CLOUD, DATA, False, None)
    assert visitor_key(session_only, "s1") != visitor_key(session_only, "s2")  # all share owner "session"
    assert visitor_key(session_only, "s1") == visitor_key(session_only, "s1")
