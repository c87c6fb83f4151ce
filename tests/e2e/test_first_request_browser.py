"""The first request a fresh server gets opens inside the app, and the theme follows the browser.

Every case that names a first request starts its own server (function-scoped fixtures), so the page
it opens is that server's very first script run: with a ``pages/`` folder Streamlit once ran that
run as a legacy page, without the router's navigation and language switch (issue 10.6).

Run: .venv/bin/python -m pytest tests/e2e/test_first_request_browser.py -q
(screenshots land in tests/e2e/artifacts/)
"""

from __future__ import annotations

import re
import uuid

import pytest
from steps import APP, CHAT_INPUT, LIVE, SIDEBAR, TIMEOUT, expect, shoot

from core import i18n

pytestmark = pytest.mark.e2e

NAV = f'{SIDEBAR} [data-testid="stSidebarNav"]'
NAV_LINK = f'{NAV} [data-testid="stSidebarNavLink"]'
NAV_LABEL = f'{NAV_LINK} [data-testid="stMarkdownContainer"]'  # a link's text without its icon's name
LANG = f"{SIDEBAR} .st-key-lang_choice{LIVE}"  # the router's segmented control
MAIN = '[data-testid="stMainBlockContainer"]'  # the chat page's layout has no stMain
DIALOG = '[role="dialog"]'  # e.g. Streamlit's "Page not found"
SKELETON = '[data-testid="stSkeleton"]'


@pytest.fixture
def visit(browser):
    """``visit(url, locale, color_scheme)``: a fresh browser context's page on ``url`` once its first
    run has ended; every context is closed afterwards."""
    contexts = []

    def open_page(url: str, locale: str = "en-US", color_scheme: str = "light"):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900},
                                      color_scheme=color_scheme)
        context.set_default_timeout(TIMEOUT)
        contexts.append(context)
        page = context.new_page()
        page.goto(url, wait_until="domcontentloaded")
        page.locator(NAV_LINK).first.wait_for(state="visible")  # a legacy run draws links too
        expect()(page.locator(APP)).to_have_attribute("data-test-script-state", "notRunning")
        expect()(page.locator(SKELETON)).to_have_count(0)  # widgets still loading show as skeletons
        return page

    yield open_page
    for context in contexts:
        context.close()


def assert_inside_the_app(page, lang: str) -> None:
    """The router drew this run: both page links and the language switch, in ``lang``."""
    t, ex = i18n.translator(lang), expect()
    ex(page.locator(NAV_LABEL)).to_have_text([t("nav.chat"), t("nav.setup")])  # exactly these two
    # Legacy auto-discovery lists the script files instead: "streamlit app", "chat", "setup".
    ex(page.locator(NAV)).not_to_contain_text(re.compile("streamlit.app", re.IGNORECASE))
    ex(page.locator(LANG)).to_be_visible()
    ex(page.locator(LANG)).to_contain_text(t("lang.label"))
    for label in i18n.LANGUAGES.values():
        ex(page.locator(LANG).get_by_role("radio", name=label)).to_be_visible()


# --- the first request of a fresh server -----------------------------------------------------
# With no route configured Setup is the default page (served at "/"), otherwise Chat is; the
# cases ask for each page both as the default page and as the other one.

@pytest.mark.parametrize(("server", "locale", "lang"), [
    ("first_run_server", "en-US", "en"),
    ("first_run_server", "zh-CN", "zh-CN"),
    ("app_server", "en-US", "en"),
])
def test_the_first_request_for_setup_opens_inside_the_app(request, visit, artifacts, server, locale, lang):
    page = visit(request.getfixturevalue(server) + "/setup", locale)
    assert_inside_the_app(page, lang)
    expect()(page.locator(f"{MAIN} h1")).to_have_text(i18n.translate(lang, "setup.title"))
    shoot(page, artifacts / f"first_request_setup_{server}_{locale}.png")


@pytest.mark.parametrize(("server", "locale", "lang"), [
    ("app_server", "en-US", "en"),
    ("first_run_server", "zh-CN", "zh-CN"),
])
def test_the_first_request_for_chat_opens_inside_the_app(request, visit, artifacts, server, locale, lang):
    page = visit(request.getfixturevalue(server) + "/chat", locale)
    assert_inside_the_app(page, lang)
    # Configured, the chat page is titled; without a route it points to Setup instead.
    key = "chat.title" if server == "app_server" else "chat.open_setup"
    expect()(page.locator(MAIN)).to_contain_text(i18n.translate(lang, key))
    shoot(page, artifacts / f"first_request_chat_{server}_{locale}.png")


def test_the_first_request_for_an_unknown_conversation_link_opens_inside_the_app(visit, app_server, artifacts):
    page = visit(f"{app_server}/?c={uuid.uuid4().hex}", "zh-CN")
    assert_inside_the_app(page, "zh-CN")
    expect()(page.locator(MAIN)).to_contain_text(i18n.translate("zh-CN", "chats.not_found"))
    expect()(page.locator(DIALOG)).to_have_count(0)
    shoot(page, artifacts / "first_request_unknown_link_zh-CN.png")


@pytest.mark.parametrize("server", ["app_server", "first_run_server"])
def test_a_link_to_the_page_that_is_not_the_default_opens_without_a_dialog(request, visit, server):
    path = "/setup" if server == "app_server" else "/chat"
    page = visit(request.getfixturevalue(server) + path)
    expect()(page.locator(DIALOG)).to_have_count(0)


@pytest.mark.parametrize("path", ["/chat", "/setup", "/"])
def test_a_link_to_either_page_by_its_name_opens_without_a_dialog(visit, app_server, path):
    page = visit(app_server + path)
    expect()(page.locator(DIALOG)).to_have_count(0, timeout=3000)
    expect()(page).to_have_url(re.compile(r"/(chat|setup)$"))  # the root opens Chat under its own URL


# --- the theme follows the browser's light or dark preference --------------------------------

def luminance(css_color: str) -> float:
    """Relative brightness (0 black … 1 white) of a computed ``rgb()``/``rgba()`` colour."""
    r, g, b = (int(n) / 255 for n in re.findall(r"\d+", css_color)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def colours(page) -> tuple[float, float]:
    """The brightness of the app's background and of its main heading's text."""
    app = page.locator(APP).evaluate("el => getComputedStyle(el).backgroundColor")
    heading = page.locator(f"{MAIN} h1").first.evaluate("el => getComputedStyle(el).color")
    return luminance(app), luminance(heading)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_theme_follows_the_browser_preference(visit, app_server, artifacts, scheme):
    page = visit(app_server, color_scheme=scheme)
    page.locator(CHAT_INPUT).wait_for(state="visible")  # the screenshot shows the whole page drawn
    background, text = colours(page)
    if scheme == "dark":
        assert background < 0.2 and text > 0.7, (background, text)
    else:
        assert background > 0.85 and text < 0.3, (background, text)
    shoot(page, artifacts / f"theme_{scheme}.png")
