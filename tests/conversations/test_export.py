"""Exporting a conversation to Markdown and JSON, and importing the JSON again."""

import json

import pytest

from core import i18n
from core.chat.events import Usage
from core.conversations import export, records
from core.conversations.export import ImportRejected, from_json, to_json, to_markdown
from core.diagnosis import Diagnosis

TOKEN = "sk-abcd" + "x" * 24 + "3456"  # token-shaped for the redaction patterns, built so no scanner takes it for real
SECRET = "my-secret-token-value-123"


def t(key, **params):
    """English labels straight from the catalogue: a missing key or parameter fails the test."""
    return i18n.CATALOGUES["en"][key].format(**params)


def t_zh(key, **params):
    return i18n.CATALOGUES["zh-CN"][key].format(**params)


def user(text, **extra):
    return records.new_message("user", text, created=1_700_000_000.0, **extra)


def reply(text, reasoning="Let me think.", **extra):
    fields = {"model": "deepseek-r1", "route": "openai", "finish_reason": "stop", "thought": 3.24,
              "ttft": 0.81, "total": 12.3, "created": 1_700_000_005.0,
              "usage": Usage(prompt_tokens=12, completion_tokens=345, reasoning_tokens=200)}
    return records.new_message("assistant", text, reasoning=reasoning, **{**fields, **extra})


def conversation():
    """One branch of four messages, each below the one before (as ``Store.tree`` reads them back)."""
    failed = Diagnosis("cut_off", {"host": "api.deepseek.com"}, None, "connection reset", "req-1")
    return [user("What is 2+2?", id="m1", parent=None), reply("**4**", id="m2", parent="m1"),
            user("And in base 3?", id="m3", parent="m2"),
            reply("It is `11`", status="interrupted", diagnosis=failed, usage=None, id="m4", parent="m3")]


def document(**fields):
    doc = {"format": "r1-chat.conversation", "version": 1, "title": "Sums", "exported_at": 1.0,
           "messages": [records.to_plain(m) for m in conversation()]}
    doc.update(fields)
    return json.dumps(doc)


def rejection(text):
    with pytest.raises(ImportRejected) as caught:
        from_json(text)
    return caught.value


# Markdown


def test_markdown_has_the_title_role_headings_and_the_answer_verbatim():
    md = to_markdown("Sums", conversation(), False, t)
    assert md.startswith("# Sums\n")
    assert "### 🧑 You\n\nWhat is 2+2?" in md
    assert "### 🐋 DeepSeek-R1\n\n**4**" in md
    assert "It is `11`" in md


def test_thinking_is_left_out_unless_asked():
    md = to_markdown("Sums", conversation(), False, t)
    assert "Let me think" not in md
    assert "<details>" not in md
    assert "Thought for" not in md


def test_thinking_folds_into_a_details_block_before_the_answer():
    md = to_markdown("Sums", conversation(), True, t)
    block = "<details>\n<summary>Thought for 3.2 s</summary>\n\nLet me think.\n\n</details>"
    assert block in md
    assert md.index(block) < md.index("**4**")


def test_reasoning_without_a_duration_gets_a_plain_summary():
    md = to_markdown("x", [user("q"), reply("a", thought=None)], True, t)
    assert "<summary>Thought</summary>" in md


def test_empty_reasoning_gets_no_block():
    assert "<details>" not in to_markdown("x", [user("q"), reply("a", reasoning="  ")], True, t)


def test_reasoning_cannot_close_the_details_block():
    reasoning = "step one\n</details>\n# Injected\n<DETAILS open>\n<!-- hide the rest"
    md = to_markdown("x", [user("q"), reply("the answer", reasoning=reasoning)], True, t)
    assert md.count("<details>") == 1
    assert md.count("</details>") == 1
    assert "&lt;/details>" in md and "&lt;DETAILS open>" in md and "&lt;!-- hide" in md
    assert md.index("</details>") < md.index("the answer")


def test_a_stopped_reply_inside_a_code_block_does_not_swallow_the_rest():
    messages = [user("code?"), reply("```python\nprint(1)", status="stopped"), user("next question")]
    md = to_markdown("x", messages, False, t)
    assert "print(1)\n```\n" in md
    assert md.count("```") == 2


