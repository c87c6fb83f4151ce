"""Durable conversations in a real browser: refresh, server restart, Stop, regenerate, edit,
export/import, rename, delete, search, and the history UI in Chinese.

Run: CI=true .venv/bin/python -m pytest tests/e2e/test_history_browser.py -q
(screenshots land in tests/e2e/artifacts/history_*.png)
"""

from __future__ import annotations

import json
import re

import pytest
from fake_upstream import reply
from steps import (
    ASSISTANT,
    CAPTION,
    CHAT_INPUT,
    LIVE,
    MESSAGE,
    MODEL,
    SIDEBAR,
    THINKING_LABEL,
    TIMEOUT,
    eventually,
    expect,
    send,
    shoot,
    stop_a_long_reply,
    wait_idle,
)

pytestmark = pytest.mark.e2e

TOKEN = "dummy"  # the app_server / restartable_server fixtures' API key: never in an export

# Hooks only these tests use (the shared ones are in steps.py).
MAIN = "#stMain"  # on a page with a chat input the <main> has no data-testid="stMain"
USER = '[data-testid="stChatMessage"]:has([data-testid="stChatMessageAvatarUser"])'
MARKDOWN = '[data-testid="stMarkdownContainer"]'
ST_MARKDOWN = '[data-testid="stMarkdown"]'  # st.markdown / st.caption, not a button's label
QUESTION = '[data-testid="stText"]'  # a question is drawn verbatim (st.text), not as Markdown
CONV = f'{SIDEBAR} [class*="st-key-conv_"]{LIVE}'  # one per conversation in the list
TITLE = f"{MAIN} h3"  # the open conversation's title (st.subheader)
DIALOG = '[role="dialog"]:not([data-testid="stPopoverBody"])'  # st.dialog, not a popover body
POPOVER_BODY = '[data-testid="stPopoverBody"]'
CID = re.compile(r"[?&]c=([0-9a-f-]{8,})")
VERSION_2_OF_2 = re.compile(r"^\s*2 / 2\s*$")  # the caption between a message's ‹ and ›


def key(name: str) -> str:
    """The live element a widget's ``key=`` names."""
    return f".st-key-{name}{LIVE}"


def button(page, name: str):
    """The button of the widget keyed ``name``; icon buttons with a tooltip keep a hidden twin."""
    return page.locator(f"{key(name)} button:visible")


def conv(page, cid: str):
    return page.locator(f"{SIDEBAR} {key('conv_' + cid)} button")


def chat(page, question: str, expect_answer: str | None = None) -> None:
    """Send ``question`` and wait until its reply is finished and redrawn from the store."""
    before = page.locator(ASSISTANT).count()
    send(page, question)
    ex = expect()
    ex(page.locator(ASSISTANT)).to_have_count(before + 1)
    last = page.locator(ASSISTANT).last
    ex(last).to_contain_text(expect_answer or f"You said: {question}")
    ex(last.locator(CAPTION).last).to_contain_text(MODEL)
    ex(button(page, "regenerate")).to_be_visible()  # drawn from the store after the reply's rerun
    wait_idle(page)


def cid_of(page) -> str:
    expect()(page).to_have_url(CID)
    return CID.search(page.url).group(1)


def texts(locator) -> list[str]:
    return [text.strip() for text in locator.all_inner_texts()]


def snapshot(page) -> dict:
    """What a reload must redraw identically: questions, replies, thinking labels and footers."""
    assistants = page.locator(ASSISTANT)
    return {
        "questions": texts(page.locator(USER).locator(QUESTION)),  # not the buttons' labels
        "answers": texts(assistants.locator(f"{ST_MARKDOWN} > div > {MARKDOWN}")),  # no captions
        "thinking": texts(assistants.locator(f"{THINKING_LABEL} {MARKDOWN}")),  # no icon names
        "footers": [a.locator(CAPTION).last.inner_text().strip() for a in assistants.all()],
    }


