"""Typed settings: each kind's parse, the default for a bad value, the consumers, and the finding."""

import pytest

from core import i18n
from core.chat import providers
from core.chat import session as conversation
from core.setup import config
from core.setup.checks import explain
from core.setup.routes import detect
from core.setup.settings import BY_ENV, KINDS, MAX_TOKENS_CAP, SETTINGS, gather, parse, resolve
from core.setup.valuechecks import base_url_problems, setting_problems

MAX_TOKENS, TIMEOUT, ROUTE = BY_ENV["R1_MAX_TOKENS"], BY_ENV["R1_READ_TIMEOUT"], BY_ENV["R1_ROUTE"]
DATA_DIR, COZE_BASE, MODEL = BY_ENV["R1_DATA_DIR"], BY_ENV["COZE_API_BASE"], BY_ENV["R1_MODEL"]
SANDBOX = {"COZE_WORKLOAD_IDENTITY_API_KEY": "wi-token-abcdef123456",
           "COZE_INTEGRATION_MODEL_BASE_URL": "https://integration.coze.cn/api/v3"}


def values(tmp_path, environ):
    return resolve(gather(tmp_path, environ))


# (setting, text, typed value or None when bad)
PARSE = [
    (MAX_TOKENS, "4096", 4096), (MAX_TOKENS, "  4096 ", 4096), (MAX_TOKENS, "+4096", 4096),
    (MAX_TOKENS, "256", 256), (MAX_TOKENS, "65536", 65536), (MAX_TOKENS, "  42 ", None),
    (MAX_TOKENS, "", None), (MAX_TOKENS, "abc", None), (MAX_TOKENS, "-5", None), (MAX_TOKENS, "1e3", None),
    (MAX_TOKENS, "100000", None), (MAX_TOKENS, "65537", None), (MAX_TOKENS, "4096.0", None),
    (MAX_TOKENS, "4_096", None), (MAX_TOKENS, "40\x0096", None), (MAX_TOKENS, "４０９６", None),
    (MAX_TOKENS, "٤٠٩٦", None), (MAX_TOKENS, "9" * 5000, None),
    (TIMEOUT, "120", 120.0), (TIMEOUT, "1e3", 1000.0), (TIMEOUT, " 2.5 ", 2.5), (TIMEOUT, ".5e1", 5.0),
    (TIMEOUT, "1", 1.0), (TIMEOUT, "3600", 3600.0), (TIMEOUT, "", None), (TIMEOUT, "abc", None),
    (TIMEOUT, "-5", None), (TIMEOUT, "0", None), (TIMEOUT, "0.5", None), (TIMEOUT, "100000", None),
    (TIMEOUT, "1e999", None), (TIMEOUT, "nan", None), (TIMEOUT, "inf", None), (TIMEOUT, "1\x00", None),
    (TIMEOUT, "１２０", None),
    (ROUTE, "auto", "auto"), (ROUTE, " OpenAI ", "openai"), (ROUTE, "coze-bot", "coze-bot"),
    (ROUTE, "foo", None), (ROUTE, "", None), (ROUTE, "coze_bot", None), (ROUTE, "openai\x00", None),
    (COZE_BASE, "https://api.coze.com", "https://api.coze.com"),
    (COZE_BASE, "http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    (COZE_BASE, "api.coze.com", None), (COZE_BASE, "ftp://api.coze.com", None), (COZE_BASE, "https://", None),
    (COZE_BASE, "http://[::1", None), (COZE_BASE, "", None), (COZE_BASE, "-5", None),
    (MODEL, "deepseek-reasoner", "deepseek-reasoner"), (MODEL, "  42 ", "42"), (MODEL, "", ""),
]


@pytest.mark.parametrize(("setting", "text", "typed"), PARSE,
                         ids=[f"{s.env}={t!r}" for s, t, _ in PARSE])
def test_parse_gives_the_typed_value_or_says_why_not(setting, text, typed):
    value, problem = parse(setting, text)
    assert (value, problem is None) == (typed, typed is not None)
    if typed is None:
        assert problem  # a reason, for logs and the doctor


@pytest.mark.parametrize("text", ["data", "~/chats", "/srv/r1 data", "数据"])
def test_a_folder_path_parses(text):
    value, problem = parse(DATA_DIR, text)
    assert problem is None and str(value).endswith(text.lstrip("~/"))


@pytest.mark.parametrize("text", ["", "a\x00b", "da\nta", "~no-such-user-r1/data"])
def test_an_unusable_folder_path_does_not(text):
    value, problem = parse(DATA_DIR, text)
    assert value is None and problem


def test_every_setting_declares_a_known_kind_and_its_default_parses():
    for s in SETTINGS:
        assert s.kind in KINDS, s.env
        assert s.default is None or parse(s, s.default)[1] is None, s.env
        assert (s.minimum is not None and s.maximum is not None) == (s.kind in ("int", "float")), s.env
        assert bool(s.choices) == (s.kind == "choice"), s.env
        if s.kind in ("int", "float", "choice", "path"):
            assert s.default is not None, f"{s.env}: a bad value needs a default to fall back to"


def test_one_source_for_the_route_names_and_the_token_cap():
    assert ROUTE.choices == ("auto", *providers.ROUTES)
    assert conversation.MAX_TOKENS_CAP == MAX_TOKENS_CAP == MAX_TOKENS.maximum


@pytest.mark.parametrize(("name", "bad", "typed"), [
    ("R1_MAX_TOKENS", "abc", 8192), ("R1_MAX_TOKENS", "100000", 8192), ("R1_READ_TIMEOUT", "-5", 120.0),
    ("R1_ROUTE", "foo", "auto"), ("R1_DATA_DIR", "~no-such-user-r1/x", "data"),
    ("COZE_API_BASE", "api.coze.com", "https://api.coze.cn"),
])
def test_a_bad_value_resolves_to_the_default_and_keeps_its_text_for_display(tmp_path, name, bad, typed):
    r = values(tmp_path, {name: bad})[name]
    assert (r.value, r.source, str(r.typed) if name == "R1_DATA_DIR" else r.typed) == (bad, "environ", typed)
    assert r.problem


def test_a_good_value_is_typed_and_has_no_problem(tmp_path):
    got = values(tmp_path, {"R1_MAX_TOKENS": " 4096 ", "R1_READ_TIMEOUT": "30", "R1_ROUTE": "openai"})
    assert [(got[n].typed, got[n].problem) for n in ("R1_MAX_TOKENS", "R1_READ_TIMEOUT", "R1_ROUTE")] == [
        (4096, None), (30.0, None), ("openai", None)]


def test_an_unset_setting_reads_as_its_typed_default(tmp_path):
    got = values(tmp_path, {})
    assert (got["R1_MAX_TOKENS"].typed, got["R1_READ_TIMEOUT"].typed, got["OPENAI_BASE_URL"].typed) == (
        8192, 120.0, None)


def test_a_route_base_url_has_no_default_so_the_route_sends_it_as_written(tmp_path):
    r = values(tmp_path, {"OPENAI_BASE_URL": "api.deepseek.com"})["OPENAI_BASE_URL"]
    assert (r.typed, bool(r.problem)) == ("api.deepseek.com", True)


@pytest.mark.parametrize(("environ", "timeout"), [({}, 120.0), ({"R1_READ_TIMEOUT": "30"}, 30.0),
                                                  ({"R1_READ_TIMEOUT": "-5"}, 120.0),
                                                  ({"R1_READ_TIMEOUT": "abc"}, 120.0)])
def test_the_endpoint_reads_the_typed_timeout(tmp_path, environ, timeout):
    assert detect(values(tmp_path, {**SANDBOX, **environ})).endpoint.read_timeout == timeout


def test_a_route_that_is_not_a_route_means_auto_detection(tmp_path):
    d = detect(values(tmp_path, {**SANDBOX, "OPENAI_BASE_URL": "http://127.0.0.1:1/v1", "R1_ROUTE": "foo"}))
    assert (d.route, d.explicit) == ("coze-sandbox", False)


def test_a_bad_coze_api_base_falls_back_to_the_default_host(tmp_path):
    d = detect(values(tmp_path, {"COZE_API_TOKEN": "pat_" + "x1" * 20, "COZE_BOT_ID": "7",
                                 "COZE_API_BASE": "api.coze.com"}))
    assert d.endpoint.base_url == "https://api.coze.cn"


def test_detect_works_on_a_partial_mapping():
    assert detect({}).route is None


# --- the finding -------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "bad", "kind", "extra"), [
    ("R1_MAX_TOKENS", "abc", "bad_int", {"minimum": "256", "maximum": "65536"}),
    ("R1_MAX_TOKENS", "100000", "bad_int", {"minimum": "256", "maximum": "65536"}),
    ("R1_READ_TIMEOUT", "-5", "bad_float", {"minimum": "1", "maximum": "3600"}),
    ("R1_ROUTE", "foo", "bad_choice", {"choices": "`auto`, `coze-sandbox`, `coze-bot`, `openai`"}),
    ("R1_LOG_DIR", "~no-such-user-r1/logs", "bad_path", {}),
    ("COZE_API_BASE", "api.coze.com", "bad_url", {}),
])
def test_a_bad_value_is_a_named_warning_with_its_range_and_default(tmp_path, name, bad, kind, extra):
    found = setting_problems(values(tmp_path, {name: bad}))
    assert [(f.kind, f.setting, f.severity) for f in found] == [(kind, name, "warning")]
    assert found[0].params == {"setting": name, "value": bad, "source": "environ",
                               "default": BY_ENV[name].default, **extra}