def test_closed_code_blocks_and_inline_backticks_are_left_alone():
    text = "```js\nx\n```\nand ``` inline ``` here\n~~~~\ny\n~~~~"
    assert export._closed(text) == text
    assert export._closed("````\n```\n") == "````\n```\n\n````"


def test_footer_shows_model_tokens_and_timings():
    md = to_markdown("x", [user("q"), reply("a")], False, t)
    assert "*deepseek-r1 · 345 tokens · 200 reasoning · first token 0.8 s · total 12.3 s*" in md


def test_footer_shows_only_the_parts_present():
    bare = reply("a", model=None, usage=Usage(None, None), ttft=None, total=4.0)
    md = to_markdown("x", [user("q"), bare], False, t)
    assert "*total 4.0 s*" in md
    assert "tokens" not in md and "first token" not in md


def test_user_messages_get_no_footer():
    md = to_markdown("x", [user("q")], False, t)
    assert md == "# x\n\n### 🧑 You\n\nq\n"


@pytest.mark.parametrize(("status", "note"), [
    ("stopped", "Stopped — partial reply"),
    ("incomplete", "Incomplete — the server stopped mid-reply"),
    ("length", "Cut off — the token budget ran out"),
    ("error", "Error: auth"),
    ("interrupted", "Interrupted (unknown) — partial reply"),
])
def test_unfinished_replies_carry_a_note(status, note):
    diagnosis = Diagnosis("auth") if status == "error" else None
    md = to_markdown("x", [user("q"), reply("a", status=status, diagnosis=diagnosis)], False, t)
    assert f"> {note}" in md


def test_a_complete_reply_carries_no_note():
    assert "> " not in to_markdown("x", [user("q"), reply("a")], False, t)


def test_error_note_names_the_kind_and_the_provider_detail():
    failed = Diagnosis("rate_limit", {}, 429, "Too many\nrequests", None)
    md = to_markdown("x", [user("q"), reply("", status="error", diagnosis=failed)], False, t)
    assert "> Error: rate\\_limit\n>\n> Provider said: Too many requests" in md


def test_title_is_one_escaped_line_and_falls_back_to_the_first_question():
    assert to_markdown("a\nb *c*", [user("q")], False, t).startswith("# a b \\*c\\*\n")
    assert to_markdown(" ", [user("Why is the sky blue?")], False, t).startswith("# Why is the sky blue?\n")
    assert to_markdown("", [user(" ")], False, t).startswith("# Untitled conversation\n")


def test_title_loses_hidden_characters_and_falls_back_when_nothing_is_left():
    assert to_markdown("\u202Eexe.txt\x1b[31m", [user("q")], False, t).startswith("# exe.txt\n")
    assert to_markdown("\u202E\u200B", [user("Why?")], False, t).startswith("# Why?\n")


def test_raw_html_in_answers_questions_and_reasoning_reads_as_text():
    answer = "<script>alert(1)</script>\n\n<a href=\"javascript:x\">link</a> <iframe src=//evil>"
    question = '<img src=x onerror="alert(1)">'
    reasoning = "<b>bold?</b> and <!-- hide"
    md = to_markdown("x", [user(question), reply(answer, reasoning=reasoning)], True, t)
    assert "&lt;script>alert(1)&lt;/script>" in md
    assert '&lt;a href="javascript:x">link&lt;/a> &lt;iframe src=//evil>' in md
    assert '&lt;img src=x onerror="alert(1)">' in md
    assert "&lt;b>bold?&lt;/b> and &lt;!-- hide" in md
    assert [tag for tag in ("<script", "<a ", "<iframe", "<img", "<b>", "<!--") if tag in md] == []


def test_code_keeps_its_html_exactly_and_our_details_block_still_works():
    code = "```html\n<script>alert(1)</script>\n<img src=x onerror=y>\n```"
    answer = f"Use `<br>` here:\n\n{code}\n\nthen <b>x</b>"
    md = to_markdown("x", [user("q"), reply(answer, reasoning="think <i>hard</i> ~~~\n~~~\n<u>x</u>\n~~~")],
                     True, t)
    assert f"Use `<br>` here:\n\n{code}\n\nthen &lt;b>x&lt;/b>" in md
    assert "<details>\n<summary>Thought for 3.2 s</summary>\n\nthink &lt;i>hard&lt;/i>" in md
    assert "~~~\n<u>x</u>\n~~~\n\n</details>" in md
    assert md.count("<details>") == md.count("</details>") == 1 and md.count("<summary>") == 1


