"""Stored messages drawn as they looked when they finished, with the actions that fit them: copy,
edit, regenerate, step through a message's versions, branch into a new conversation, delete a
version. Nothing replaces a message: Edit and Regenerate add versions beside it."""

import functools
from dataclasses import dataclass

import streamlit as st

from core.chat import history
from core.chat import session as conversation
from core.chat.mathtext import to_streamlit
from core.conversations import records, turns
from core.conversations.database import DatabaseError
from core.conversations.store import Store
from core.diagnosis import words
from ui import context, page_state, scroll
from ui.live import cleared

TURNS_EVERY = 3.0  # seconds between looks for turns another replica added to the open conversation

# Copy answer in one click. Streamlit has no clipboard API and st.code's own copy icon uses only
# navigator.clipboard, which browsers offer in a secure context alone (https, localhost): on
# http://<LAN address> it silently copies nothing. So a small component copies with
# navigator.clipboard where it exists and falls back to the copy command, which needs no secure
# context. The answer travels as JSON data and is only ever set as text, never parsed as HTML.
COPY_HTML = """<button type="button"><span class="icon" aria-hidden="true">content_copy</span>
<span class="label" aria-live="polite"></span></button>"""
COPY_CSS = """
button {display: inline-flex; align-items: center; gap: 0.5rem; min-height: 2.5rem; padding: 0;
        border: none; background: none; color: var(--st-text-color); font-family: var(--st-font);
        font-size: 0.875rem; line-height: 1.6; cursor: pointer}
button:hover, button:focus-visible {color: var(--st-primary-color)}
.icon {font-family: "Material Symbols Rounded"; font-size: 1rem; line-height: 1; font-feature-settings: "liga"}
"""
COPY_JS = """
async function copy(text) {
  if (window.isSecureContext && navigator.clipboard) {
    try { await navigator.clipboard.writeText(text); return true; } catch (e) { /* fall back below */ }
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.cssText = "position: fixed; top: 0; left: 0; opacity: 0";
  document.body.append(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
  area.remove();
  return ok;
}

export default function ({ data, parentElement }) {
  const button = parentElement.querySelector("button");
  const label = parentElement.querySelector(".label");
  const icon = parentElement.querySelector(".icon");
  const reset = () => { label.textContent = data.label; icon.textContent = "content_copy"; };
  reset();
  button.onclick = async () => {
    const ok = await copy(data.text);
    label.textContent = ok ? data.copied : data.failed;
    icon.textContent = ok ? "check" : "error";
    button.focus();
    clearTimeout(button.resetTimer);
    button.resetTimer = setTimeout(reset, 2000);
  };
}
"""
COPY_BUTTON = st.components.v2.component("copy_answer", html=COPY_HTML, css=COPY_CSS, js=COPY_JS)


# A screen reader reads an icon-only button by its icon's name ("chevron_left icon"). These buttons
# carry their words as the label, kept for it and hidden from sight (the tooltip shows them).
ICON_ONLY = ("older_", "newer_", "drop_", "rename_open", "export_open", "delete_open")
ICON_ONLY_STYLE = (
    "<span class='r1-icon-only'></span>\n<style>\n"
    "[data-testid='stElementContainer']:has(.r1-icon-only) {display: none}\n"
    + ", ".join(f"[class*='st-key-{key}'] button [data-testid='stMarkdownContainer']" for key in ICON_ONLY)
    + " {position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%);"
    " white-space: nowrap}\n</style>")

JUST_ASKED = object()  # show_outcome's default: the reply answers the question right before it


@dataclass(frozen=True)
class View:
    """What drawing a conversation needs: strings, the store, whose it is, and which one."""

    t: object
    store: Store
    owner: str
    cid: str | None
    default_budget: int


def budget_of(view: View, msg: dict) -> int:
    """The token budget a reply had (older rows did not record it: today's setting)."""
    return msg.get("max_tokens") or st.session_state.get("max_tokens", view.default_budget)


def regenerate(view: View, budget: int | None = None) -> None:
    """Button callback: ask for a new version of the last reply on this run (the old one stays)."""
    page_state.close_dialog("editing")
    if turns.regenerate(view.store, view.owner, view.cid, view.store.messages(view.owner, view.cid)):
        if budget:
            st.session_state.max_tokens = budget  # the sidebar's widget: the user asked for this budget
        page_state.ask_again()