def open_export(page):
    """Open the title's export popover; return its body."""
    page.locator(f'{MAIN} [data-testid="stPopover"] button:visible').first.click()
    body = page.locator(POPOVER_BODY)
    expect()(body).to_be_visible()
    return body


def download(page, body, label: str):
    """Click a download button in the popover; return (suggested file name, text)."""
    with page.expect_download() as info:
        body.get_by_role("button", name=label).click()
    dl = info.value
    with open(dl.path(), encoding="utf-8") as fh:
        return dl.suggested_filename, fh.read()


def chat_requests(upstream) -> list[dict]:
    return [r["json"] for r in upstream.requests if r["path"].endswith("/chat/completions")]


def turns_sent(body: dict) -> list[dict]:
    return [m for m in body["messages"] if m["role"] != "system"]


def assert_alternates(turns: list[dict]) -> None:
    roles = [m["role"] for m in turns]
    assert roles == ["user", "assistant"] * (len(roles) // 2) + ["user"], roles


# ----- 1. Refresh and server restart ------------------------------------------------------------


def test_refresh_and_server_restart_keep_the_conversation(new_restartable_page, restartable_server,
                                                          browser, artifacts):
    page = new_restartable_page("en-US")
    ex = expect()
    chat(page, "first question")
    chat(page, "second question")
    cid = cid_of(page)
    before = snapshot(page)
    assert before["questions"] == ["first question", "second question"]
    assert len(before["answers"]) == 2 and "You said: second question" in before["answers"][1]
    assert all(re.fullmatch(r"Thought for \d+\.\d s", label) for label in before["thinking"]), before
    assert all(MODEL in f and "total" in f for f in before["footers"]), before["footers"]

    def intact(p) -> None:
        ex(p.locator(ASSISTANT)).to_have_count(2)
        ex(p.locator(ASSISTANT).last.locator(CAPTION).last).to_contain_text(MODEL)
        ex(button(p, "regenerate")).to_be_visible()
        wait_idle(p)
        ex(p).to_have_url(re.compile(r"[?&]c=" + cid))
        ex(p.locator(TITLE)).to_have_text("first question")
        ex(conv(p, cid)).to_be_visible()
        # The thinking is folded away, as it was once the reply finished.
        for details in p.locator(ASSISTANT).locator('[data-testid="stExpander"] details').all():
            ex(details).not_to_have_attribute("open", "")
        # Each echo answer ends in Euler's identity; until KaTeX has loaded (after a reload, in a
        # fresh browser) Streamlit draws a grey placeholder instead of the message's text.
        ex(p.locator(ASSISTANT).locator(".katex")).to_have_count(2)
        assert snapshot(p) == before  # questions, answers, thinking labels, timings and usage

    page.reload(wait_until="domcontentloaded")
    intact(page)

    restartable_server.restart()
    assert restartable_server.starts == 2  # a new streamlit process, same port and data folder
    page.reload(wait_until="domcontentloaded")
    intact(page)
    shoot(page, artifacts / "history_after_restart_en.png")

    # A brand-new browser on the bare URL: the conversation is listed and opens when clicked.
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900},
                                  color_scheme="light")
    try:
        context.set_default_timeout(TIMEOUT)
        fresh = context.new_page()
        fresh.goto(restartable_server.url, wait_until="domcontentloaded")
        ex(fresh.locator(CHAT_INPUT)).to_be_visible()
        ex(fresh).not_to_have_url(CID)
        ex(fresh.locator(MESSAGE)).to_have_count(0)
        ex(conv(fresh, cid)).to_have_text("first question")
        conv(fresh, cid).click()
        intact(fresh)
    finally:
        context.close()


# ----- 2. Stop, refresh, retry ----------------------------------------------------------------