def test_json_export_keeps_the_text_as_it_was():
    doc = json.loads(to_json("\u202Et", [user("<b>q</b>"), reply("<script>alert(1)</script>")], 1.0))
    assert [m["content"] for m in doc["messages"]] == ["<b>q</b>", "<script>alert(1)</script>"]


def test_export_file_names_come_from_clean_titles():
    from core.conversations.database import MEMORY
    from core.conversations.store import open_store
    from ui.conversation_menu import file_name  # the download name the page gives the export

    store = open_store(MEMORY)
    conv = store.create("me", "x")
    # As an old database holds it: written straight into the table, past create().
    store.db.execute("UPDATE conversations SET title = :t", {"t": "\u202Eexe.txt\x1b[31m\u200B"})
    assert file_name(store.get("me", conv.id).title, "md") == "exe.txt.md"
    fresh = store.create("me", "inv\u202Eoice\u2066 2024\u2069")
    assert file_name(store.get("me", fresh.id).title, "json") == "invoice-2024.json"


def test_markdown_speaks_chinese_with_the_chinese_labels():
    md = to_markdown("算术", [user("二加二？"), reply("四", status="stopped")], True, t_zh)
    assert "### 🧑 你\n\n二加二？" in md
    assert "<summary>已深度思考（用时 3.2 秒）</summary>" in md
    assert "首字 0.8 秒" in md and "> 已停止——仅有部分回复" in md


@pytest.mark.parametrize(("lang", "heading"), [("en", "### 🧑 You"), ("zh-CN", "### 🧑 你")])
def test_markdown_works_with_the_app_translator(lang, heading):
    md = to_markdown("x", conversation(), True, i18n.translator(lang))
    assert heading in md and "export." not in md


# JSON


def test_json_round_trip_keeps_timings_and_usage():
    original = conversation()
    title, messages = from_json(to_json("Sums", original, exported_at=1_700_000_100.0))
    assert title == "Sums"
    # Ids stay behind; a parent comes back as the number of the message above it (from 1).
    assert messages == [{**{k: v for k, v in m.items() if k != "id"}, "parent": index or None, "chosen": True}
                        for index, m in enumerate(original)]
    assert messages[1]["usage"] == Usage(12, 345, 200)
    assert messages[3]["diagnosis"].detail == "connection reset"


def test_json_document_is_versioned_and_leaves_out_message_ids():
    doc = json.loads(to_json("Sums", conversation(), exported_at=5.5))
    assert (doc["format"], doc["version"], doc["title"], doc["exported_at"]) == \
        ("r1-chat.conversation", 2, "Sums", 5.5)
    assert all("id" not in m for m in doc["messages"])
    assert [(m["parent"], m["chosen"]) for m in doc["messages"]] == [(None, True), (1, True), (2, True), (3, True)]


def test_json_keeps_chinese_text_unescaped():
    text = to_json("算术", [user("二加二等于几？"), reply("等于四。")], exported_at=1.0)
    assert "二加二等于几？" in text and "\\u" not in text
    assert from_json(text.encode("utf-8"))[1][0]["content"] == "二加二等于几？"


@pytest.mark.parametrize("render", [
    lambda msgs, secrets: to_markdown("t", msgs, True, t, secrets=secrets),
    lambda msgs, secrets: to_json("t", msgs, exported_at=1.0, secrets=secrets),
], ids=["markdown", "json"])
def test_exports_never_contain_a_token(render):
    leak = Diagnosis("auth", {"host": "h"}, 401, f"bad key {SECRET}", None)
    messages = [user(f"my key is {TOKEN}\n{TOKEN}"), reply(f"Do not share {SECRET}.", reasoning=f"{TOKEN}!",
                                                           status="error", diagnosis=leak)]
    text = render(messages, iter([SECRET]))  # a one-shot iterable is fine too
    assert TOKEN not in text and SECRET not in text
    assert "sk-abcd…3456" in text