def still_answering(view: View) -> bool:
    """Whether a reply is being written in this conversation by this server, said by a toast: the
    conversation must not change under it (the buttons stay enabled while the page follows it, so
    that the run drawing it draws over the same ones)."""
    if context.replies().find(context.visitor(context.chats()[1]), view.cid) is None:
        return False
    st.toast(view.t("chats.wait_for_reply"), icon=":material/hourglass_top:")
    return True


def send_edit(view: View, question: dict) -> None:
    """Button callback: send the edited question as a new version of it, and ask from there."""
    if still_answering(view):
        return  # the edit box stays open with the text
    if turns.edit(view.store, view.owner, view.cid, question, st.session_state.get("edit_text", "")):
        page_state.ask_again()
    page_state.close_dialog("editing")


def switch_version(view: View, msg: dict, step: int) -> None:
    """Button callback: show the version ``step`` away from ``msg`` (and below it, what was chosen there)."""
    outline = view.store.outline(view.owner, view.cid)
    if still_answering(view) or msg["id"] not in outline.by_id:
        return
    siblings = [n.id for n in outline.siblings(msg["id"])]
    at = siblings.index(msg["id"]) + step
    if 0 <= at < len(siblings):
        view.store.choose(view.owner, view.cid, siblings[at])


def branch_from(view: View, msg: dict) -> None:
    """Button callback: open a new conversation holding the messages down to ``msg``; from a question,
    its reply is asked for there."""
    current = view.store.get(view.owner, view.cid)
    title = view.t("chats.branch_title", title=current.title if current else "")
    cid = turns.branch(view.store, view.owner, view.cid, msg["id"], title)
    if cid:
        page_state.open_conversation(cid)
        if msg["role"] == "user":
            page_state.ask_again()


def show_user(view: View, msg: dict, last: bool | None, unsent: str | None = None, locked: bool = False):
    """A question, verbatim, with its versions and actions. Returns the slot for the last question's
    actions when a reply is about to stream (``last`` is None: they belong there once it is done)."""
    t = view.t
    if last is None:
        show_question(t, msg, unsent)
        return st.empty()
    if page_state.opened_for("editing") == msg["id"]:
        st.text_area(t("chats.edit"), msg["content"], key="edit_text", label_visibility="collapsed")
        st.caption(t("chats.edit_keeps"))  # what follows this question is not lost: one ‹ away
        with st.container(horizontal=True):
            st.button(t("chats.edit_send"), type="primary", icon=":material/send:", on_click=send_edit,
                      args=(view, msg))
            st.button(t("chats.cancel"), on_click=page_state.close_dialog, args=("editing",))
        return None
    show_question(t, msg, unsent)
    question_actions(view, msg, last, locked)
    return None


def show_question(t, msg: dict, unsent: str | None) -> None:
    """The user's words as typed: line breaks kept, nothing read as Markdown, HTML or LaTeX."""
    st.text(msg["content"])  # "# line" is no heading, "<b>" no tag, "$5 and $10" no math
    if unsent:
        st.caption(t(unsent))


def question_actions(view: View, msg: dict, last: bool, locked: bool = False) -> None:
    """Under a question: Edit (a new version, asked again), its versions, Branch, Delete version."""
    t = view.t
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        st.button(t("chats.edit"), icon=":material/edit:", type="tertiary", disabled=locked,
                  key="edit_last" if last else f"edit_{msg['id']}",
                  on_click=page_state.open_dialog, args=("editing", msg["id"]))
        tree_actions(view, msg, locked)