def test_good_values_and_unset_settings_give_no_finding(tmp_path):
    good = values(tmp_path, {**SANDBOX, "R1_MAX_TOKENS": "4096", "R1_ROUTE": "openai"})
    assert setting_problems(good) == []


def test_a_route_base_url_gets_its_detailed_finding_only_not_a_second_one(tmp_path):
    got = values(tmp_path, {"OPENAI_BASE_URL": "api.deepseek.com"})
    assert setting_problems(got) == []
    detailed = base_url_problems("OPENAI_BASE_URL", "api.deepseek.com", None)
    assert [f.kind for f in detailed] == ["url_not_http"]


@pytest.mark.parametrize("url", ["https://api.deepseek.com/v1", "http://localhost:11434/v1",
                                 "api.deepseek.com", "ftp://x.com", "https://", "http://:80", "http://[::1",
                                 "https//api.x.com", "localhost:11434/v1"])
def test_the_url_kind_and_base_url_problems_agree_on_what_is_not_an_http_url(url):
    not_http = "url_not_http" in [f.kind for f in base_url_problems("OPENAI_BASE_URL", url, None)]
    assert not_http == (parse(BY_ENV["OPENAI_BASE_URL"], url)[1] is not None)


def test_a_control_character_is_spelled_out_and_a_long_value_cut(tmp_path):
    got = resolve(gather(tmp_path, {}, session={"R1_MAX_TOKENS": "12\x0034", "R1_ROUTE": "x" * 500}))
    params = {f.setting: f.params["value"] for f in setting_problems(got)}
    assert params["R1_MAX_TOKENS"] == "12\\u000034"
    assert len(params["R1_ROUTE"]) == 80 and params["R1_ROUTE"].endswith("…")