def test_stopped_reply_survives_a_refresh_marked_stopped(new_page, upstream, artifacts):
    page = new_page("en-US")
    ex = expect()
    assistant = stop_a_long_reply(page, upstream)
    cid = cid_of(page)

    page.reload(wait_until="domcontentloaded")
    ex(page).to_have_url(re.compile(r"[?&]c=" + cid))
    assistant = page.locator(ASSISTANT)
    ex(assistant).to_have_count(1)
    ex(assistant.locator(CAPTION).filter(has_text="Stopped")).to_be_visible()
    ex(button(page, "regenerate")).to_have_accessible_name("Retry")
    answer = assistant.locator(MARKDOWN).filter(has_text="Word000")
    ex(answer).to_have_count(1)
    partial = answer.inner_text()
    assert "Word010" in partial and "Word399" not in partial, partial[-200:]
    ex(assistant.locator(CAPTION).last).to_contain_text(MODEL)
    ex(page.locator(USER)).to_contain_text("Tell me something long")
    wait_idle(page)
    shoot(page, artifacts / "history_stopped_after_refresh_en.png")

    # Retry: the queue is empty now, so the fake's default echo reply is a new version shown instead
    # of the partial one (which stays one ‹ away).
    button(page, "regenerate").click()
    ex(page.locator(ASSISTANT).last).to_contain_text("You said: Tell me something long")
    ex(button(page, "regenerate")).to_have_accessible_name("Regenerate")
    wait_idle(page)
    ex(page.locator(ASSISTANT)).to_have_count(1)
    ex(page.locator(ASSISTANT)).not_to_contain_text("Word000")
    ex(page.locator(ASSISTANT).locator(CAPTION).filter(has_text="Stopped")).to_have_count(0)
    ex(page.locator(ASSISTANT).locator(CAPTION).filter(has_text=VERSION_2_OF_2)).to_have_count(1)
    ex(page.locator(USER)).to_have_count(1)
    ex(page.locator(USER)).to_contain_text("Tell me something long")
    sent = chat_requests(upstream)
    assert len(sent) == 2
    assert [m["content"] for m in turns_sent(sent[1])] == ["Tell me something long"]


# ----- 3. Regenerate and edit -----------------------------------------------------------------


def test_regenerate_and_edit_add_versions_in_the_browser(new_page, upstream):
    page = new_page("en-US")
    ex = expect()
    chat(page, "first question")
    chat(page, "second question")
    first_turn = (page.locator(USER).first.inner_text(), page.locator(ASSISTANT).first.inner_text())

    # Regenerate: one new request, the same history, the same question; still two replies.
    upstream.push(reply("Reconsidering the second question.", "A regenerated answer."))
    button(page, "regenerate").click()
    ex(page.locator(ASSISTANT).last).to_contain_text("A regenerated answer.")
    ex(button(page, "regenerate")).to_be_visible()
    wait_idle(page)
    ex(page.locator(ASSISTANT)).to_have_count(2)
    ex(page.locator(ASSISTANT).last).not_to_contain_text("You said: second question")
    ex(page.locator(ASSISTANT).last.locator(CAPTION).filter(has_text=VERSION_2_OF_2)).to_have_count(1)
    sent = chat_requests(upstream)
    assert len(sent) == 3
    turns = turns_sent(sent[2])
    assert_alternates(turns)
    assert [m["content"] for m in turns][::2] == ["first question", "second question"]
    assert "You said: **first question**" in turns[1]["content"]

    # Edit the last question: a new version of it is shown and answered, the first turn stays, and
    # the question as it was (with its regenerated reply) is one ‹ away.
    button(page, "edit_last").click()
    box = page.locator(f"{key('edit_text')} textarea")
    ex(box).to_have_value("second question")
    box.fill("second question, edited")
    page.locator(MAIN).get_by_role("button", name="Send", exact=True).click()
    ex(page.locator(ASSISTANT).last).to_contain_text("You said: second question, edited")
    ex(button(page, "regenerate")).to_be_visible()
    wait_idle(page)
    ex(page.locator(USER).locator(QUESTION)).to_have_text(
        ["first question", "second question, edited"])
    ex(page.locator(ASSISTANT)).to_have_count(2)
    ex(page.locator(ASSISTANT).last).not_to_contain_text("A regenerated answer.")
    assert (page.locator(USER).first.inner_text(), page.locator(ASSISTANT).first.inner_text()) == first_turn
    sent = chat_requests(upstream)
    assert len(sent) == 4
    turns = turns_sent(sent[3])
    assert_alternates(turns)
    assert [m["content"] for m in turns][::2] == ["first question", "second question, edited"]
    edited = page.locator(USER).last
    ex(edited.locator(CAPTION).filter(has_text=VERSION_2_OF_2)).to_have_count(1)
    edited.locator(f'[class*="st-key-older_"]{LIVE} button:visible').click()
    ex(page.locator(USER).locator(QUESTION)).to_have_text(["first question", "second question"])
    ex(page.locator(ASSISTANT).last).to_contain_text("A regenerated answer.")
    wait_idle(page)