def tree_actions(view: View, msg: dict, locked: bool) -> None:
    """A message's "‹ 2 / 3 ›" when it has versions, Branch, and Delete version; the ones that change
    the conversation wait while a reply is being written in it (``locked``)."""
    t, mid, (number, count) = view.t, msg["id"], (msg.get("version", 1), msg.get("versions", 1))
    if count > 1:  # the icon-only buttons' labels are for screen readers (ICON_ONLY_STYLE)
        st.button(t("chats.version_older"), icon=":material/chevron_left:", type="tertiary", key=f"older_{mid}",
                  help=t("chats.version_older"), disabled=locked or number == 1,
                  on_click=switch_version, args=(view, msg, -1))
        st.caption(t("chats.version", n=number, of=count), width="content")
        st.button(t("chats.version_newer"), icon=":material/chevron_right:", type="tertiary", key=f"newer_{mid}",
                  help=t("chats.version_newer"), disabled=locked or number == count,
                  on_click=switch_version, args=(view, msg, 1))
    st.button(t("chats.branch_short"), icon=":material/call_split:", type="tertiary", key=f"branch_{mid}",
              help=t("chats.branch"), on_click=branch_from, args=(view, msg))
    if count > 1:
        st.button(t("chats.delete_version"), icon=":material/delete:", type="tertiary", key=f"drop_{mid}",
                  help=t("chats.delete_version"), disabled=locked,
                  on_click=page_state.open_dialog, args=("deleting_version", mid))


def show_ending(t, msg: dict, budget: int) -> None:
    """How a reply that ended short ended, in words: stopped, cut off, out of tokens (``budget``), or
    the provider's fault with its fix."""
    status, diag = msg["status"], msg.get("diagnosis")
    if status == "stopped":
        st.caption(t("chat.stopped"))
    if status == "incomplete":
        st.warning(t("chats.incomplete"), icon=":material/report:")
    if status == "length":
        st.warning(t("chat.length", n=budget), icon=":material/hourglass_bottom:")
    if diag is not None:
        title = t("chat.incomplete") if status == "interrupted" else None
        st.error(words(diag, t), title=title, icon=":material/error:")
        if diag.fix_in_setup:
            st.page_link("app_pages/setup.py", label=t("chat.open_setup"), icon=":material/key:")


def show_outcome(view: View, msg: dict, last: bool, unsent: str | None = JUST_ASKED, locked: bool = False) -> None:
    """Status notes and errors that tell how the reply ended, and whether the model will remember it.

    ``unsent`` is the note's key when history leaves this reply out; a reply that just streamed
    answers the question before it, so history's own test of an answer decides for it.
    """
    t, status = view.t, msg["status"]
    if unsent is JUST_ASKED:
        unsent = None if history.answers(msg) else "chats.not_sent_question"
    if status == "streaming":
        st.caption(t("chats.streaming"))
    if msg.get("unsaved"):  # ended while the database was down: this process still holds it
        st.warning(t("chats.save_failed"), icon=":material/database_off:")
    show_ending(t, msg, budget_of(view, msg))
    if status != "streaming":
        if unsent:
            st.caption(t(unsent))
        show_actions(view, msg, last, locked)


def show_actions(view: View, msg: dict, last: bool, locked: bool = False) -> None:
    """Copy any answer; regenerate (or retry) the last reply; offer a bigger budget after a cut; a
    stored reply's versions, Branch and Delete version."""
    t = view.t
    with st.container(horizontal=True, gap="small", vertical_alignment="center"):
        if msg["content"]:
            copy_button(t, msg)
        if last:
            again = "chats.regenerate" if msg["status"] in ("complete", "length") else "chat.retry"
            st.button(t(again), icon=":material/refresh:", type="tertiary", key="regenerate",
                      on_click=regenerate, args=(view,))
            if msg["status"] == "length":
                budget = conversation.raised_budget(budget_of(view, msg))
                st.button(t("chat.continue", n=budget), icon=":material/add:", type="tertiary",
                          on_click=regenerate, args=(view, budget))
        if msg.get("id"):  # a stored reply, not the one just followed live (its row is read next run)
            tree_actions(view, msg, locked)


def copy_button(t, msg: dict) -> None:
    """One click puts the answer's Markdown, without its thinking, on the clipboard."""
    # Keyed by the message: two equal answers would otherwise be one element twice.
    COPY_BUTTON(data={"text": msg["content"], "label": t("chats.copy"), "copied": t("chats.copied"),
                      "failed": t("chats.copy_failed")},
                key=f"copy_{msg.get('id') or 'live'}", width="content")


def show_assistant(view: View, msg: dict, last: bool, unsent: str | None = None, locked: bool = False) -> None:
    """Replay one stored reply exactly as it looked when it finished."""
    t = view.t
    if msg["reasoning"]:
        show_thinking(t, msg)
    if msg["content"]:
        st.markdown(to_streamlit(msg["content"]))
    show_outcome(view, msg, last, unsent, locked)
    st.caption(records.footer(msg, t))


