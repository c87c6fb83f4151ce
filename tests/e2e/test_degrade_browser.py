"""Degrade, don't hide (issue 12), in a real browser: two people saving Setup at once, and a data
folder that holds saved conversations but cannot be written.

Run: .venv/bin/python -m pytest tests/e2e/test_degrade_browser.py -q -p no:xdist
(screenshots land in tests/e2e/artifacts/degrade_*.png)
"""

from __future__ import annotations

import stat

import pytest
from dotenv import dotenv_values
from readonly import unwritable
from steps import (
    ALERT,
    ASSISTANT,
    LIVE,
    MAIN,
    SIDEBAR,
    choose_option,
    expect,
    leaks,
    send,
    shoot,
    type_in,
    wait_for_run,
    wait_idle,
)

from core.conversations import records
from core.conversations.database import sqlite_url
from core.conversations.store import open_store

pytestmark = pytest.mark.e2e

KEY = "sk-e2e-first-page-" + "3a1c" * 4
SECOND_KEY = "sk-e2e-second-page-" + "7b2d" * 4
BASE_URL = "https://api.deepseek.com"
CONV = f'{SIDEBAR} [class*="st-key-conv_"]{LIVE} button'  # one per conversation in the list


def fill_like_a_person(page, key: str) -> None:
    """The custom preset, a key, a base URL and a model: click a field, type, click the next one;
    the last field is left by clicking the page's title, so its value is committed too."""
    choose_option(page, "Route or provider", "Custom OpenAI-compatible")
    type_in(page, "API key", key)
    type_in(page, "Base URL", BASE_URL)
    type_in(page, "Model", "deepseek-reasoner")
    page.locator(MAIN).get_by_role("heading", name="Setup", exact=True).click()
    wait_for_run(page)
    expect()(page.locator(MAIN)).to_contain_text(BASE_URL + "/chat/completions")  # the reruns landed


def click_button(page, name: str) -> None:
    page.locator(MAIN).get_by_role("button", name=name, exact=True).click()
    wait_for_run(page)


def test_the_second_of_two_saves_is_warned_and_may_overwrite(new_setup_page, app_copy, artifacts):
    first, second = new_setup_page("en-US"), new_setup_page("en-US")  # two people, one server
    fill_like_a_person(first, KEY)
    fill_like_a_person(second, SECOND_KEY)
    ex = expect()

    click_button(first, "Save")
    ex(first.locator(MAIN).locator(ALERT).filter(has_text="Saved to")).to_be_visible()
    env_file = app_copy / ".env.local"
    assert dotenv_values(env_file)["OPENAI_API_KEY"] == KEY

    click_button(second, "Save")
    warning = second.locator(MAIN).locator(ALERT).filter(has_text="changed since this page read it")
    ex(warning).to_contain_text(  # the other key masked; the backticks render as code
        f".env.local changed since this page read it — someone else saved OPENAI_API_KEY ({KEY[:6]}…{KEY[-4:]}),"
        " OPENAI_BASE_URL, R1_MODEL. Overwrite it with yours?")
    assert dotenv_values(env_file)["OPENAI_API_KEY"] == KEY  # nothing written by the second save
    ex(second.locator(MAIN).get_by_label("API key", exact=True)).to_have_value(SECOND_KEY)  # kept as typed
    assert not leaks(second, KEY), "the first person's key must not reach the second's page"
    shoot(second, artifacts / "degrade_setup_conflict_en.png")

    click_button(second, "Overwrite")
    ex(second.locator(MAIN).locator(ALERT).filter(has_text="Saved to")).to_be_visible()
    assert dotenv_values(env_file)["OPENAI_API_KEY"] == SECOND_KEY
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600



def test_a_read_only_data_folder_shows_its_conversations_and_still_chats(app_server, new_page, tmp_path,
                                                                         artifacts):
    folder = tmp_path / "data"  # the server's R1_DATA_DIR; no page has opened it yet
    store = open_store(sqlite_url(folder))
    cid = store.create("local", "an old question").id
    store.append("local", cid, records.new_message("user", "an old question"))
    store.append("local", cid, records.new_message("assistant", "the old answer"))
    store.db.close()
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    ex = expect()
    with unwritable(folder):
        page = new_page("en-US")
        notice = page.locator(SIDEBAR).locator(ALERT)
        ex(notice).to_contain_text("The data folder is read-only: your 1 saved conversation is shown, but new"
                                   " messages are kept only until the app restarts: export the ones you want to keep.")
        ex(notice).to_contain_text(f"Make {folder} writable and restart the app")  # the backticks render as code
        ex(page.locator(CONV)).to_have_text(["an old question"])
        page.locator(CONV).first.click()
        ex(page.locator(ASSISTANT).first).to_contain_text("the old answer")
        send(page, "a follow-up")
        ex(page.locator(ASSISTANT).last).to_contain_text("You said: a follow-up")
        wait_idle(page)
        shoot(page, artifacts / "degrade_read_only_en.png")
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # the file was only read