# ----- 4. Export and import -------------------------------------------------------------------


def test_export_and_import_round_trip(new_page, upstream, artifacts, tmp_path):
    upstream.push(reply("Exports need the reasoning folded away.",
                        "Markdown for **reading**, JSON for importing."))
    page = new_page("en-US")
    ex = expect()
    chat(page, "How do exports work?", "Markdown for reading, JSON for importing.")
    chat(page, "And imports?")
    cid = cid_of(page)
    # The echo reply ends in Euler's identity: read the messages once KaTeX has drawn it.
    ex(page.locator(ASSISTANT).last.locator(".katex")).to_have_count(1)
    original = texts(page.locator(MESSAGE))

    body = open_export(page)
    toggle = body.locator(f"{key('export_thinking')} input")
    ex(toggle).not_to_be_checked()
    body.locator(f"{key('export_thinking')} label").click()
    ex(toggle).to_be_checked()
    wait_idle(page)
    shoot(page, artifacts / "history_export_en.png")

    def markdown_with_thinking() -> tuple[str, str]:
        wait_idle(page)
        name, text = download(page, page.locator(POPOVER_BODY), "Markdown (.md)")
        assert "<details>" in text, text  # the toggle's rerun may not have reached the button yet
        return name, text

    name, md = eventually(markdown_with_thinking)
    assert name.endswith(".md"), name
    assert md.startswith("# How do exports work?"), md[:80]
    details = md[md.index("<details>"):md.index("</details>")]
    assert "Exports need the reasoning folded away." in details
    assert "Markdown for **reading**, JSON for importing." in md
    assert "Markdown for **reading**" not in details, "the answer must not be inside the thinking block"
    assert "And imports?" in md and "The user wrote: And imports?" in md

    name, raw = download(page, page.locator(POPOVER_BODY), "JSON (.json, can be imported)")
    assert name.endswith(".json"), name
    doc = json.loads(raw)
    assert doc["title"] == "How do exports work?"
    assert [m["role"] for m in doc["messages"]] == ["user", "assistant"] * 2
    assert doc["messages"][1]["reasoning"] == "Exports need the reasoning folded away."
    for text in (md, raw):
        assert TOKEN not in text, "the API key leaked into an export"
        assert "sk-" not in text and "pat_" not in text
    page.keyboard.press("Escape")
    ex(page.locator(POPOVER_BODY)).to_have_count(0)

    # New chat, then import the JSON: a second conversation with the same title opens.
    button(page, "new_chat").click()
    ex(page.locator(MESSAGE)).to_have_count(0)
    ex(page).not_to_have_url(CID)
    button(page, "import_open").click()
    dialog = page.locator(DIALOG)
    ex(dialog).to_contain_text("Import a conversation")
    wait_idle(page)
    shoot(page, artifacts / "history_import_dialog_en.png")
    exported = tmp_path / name
    exported.write_text(raw, encoding="utf-8")
    dialog.locator('input[type="file"]').set_input_files(str(exported))
    ex(dialog).to_have_count(0)
    # First: a toast leaves after 4 s.
    ex(page.locator('[data-testid="stToast"]')).to_contain_text("Imported “How do exports work?” (4 messages)")
    ex(page.locator(MESSAGE)).to_have_count(4)
    ex(page.locator(CONV)).to_have_count(2)
    ex(page.locator(f"{CONV} button")).to_have_text(["How do exports work?"] * 2)
    imported = cid_of(page)
    assert imported != cid
    ex(page.locator(TITLE)).to_have_text("How do exports work?")
    # The open one is tinted (the others have no background).
    ex(conv(page, imported)).not_to_have_css("background-color", "rgba(0, 0, 0, 0)")
    ex(conv(page, cid)).to_have_css("background-color", "rgba(0, 0, 0, 0)")
    wait_idle(page)
    def same_messages():  # KaTeX may still be drawing the math right after the run ends
        assert texts(page.locator(MESSAGE)) == original

    eventually(same_messages)
    shoot(page, artifacts / "history_imported_en.png")