THINKING_ICONS = {"finished": ":material/check:", "streaming": ":material/pending:",
                  "stopped": ":material/stop_circle:", "cut": ":material/error:"}


def show_thinking(t, msg: dict) -> None:
    """A stored reply's thinking, collapsed under its label; drawn only once the reader opens it."""
    # An expander, not st.status (which looks the same but sleeps 50 ms on every call), and lazy:
    # a long conversation's thinking is most of its Markdown and math, which the browser would
    # otherwise lay out on every run for blocks nobody opened.
    icon = THINKING_ICONS[records.thinking_end(msg)]
    block = st.expander(records.thinking_label(msg, t), icon=icon, type="compact",
                        key=f"thinking_{msg['id']}", on_change="rerun")
    if block.open:
        with block:
            st.caption(to_streamlit(msg["reasoning"]))  # muted, so thinking never reads as answer


def unsent_notes(messages: list[dict]) -> dict[int, str]:
    """The "not sent to the model" note each left-out message gets, by position. Which ones are left
    out is history's rule (the one that builds the request); a pair's note goes under its reply."""
    notes = {}
    left_out = history.left_out(messages)
    for i in sorted(left_out):
        msg = messages[i]
        if msg["role"] == "assistant":
            if msg["status"] != "streaming":  # still being written: not yet known to have failed
                asked = i > 0 and messages[i - 1]["role"] == "user"
                notes[i] = "chats.not_sent_question" if asked else "chats.not_sent_reply"
        elif i + 1 not in left_out or messages[i + 1]["role"] != "assistant":
            notes[i] = "chats.not_sent_question"  # a question another question replaced
    return notes


def show_history(view: View, messages: list[dict], busy: bool):
    """The newest stored messages (older ones on demand), each with its actions. While a reply is on
    its way, return a function that draws the last question's actions once it is done."""
    slot, final = None, len(messages) - 1
    last_user = turns.last_user_index(messages)
    # The last reply can be asked again only when a question precedes it (imports may hold other orders).
    again = final >= 1 and messages[final]["role"] == "assistant" and messages[final - 1]["role"] == "user"
    # While another tab or replica writes the last reply, nothing may change the conversation under it
    # (the page redraws when it ends). One written here is guarded by the callbacks instead.
    locked = bool(messages) and messages[final]["status"] == "streaming"
    again = again and not locked and not busy
    notes = unsent_notes(messages)  # over every message: what history leaves out depends on what came before
    start = window_start(messages, page_state.history_top(view.cid, len(messages)))
    show_older(view, start)
    for i in range(start, len(messages)):
        msg = messages[i]
        # A run that follows a live reply lasts as long as it does, and the browser shows what the last
        # run drew of a message and this one does not, faded, meanwhile: the question that had Edit and
        # the reply that had Regenerate before this turn was asked. Those start afresh.
        where = cleared() if busy and i >= final - 2 else st
        with where.chat_message(msg["role"]):
            if msg["role"] == "user":
                last = i == last_user
                drawn = show_user(view, msg, None if busy and last else last, notes.get(i), locked)
                slot = (drawn, msg) if drawn is not None else slot
            else:
                show_assistant(view, msg, i == final and again, notes.get(i), locked)
    if messages:
        scroll.follow_bottom(view.cid, start)
    return None if slot is None else functools.partial(actions_later, view, *slot)


def show_older(view: View, start: int) -> None:
    """The button that draws the ``start`` messages above the window, if any; and the style that hides
    the icon-only buttons' labels from sight (drawn once a run, ahead of them)."""
    st.html(ICON_ONLY_STYLE)
    if start:
        st.button(view.t("chats.show_older", n=start), icon=":material/expand_less:", type="tertiary",
                  key="show_older", on_click=page_state.show_older, args=(view.cid, start))


def actions_later(view: View, holder, question: dict) -> None:
    """Draw the last question's actions in ``holder`` (held while its reply streamed)."""
    with holder.container():
        question_actions(view, question, True)