@pytest.mark.parametrize("lang", list(i18n.LANGUAGES))
@pytest.mark.parametrize(("name", "bad"), [("R1_MAX_TOKENS", "abc"), ("R1_READ_TIMEOUT", "0"),
                                           ("R1_ROUTE", "x"), ("R1_DATA_DIR", "~no-such-user-r1"),
                                           ("COZE_API_BASE", "x")])
def test_the_finding_reads_in_both_languages_with_every_value_filled_in(tmp_path, lang, name, bad):
    (finding,) = setting_problems(values(tmp_path, {name: bad}))
    message, fix = explain(finding, i18n.translator(lang))
    assert "{" not in message + fix
    assert name in message and bad in message and BY_ENV[name].default in fix


def test_the_range_words_are_translated(tmp_path):
    (finding,) = setting_problems(values(tmp_path, {"R1_MAX_TOKENS": "abc"}))
    en, zh = (explain(finding, i18n.translator(lang))[0] for lang in ("en", "zh-CN"))
    assert "whole number from 256 to 65536" in en and "256 到 65536 之间的整数" in zh


def test_the_config_repr_shows_no_token(tmp_path):
    token = "sk-" + "0123456789abcdef" * 2
    cfg = config.load(tmp_path, {"OPENAI_API_KEY": token, "OPENAI_BASE_URL": "https://api.deepseek.com"})
    assert token not in repr(cfg) and token[3:] not in repr(cfg)