# ----- 5. Chinese -----------------------------------------------------------------------------


def test_history_ui_in_chinese(new_page, upstream, artifacts):
    page = new_page("zh-CN")
    ex = expect()
    sidebar = page.locator(SIDEBAR)
    chat(page, "你好，请介绍一下欧拉公式")

    ex(button(page, "new_chat")).to_have_accessible_name("新对话")
    ex(button(page, "import_open")).to_have_accessible_name("导入")
    ex(page.locator(f"{key('chat_search')} input")).to_have_attribute("placeholder", "搜索对话")
    ex(sidebar).to_contain_text("回复设置")
    ex(sidebar).to_contain_text("对话保存在本机的")
    ex(page.locator(CONV)).to_have_count(1)
    ex(page.locator(f"{CONV} button")).to_have_text("你好，请介绍一下欧拉公式")
    ex(button(page, "regenerate")).to_have_accessible_name("重新生成")
    ex(button(page, "edit_last")).to_have_accessible_name("编辑")
    ex(page.locator(ASSISTANT).last.get_by_role("button", name="复制回答")).to_be_visible()
    ex(page.locator(ASSISTANT).last.locator(THINKING_LABEL)).to_have_text(
        re.compile(r"已深度思考（用时 \d+(\.\d+)? 秒）"))
    shoot(page, artifacts / "history_zh.png")

    body = open_export(page)
    ex(page.get_by_role("tooltip")).to_contain_text("导出")  # the icon button's hover help
    ex(body).to_contain_text("包含思考过程")
    ex(body.get_by_role("button", name="Markdown（.md）")).to_be_visible()
    ex(body.get_by_role("button", name="JSON（.json，可再导入）")).to_be_visible()
    wait_idle(page)
    shoot(page, artifacts / "history_export_zh.png")
    _, md = download(page, body, "Markdown（.md）")
    assert md.startswith("# 你好，请介绍一下欧拉公式"), md[:80]
    page.keyboard.press("Escape")

    # One click copies the answer alone (the clipboard itself: test_chat_details_browser.py).
    copy = page.locator(ASSISTANT).last.locator('[class*="st-key-copy_"] button')
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy.click()
    ex(copy).to_have_accessible_name("已复制")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "You said: **你好，请介绍一下欧拉公式**" in copied and "The user wrote" not in copied
    shoot(page, artifacts / "history_copy_zh.png")


# ----- 6. Rename, search, delete --------------------------------------------------------------


