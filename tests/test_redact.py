"""core.redact: mask() shows only a token's ends, redact() scrubs known secrets and token shapes."""

import pytest

from core.redact import mask, mask_url, redact

# Built at run time, so no token-shaped literal sits in the repo. Assertions that could fail with
# a token in view compare first and assert the bare result, so no full token reaches a report.
SK = "sk-" + "a1b2c3d4" * 4
PAT = "pat_" + "Qz" * 15
OR_KEY = "sk-or-v1-" + "f0" * 32
JWT = "eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl"
LONG = "secretvalue-" + "q" * 10


@pytest.mark.parametrize(("value", "masked"), [
    (None, ""),
    ("", ""),
    ("short", "•" * 8),
    ("x" * 12, "•" * 8),
    ("x" * 8 + "wxyz" + "!", "•" * 8),  # 13: head and tail would be more than half of it
    ("sk-" + "x" * 16, "•" * 8),
    ("x" * 13 + "wxyz", "xxxx…wxyz"),
    (LONG, "secr…qqqq"),
    (SK, "sk-a1b…c3d4"),
    (PAT, "pat_Qz…QzQz"),
    ("sat_" + "m" * 20, "sat_mm…mmmm"),
], ids=["none", "empty", "short", "twelve", "thirteen", "short-sk", "seventeen", "plain", "sk", "pat", "sat"])
def test_a_value_is_masked_to_a_few_leading_and_its_last_four(value, masked):
    shown = mask(value)
    assert shown == masked


def test_a_mask_shows_less_than_half_of_any_secret():
    for length in range(1, 60):
        value = "".join(chr(ord("a") + i % 26) for i in range(length))
        for shaped in (value, "sk-" + value, "pat_" + value):
            shown = sum(c != "•" for c in mask(shaped).replace("…", ""))
            assert shown * 2 < len(shaped), f"a value of length {len(shaped)} shows {shown} characters"


def test_a_mask_never_holds_the_whole_value_whatever_its_length():
    for length in range(1, 60):
        value = "".join(chr(ord("a") + i % 26) for i in range(length))
        for shaped in (value, "sk-" + value, "pat_" + value):
            whole = shaped in mask(shaped)
            assert not whole, f"a value of length {len(shaped)} is shown whole"


def test_a_known_secret_is_replaced_by_its_mask():
    done = redact(f"calling with {LONG} now", [LONG]) == f"calling with {mask(LONG)} now"
    assert done


def test_the_longest_known_secret_is_replaced_first():
    # A shorter secret that is a prefix of a longer one must not leave the longer one's tail.
    done = redact(f"a {LONG} b", [LONG[:8], LONG]) == f"a {mask(LONG)} b"
    assert done


@pytest.mark.parametrize("secret", ["", "abcde"])
def test_empty_or_very_short_secrets_are_not_replaced(secret):
    assert redact(f"a {secret} b", [secret]) == f"a {secret} b"


@pytest.mark.parametrize(("text", "token"), [
    ("key " + SK, SK),
    ("Authorization: Bearer " + SK, SK),
    ("bearer " + JWT, JWT),
    ("x " + OR_KEY + " y", OR_KEY),
    ("coze " + PAT, PAT),
    ('{"api_key": "' + "Z9" * 10 + '"}', "Z9" * 10),
    ("OPENAI_API_KEY=" + "k" * 20, "k" * 20),
    ("x-api-key: " + "k" * 20, "k" * 20),
    ("token='" + "t0" * 12 + "'", "t0" * 12),
], ids=["sk", "bearer-sk", "bearer-jwt", "sk-or", "pat", "json-api-key", "env-line", "header", "token-quoted"])
def test_token_shaped_strings_are_scrubbed_without_being_told(text, token):
    scrubbed = redact(text)
    leaked = token in scrubbed
    assert not leaked, "token left in redacted text"
    tail = token[-4:]
    assert tail in scrubbed  # still recognisable by its fingerprint


@pytest.mark.parametrize("text", [
    "OPENAI_API_KEY=<token>",
    "token: abc",
    "sk-short",
    "the Bearer of bad news",
    "https://api.deepseek.com/v1",
])
def test_templates_and_ordinary_text_are_left_alone(text):
    assert redact(text) == text


def test_redacting_twice_changes_nothing_more():
    once = redact(f"Authorization: Bearer {SK}; api_key={PAT}")
    stable = redact(once) == once
    assert stable


@pytest.mark.parametrize("text, shown", [
    ("connect to postgresql://app:hunter2-hunter2-hunter2@db:5432/chats failed",
     "connect to postgresql://app:••••••••@db:5432/chats failed"),  # no fingerprint of a password
    ("postgres://app:pw@db/chats", "postgres://app:••••••••@db/chats"),
    ("postgresql://app@db/chats", "postgresql://app@db/chats"),  # no password: nothing to hide
    # An "@" or a "/" left unencoded in the password: hidden up to the last "@", never shown in part.
    ("postgresql://u:p@ss/w@host/db", "postgresql://u:••••••••@host/db"),
    ("url postgresql://u:p@ss@host:5432/db, then text", "url postgresql://u:••••••••@host:5432/db, then text"),
    ("postgresql://u:a/b@host/db and mail@example.com",
     "postgresql://u:••••••••@host/db and mail@example.com"),
    # A password given as a query parameter, or in libpq's key=value form.
    ("postgresql://u@host/db?password=secret&sslmode=require",
     "postgresql://u@host/db?password=••••••••&sslmode=require"),
    ("postgresql://u@host/db?sslmode=require&PASSWORD=secret", "postgresql://u@host/db?sslmode=require&PASSWORD=••••••••"),
    ("host=db user=u password=secret dbname=chats", "host=db user=u password=•••••••• dbname=chats"),
])
def test_a_urls_password_is_masked(text, shown):
    assert redact(text) == shown
    assert mask_url(text) == shown


@pytest.mark.parametrize("text, shown", [
    ("The database (postgresql://u@db/chats?password=pw, from `environ`) failed",
     "The database (postgresql://u@db/chats?password=••••••••, from `environ`) failed"),
    ("数据库（postgresql://u@db/chats?password=pw，来自 `进程环境变量`）", "数据库（postgresql://u@db/chats?password=••••••••，来自 `进程环境变量`）"),
])
def test_a_password_parameter_in_prose_is_hidden_without_the_words_after_it(text, shown):
    assert redact(text, ["pw"]) == shown and redact(text) == shown