def test_a_masked_json_export_still_imports():
    text = to_json("t", [user(f"key: {TOKEN}")], exported_at=1.0, secrets=["content"])
    assert from_json(text)[1][0]["content"] == "key: sk-abcd…3456"


# Versions: a v2 document carries the whole tree, each message naming its parent by number


def tree_document(*places, **fields):
    """A v2 document of the four-message conversation, message i placed at ``places[i]``: (parent, chosen)."""
    messages = [{**records.to_plain(m), "parent": parent, "chosen": chosen}
                for m, (parent, chosen) in zip(conversation(), places, strict=True)]
    return document(version=2, messages=messages, **fields)


def test_a_version_1_document_imports_as_one_branch():
    _, messages = from_json(document())
    assert [(m["parent"], m["chosen"]) for m in messages] == [(None, True), (1, True), (2, True), (3, True)]


def test_a_version_1_document_ignores_stray_parents():
    plain = [{**records.to_plain(m), "parent": "x", "chosen": "no"} for m in conversation()]
    _, messages = from_json(document(messages=plain))
    assert [(m["parent"], m["chosen"]) for m in messages] == [(None, True), (1, True), (2, True), (3, True)]


def test_a_tree_document_keeps_each_parent_and_choice():
    # 1 ─┬─ 2 ── 3       4: a second version of the reply 2, the one chosen
    #     └─ 4
    text = tree_document((None, True), (1, False), (2, True), (1, True))
    assert [(m["parent"], m["chosen"]) for m in from_json(text)[1]] == [(None, True), (1, False), (2, True), (1, True)]


def test_a_tree_document_without_choices_shows_every_message_chosen():
    messages = [{**records.to_plain(m), "parent": i or None} for i, m in enumerate(conversation())]
    assert all(m["chosen"] for m in from_json(document(version=2, messages=messages))[1])


@pytest.mark.parametrize("parent", [4, 3, 0, -1, "2", True, False, 1.0, [1], {"n": 1}],
                         ids=["forward", "itself", "zero", "negative", "string", "true", "false", "float",
                              "list", "object"])
def test_a_bad_parent_is_rejected_by_name(parent):
    error = rejection(tree_document((None, True), (1, True), (parent, True), (3, True)))
    assert (error.key, error.params) == ("import.bad_message", {"index": 3, "field": "parent"})


@pytest.mark.parametrize("chosen", ["yes", 1, 0, None])
def test_a_choice_that_is_not_true_or_false_is_rejected_by_name(chosen):
    error = rejection(tree_document((None, True), (1, chosen), (2, True), (3, True)))
    assert (error.key, error.params) == ("import.bad_message", {"index": 2, "field": "chosen"})


def test_a_tree_document_round_trips_through_json():
    tree = [{**m, "chosen": m["id"] != "m2"} for m in conversation()]
    tree.append(reply("A second version", id="m5", parent="m1"))
    _, messages = from_json(to_json("Sums", tree, exported_at=1.0))
    assert [(m["content"], m["parent"], m["chosen"]) for m in messages] == [
        ("What is 2+2?", None, True), ("**4**", 1, False), ("And in base 3?", 2, True),
        ("It is `11`", 3, True), ("A second version", 1, True)]


# Import


def test_import_accepts_bytes_with_a_utf8_bom():
    raw = document().encode("utf-8")
    assert from_json(b"\xef\xbb\xbf" + raw) == from_json(raw)
    assert from_json("\ufeff" + document())[0] == "Sums"


def test_import_rejects_text_that_is_not_utf8():
    assert rejection(document().replace("What", "Wh\u00e4t").encode("latin-1")).key == "import.not_json"
    assert rejection("\ufeff".encode("utf-16") + document().encode("utf-16-le")).key == "import.not_json"


@pytest.mark.parametrize("text", [
    "", "not json", "{", '{"format": NaN}', '{"x": 1e400}', "[" * 100_000 + "]" * 100_000,
    '{"format": "r1-chat.conversation", "title": "\\ud800"}', '{"title": "\ud800"}',
], ids=["empty", "prose", "truncated", "nan", "overflow", "deep", "escaped-surrogate", "lone-surrogate"])
def test_import_rejects_what_is_not_json(text):
    assert rejection(text).key == "import.not_json"