@pytest.mark.parametrize("text, ok", [
    ("sqlite:////srv/r1/chats.db", True), ("postgresql://app:pw@db.internal:5432/chats", True),
    ("postgres://app:pw@db/chats", True), ("postgresql+psycopg://app@db/chats", True),
    ("mysql://app:pw@db/chats", False), ("postgresql://db.internal", False), ("postgresql://[::1", False),
    ("db.internal:5432/chats", False),
    # A password's "@" or "/" left unencoded: a driver would take part of the password for the host.
    ("postgresql://app:p@ss@db/chats", False), ("postgresql://app:p/w@db/chats", False),
    ("postgresql://app:p%40ss%2Fw@db/chats", True), ("postgresql://app@db/chats?password=pw", True),
])
def test_a_database_url_parses_only_for_the_built_in_engines(text, ok):
    typed, problem = parse(BY_ENV["R1_DATABASE_URL"], text)
    assert (typed == text, problem is None) == (ok, ok)


def test_a_database_urls_password_is_masked_wherever_the_setting_is_shown(tmp_path):
    url = "postgresql://app:correct-horse-battery@db.internal:5432/chats"
    cfg = config.from_layers(gather(tmp_path, {"R1_DATABASE_URL": url}))
    row = next(r for r in cfg.rows() if r["variable"] == "R1_DATABASE_URL")
    assert row["value"] == "postgresql://app:••••••••@db.internal:5432/chats"  # no fingerprint of a password
    assert "correct-horse-battery" not in repr(cfg.values["R1_DATABASE_URL"])
    assert "correct-horse-battery" in cfg.secrets()  # so the log and reports redact it on its own too


@pytest.mark.parametrize("url, password", [
    ("postgresql://app:p@ss/w0rd@db.internal/chats", "p@ss/w0rd"),  # unencoded: refused, still hidden
    ("postgresql://app:p%40ss%2Fw0rd@db.internal/chats", "p@ss/w0rd"),  # a driver's message shows it decoded
    ("postgresql://app@db.internal/chats?sslmode=require&password=horse-battery", "horse-battery"),
])
def test_a_database_password_is_hidden_however_the_url_holds_it(tmp_path, url, password):
    cfg = config.from_layers(gather(tmp_path, {"R1_DATABASE_URL": url}))
    shown = next(r for r in cfg.rows() if r["variable"] == "R1_DATABASE_URL")["value"]
    assert password not in shown and password not in repr(cfg.values["R1_DATABASE_URL"])
    assert password in cfg.secrets()


def test_a_database_value_that_is_no_url_is_masked_as_a_secret(tmp_path):
    cfg = config.from_layers(gather(tmp_path, {"R1_DATABASE_URL": "correct-horse-battery-staple"}))
    shown = next(r for r in cfg.rows() if r["variable"] == "R1_DATABASE_URL")["value"]
    assert "correct-horse-battery" not in shown and shown.endswith("aple")