def placed(view: View, msg: dict, mid: str | None) -> dict:
    """A reply just followed live as the store now places it: its id and which version it is (as it
    ended, when the database cannot say now: the reply is kept and saved later, ``ui.outage``)."""
    try:
        outline = view.store.outline(view.owner, view.cid)
    except DatabaseError:
        return msg
    if mid not in outline.by_id:
        return msg
    number, count = outline.version(mid)
    return {**msg, "id": mid, "parent": outline.by_id[mid].parent, "version": number, "versions": count}


def show_read_only(t, messages: list[dict], unsaved: dict | None = None) -> None:
    """Messages as the page last showed them, without actions (nothing can be read or written now);
    ``unsaved``: the last reply as it ended, not stored yet, shown with that warning."""
    if unsaved is not None:
        messages = records.with_last_reply(messages, unsaved)
    default_budget = st.session_state.config.values["R1_MAX_TOKENS"].typed  # older rows did not record theirs
    for msg in messages[window_start(messages, max(0, len(messages) - page_state.HISTORY_PAGE)):]:
        with st.chat_message(msg["role"]):
            if msg["role"] == "user":
                st.text(msg["content"])
                continue
            if msg["reasoning"]:  # collapsed and unkeyed: no thinking block stays open across the outage
                with st.expander(records.thinking_label(msg, t), icon=THINKING_ICONS[records.thinking_end(msg)],
                                 type="compact"):
                    st.caption(to_streamlit(msg["reasoning"]))
            if msg["content"]:
                st.markdown(to_streamlit(msg["content"]))
            if msg["status"] == "streaming":  # what there is of it is not all of it: say so
                st.caption(t("chats.down.unfinished"))
            if msg is messages[-1] and unsaved is not None:
                st.warning(t("chats.save_failed"), icon=":material/database_off:")
                if msg["content"]:  # the warning says to copy it: the one action kept here
                    copy_button(t, msg)
            show_ending(t, msg, msg.get("max_tokens") or st.session_state.get("max_tokens", default_budget))
            if msg["status"] != "streaming":  # one still being written has no footer yet
                st.caption(records.footer(msg, t))


def load(store: Store, owner: str, cid: str | None) -> list[dict]:
    """A conversation's messages, each drawn one with its reasoning (the others do without: in a
    long conversation that is most of the bytes, read on every run)."""
    if not cid:
        return []
    tree = store.outline(owner, cid)  # read once for both
    light = store.messages(owner, cid, reasoning=False, outline=tree)
    start = window_start(light, page_state.history_top(cid, len(light)))
    return light[:start] + store.messages(owner, cid, since=start, outline=tree)


def window_start(messages: list[dict], top: int) -> int:
    """Where the drawn messages begin: at ``top``, or just above it when that is a reply whose question
    would be left out."""
    start = top
    if start and messages[start]["role"] == "assistant" and messages[start - 1]["role"] == "user":
        start -= 1  # a reply without its question above reads as an orphan
    return start


def watch_turns(view: View, seen: float) -> None:
    """While the conversation on screen is idle, look every few seconds whether another process (a
    replica) added to it, and redraw the page when it did: a question sent there, with its reply."""

    # Every few seconds, not every second: one read of the conversation's row per open page, the
    # price of seeing a teammate's turn (or one's own from another tab) without a click.
    @st.fragment(run_every=TURNS_EVERY)
    def look() -> None:
        try:
            now = view.store.get(view.owner, view.cid)
        except DatabaseError as exc:  # the server went away: the page waits for it (ui.outage)
            context.rerun_if_lost(exc)
        if now is None or now.updated != seen:
            st.rerun(scope="app")

    look()


def watch(view: View, msg: dict) -> None:
    """While another process (a replica) is still writing the last reply, poll the store about once a
    second and redraw the page when it has moved on, or when that process died (its reply unsaved
    for ``STALE_AFTER``: marked incomplete)."""

    @st.fragment(run_every=1)
    def poll() -> None:
        try:
            view.store.recover_stale()
            latest = view.store.messages(view.owner, view.cid)
        except DatabaseError as exc:  # the server went away: the page waits for it (ui.outage)
            context.rerun_if_lost(exc)
        now = latest[-1] if latest else None
        if now is None or (now["id"], now["status"], len(now["content"]), len(now["reasoning"])) != \
                (msg["id"], msg["status"], len(msg["content"]), len(msg["reasoning"])):
            st.rerun(scope="app")

    poll()