@pytest.mark.parametrize("text", [
    "[]", "null", json.dumps({"version": 1, "messages": []}),
    document(format="other.app"), document(version="1"), document(version=0), document(version=True),
    document(messages={"0": {}}),
])
def test_import_rejects_a_file_of_another_format(text):
    assert rejection(text).key == "import.wrong_format"


def test_import_rejects_a_newer_version_by_name():
    error = rejection(document(version=export.VERSION + 1))
    assert (error.key, error.params) == ("import.newer_version", {"version": export.VERSION + 1})
    assert isinstance(error, ValueError)


def test_import_rejects_a_file_over_ten_megabytes():
    huge = document(title="x" * (11 * 1024 * 1024))
    for text in (huge, huge.encode("utf-8")):
        error = rejection(text)
        assert (error.key, error.params) == ("import.too_large", {"mb": 10, "count": 5000})


def test_import_rejects_more_than_five_thousand_messages():
    many = [records.to_plain(user("q"))] * 5001
    assert rejection(document(messages=many)).key == "import.too_large"
    assert len(from_json(document(messages=many[:5000]))[1]) == 5000


def test_import_rejects_a_file_without_messages():
    assert rejection(document(messages=[])).key == "import.empty"


@pytest.mark.parametrize(("change", "field"), [
    ({"role": "system"}, "role"),
    ({"role": None}, "role"),
    ({"status": "done"}, "status"),
    ({"content": 5}, "content"),
    ({"reasoning": ["a"]}, "reasoning"),
    ({"model": 3}, "model"),
    ({"thought": "3.2"}, "thought"),
    ({"created": True}, "created"),
    ({"usage": {"completion_tokens": "7"}}, "usage.completion_tokens"),
    ({"diagnosis": {"params": {}}}, "diagnosis.kind"),
    ({"diagnosis": {"kind": "auth", "params": ["host"]}}, "diagnosis.params"),
])
def test_import_names_the_bad_message_and_field(change, field):
    messages = [records.to_plain(m) for m in conversation()]
    messages[2].update(change)
    error = rejection(document(messages=messages))
    assert (error.key, error.params) == ("import.bad_message", {"index": 3, "field": field})


@pytest.mark.parametrize("bad", ["a string", None, ["role", "user"]])
def test_import_rejects_a_message_that_is_not_an_object(bad):
    error = rejection(document(messages=[records.to_plain(user("q")), bad]))
    assert error.params["index"] == 2


@pytest.mark.parametrize("change", [{"usage": [1, 2]}, {"diagnosis": "auth"}, {"thought": 10 ** 400}])
def test_import_rejects_odd_shapes_without_crashing(change):
    messages = [{**records.to_plain(user("q")), **change}]
    error = rejection(document(messages=messages))
    assert error.key == "import.bad_message" and error.params["index"] == 1


def test_import_keeps_roles_and_order_as_given():
    messages = [records.to_plain(m) for m in (user("a"), user("b"), reply("c"), reply("d"))]
    assert [m["content"] for m in from_json(document(messages=messages))[1]] == ["a", "b", "c", "d"]


def test_a_reply_that_was_streaming_when_exported_imports_as_incomplete():
    messages = [records.to_plain(user("q")), records.to_plain(reply("half", status="streaming"))]
    assert from_json(document(messages=messages))[1][1]["status"] == "incomplete"


@pytest.mark.parametrize("title", [None, "", "   ", 42, "x" * 201])
def test_import_title_falls_back_to_the_first_user_line(title):
    messages = [records.to_plain(reply("hello")), records.to_plain(user("\n  Plan a trip  \nto Paris"))]
    assert from_json(document(title=title, messages=messages))[0] == "Plan a trip"


def test_import_title_loses_hidden_characters_or_falls_back_when_nothing_is_left():
    messages = [records.to_plain(user("Plan a trip"))]
    assert from_json(document(title="\u202Eexe.txt\x1b[31m", messages=messages))[0] == "exe.txt"
    assert from_json(document(title="\u202E\u200B\x07", messages=messages))[0] == "Plan a trip"


def test_import_title_is_kept_up_to_two_hundred_characters():
    assert from_json(document(title=" " + "x" * 200 + " "))[0] == "x" * 200