def test_rename_delete_and_search(new_page, artifacts):
    page = new_page("en-US")
    ex = expect()
    chat(page, "Tell me about apples")
    apples = cid_of(page)
    button(page, "new_chat").click()
    ex(page.locator(MESSAGE)).to_have_count(0)
    chat(page, "Tell me about bananas")
    bananas = cid_of(page)
    ex(page.locator(f"{CONV} button")).to_have_text(["Tell me about bananas", "Tell me about apples"])

    # The title's icon buttons are read by their words, not their icons' names, and stay icon-sized.
    for name, words in (("rename_open", "Rename"), ("export_open", "Export"), ("delete_open", "Delete")):
        ex(button(page, name)).to_have_accessible_name(words)
        assert button(page, name).bounding_box()["width"] < 48, name

    # Rename the open one through its dialog.
    button(page, "rename_open").click()
    dialog = page.locator(DIALOG)
    ex(dialog).to_contain_text("Rename conversation")
    field = dialog.get_by_label("Title")
    ex(field).to_have_value("Tell me about bananas")
    field.fill("Banana facts")
    wait_idle(page)  # not mid-rerun, with stale copies still on screen
    shoot(page, artifacts / "history_rename_en.png")
    dialog.get_by_role("button", name="Save").click()
    ex(dialog).to_have_count(0)
    ex(page.locator(TITLE)).to_have_text("Banana facts")
    ex(conv(page, bananas)).to_have_text("Banana facts")
    ex(conv(page, apples)).to_have_text("Tell me about apples")
    wait_idle(page)

    # Search matches titles and message text.
    search = page.locator(f"{key('chat_search')} input")
    for query, shown in (("banana", [bananas]), ("APPLES", [apples]), ("about", [bananas, apples])):
        search.fill(query)
        search.press("Enter")
        ex(page.locator(CONV)).to_have_count(len(shown))
        for cid in shown:
            ex(conv(page, cid)).to_be_visible()
    search.fill("durian")
    search.press("Enter")
    ex(page.locator(CONV)).to_have_count(0)
    ex(page.locator(SIDEBAR)).to_contain_text("No conversation mentions “durian”.")
    wait_idle(page)
    shoot(page, artifacts / "history_search_none_en.png")
    search.fill("")
    search.press("Enter")
    ex(page.locator(CONV)).to_have_count(2)

    # Delete asks first; Cancel keeps it.
    button(page, "delete_open").click()
    dialog = page.locator(DIALOG)
    ex(dialog).to_contain_text("“Banana facts” and its 2 messages will be deleted.")
    wait_idle(page)
    shoot(page, artifacts / "history_delete_en.png")
    button(page, "delete_cancel").click()
    ex(dialog).to_have_count(0)
    ex(conv(page, bananas)).to_be_visible()
    ex(page.locator(TITLE)).to_have_text("Banana facts")

    button(page, "delete_open").click()
    button(page, "delete_confirm").click()
    ex(dialog).to_have_count(0)
    ex(page.locator('[data-testid="stToast"]')).to_contain_text("Deleted “Banana facts”.")  # first: it leaves after 4 s
    ex(conv(page, bananas)).to_have_count(0)
    ex(page.locator(CONV)).to_have_count(1)
    ex(conv(page, apples)).to_be_visible()
    ex(page.locator(MESSAGE)).to_have_count(0)
    ex(page.locator(f"{MAIN} h1")).to_have_text("DeepSeek-R1")
    ex(page).not_to_have_url(CID)
    wait_idle(page)

    # A reload stays on the new chat, and the deleted conversation does not come back.
    page.reload(wait_until="domcontentloaded")
    ex(page.locator(CHAT_INPUT)).to_be_visible()
    ex(page.locator(CONV)).to_have_count(1)
    ex(conv(page, bananas)).to_have_count(0)

    # An old link to it says so and opens a new chat; a link to the other one still opens it.
    base = page.url.split("?")[0]
    page.goto(f"{base}?c={bananas}", wait_until="domcontentloaded")
    ex(page.locator('[data-testid="stAlert"]')).to_contain_text("The conversation in the link isn't here")
    ex(page.locator(MESSAGE)).to_have_count(0)
    ex(page).not_to_have_url(CID)
    wait_idle(page)
    shoot(page, artifacts / "history_link_gone_en.png")
    page.goto(f"{base}?c={apples}", wait_until="domcontentloaded")
    ex(page.locator(TITLE)).to_have_text("Tell me about apples")
    ex(page.locator(USER)).to_contain_text("Tell me about apples")