def test_derived_title_is_cut_to_sixty_characters():
    title = export.derive_title([user("word " * 30)])
    assert len(title) == 60 and title.endswith("…")
    assert export.derive_title([reply("only an answer")]) == "only an answer"
    assert export.derive_title([user(" ")]) == ""


# Catalogues


def test_both_catalogues_have_the_same_keys_and_placeholders():
    en, zh = ({k: v for k, v in i18n.CATALOGUES[lang].items() if k.startswith(("export.", "import."))}
              for lang in ("en", "zh-CN"))
    assert set(en) == set(zh)
    for key, text in en.items():
        assert i18n.placeholders(text) == i18n.placeholders(zh[key]), key


REJECTED = [
    ("{", "This file is not a conversation export: it could not be read as UTF-8 JSON.",
     "该文件不是对话导出文件：无法按 UTF-8 编码的 JSON 读取。"),
    ("[]", "This JSON file is not a conversation exported by this app.", "该 JSON 文件不是本应用导出的对话。"),
    (document(version=3),
     "This file comes from a newer version of the app (format version 3). Update the app to import it.",
     "该文件来自更新版本的应用（格式版本 3），请先升级应用再导入。"),
    (document(messages=[{"role": "system"}]),
     "Message 1 in the file is invalid: its field `role` has a wrong value.",
     "文件中第 1 条消息无效：字段 `role` 的值不正确。"),
    (document(messages=[records.to_plain(user("q"))] * 5001),
     "The file is too large to import: the limit is 10 MB and 5000 messages.",
     "文件过大，无法导入：上限为 10 MB、5000 条消息。"),
    (document(messages=[]), "The file holds no messages, so there is nothing to import.",
     "文件中没有任何消息，无需导入。"),
]


@pytest.mark.parametrize(("text", "english", "chinese"), REJECTED,
                         ids=["not_json", "wrong_format", "newer_version", "bad_message", "too_large", "empty"])
def test_every_rejection_reads_as_its_message_with_the_params_filled_in(text, english, chinese):
    error = rejection(text)
    assert (t(error.key, **error.params), t_zh(error.key, **error.params)) == (english, chinese)


NOTES = {  # status: the note under the reply in English and in Chinese; None when there is none
    "complete": None,
    "length": ("Cut off — the token budget ran out before the answer was complete",
               "已截断——token 预算在回答完成前已用完"),
    "stopped": ("Stopped — partial reply", "已停止——仅有部分回复"),
    "interrupted": ("Interrupted (unknown) — partial reply", "已中断（unknown）——仅有部分回复"),
    "error": ("Error: auth", "出错：auth"),
    "incomplete": ("Incomplete — the server stopped mid-reply", "未完成——服务在回复途中停止"),
    "streaming": ("Still being written when exported — partial reply", "导出时仍在生成——仅有部分回复"),
}


@pytest.mark.parametrize("status", records.STATUSES)
def test_every_status_renders_its_note_in_both_languages(status):
    diagnosis = Diagnosis("auth") if status == "error" else None
    for translate, note in zip((t, t_zh), NOTES[status] or (None, None), strict=True):
        md = to_markdown("x", [user("q"), reply("a", status=status, diagnosis=diagnosis)], True, translate)
        assert [line for line in md.splitlines() if line.startswith("> ")] == ([f"> {note}"] if note else [])


def test_a_markdown_export_keeps_links_as_inert_as_the_page():
    msgs = [records.new_message("user", "links?"),
            {**records.new_message("assistant", "[click](javascript:alert(1)) [x](data:text/html,x) "
                                   "[ok](https://example.com)"), "status": "complete"}]
    text = to_markdown("t", msgs, include_thinking=False, t=i18n.translator("en"))
    assert "](javascript:" not in text and "](data:" not in text
    assert "[ok](https://example.com)" in text


def test_an_old_transport_faults_stored_detail_stays_out_of_the_export():
    failed = {**records.new_message("assistant", ""), "status": "error",
              "diagnosis": Diagnosis("reset", {}, detail="ConnectionResetError: [Errno 104] reset")}
    text = to_markdown("t", [records.new_message("user", "q"), failed], include_thinking=False,
                       t=i18n.translator("en"))
    assert "ConnectionResetError" not in text and "Errno" not in text
