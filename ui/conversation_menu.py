"""The open conversation's title and its menu: rename, export, delete; and the import dialog."""

import functools
import re
import time

import streamlit as st

from core.chat.mathtext import to_streamlit
from core.conversations import export, turns
from core.conversations.database import DatabaseError
from ui import context, page_state
from ui.messages import View, still_answering

UPLOAD_MB = 5 * export.MAX_MB  # what the browser lets through; export.MAX_MB is what an import may be


def file_name(title: str, ext: str) -> str:
    """A download name from the title, without characters file systems refuse."""
    stem = re.sub(r'[\\/:*?"<>|\s]+', "-", title).strip("-.")[:60]
    return f"{stem or 'conversation'}.{ext}"


def draw_header(view: View, title: str, messages: list[dict], secrets: list[str]) -> None:
    """The title with rename, export and delete beside it."""
    t = view.t
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.subheader(to_streamlit(title), anchor=False, width="stretch")  # "$5 and $10" stays text
        # Their words are the labels, for screen readers; ICON_ONLY_STYLE (ui.messages) hides them from sight.
        st.button(t("chats.rename"), icon=":material/edit:", help=t("chats.rename"), type="tertiary", key="rename_open",
                  on_click=page_state.open_dialog, args=("renaming",))
        with st.popover(t("chats.export"), icon=":material/download:", help=t("chats.export"), type="tertiary",
                        key="export_open"):
            thinking = st.toggle(t("chats.include_thinking"), key="export_thinking")
            # Built when clicked, from the store: a reply that finished after this was drawn is in it.
            fresh = functools.partial(view.store.messages, view.owner, view.cid)
            st.download_button(t("chats.export_md"), lambda: export.to_markdown(
                title, fresh(), thinking, t, secrets=secrets), file_name(title, "md"),
                "text/markdown", icon=":material/description:", on_click="ignore", width="stretch")
            whole = functools.partial(view.store.tree, view.owner, view.cid)  # every version
            st.download_button(t("chats.export_json"), lambda: export.to_json(
                title, whole(), time.time(), secrets=secrets), file_name(title, "json"),
                "application/json", icon=":material/data_object:", on_click="ignore", width="stretch")
        st.button(t("chats.delete"), icon=":material/delete:", help=t("chats.delete"), type="tertiary", key="delete_open",
                  on_click=page_state.open_dialog, args=("deleting",))
    show_dialog("renaming", t("chats.rename_title"), rename_dialog, view, title)
    show_dialog("deleting", t("chats.delete_title"), delete_dialog, view, title, len(messages))
    show_dialog("deleting_version", t("chats.delete_version_title"), delete_version_dialog, view)


def show_dialog(flag: str, title: str, body, *args) -> None:
    """Keep a dialog open while ``flag`` is set: it is cleared by the dialog's own buttons or a dismiss.

    Drawing it on every run until then (not only on the click's run) keeps a full rerun from
    losing a dialog the user is still typing in.
    """
    if page_state.is_open(flag):
        st.dialog(title, on_dismiss=functools.partial(page_state.close_dialog, flag))(body)(*args)


def rename_dialog(view: View, title: str) -> None:
    """A new title; saved on Enter or Save."""
    t = view.t
    with st.form("rename_form", border=False):
        new_title = st.text_input(t("chats.title_label"), title, max_chars=200)
        if st.form_submit_button(t("chats.save"), type="primary"):
            if not view.store.rename(view.owner, view.cid, new_title):
                st.error(t("chats.title_blank"), icon=":material/error:")
                return
            page_state.close_dialog("renaming")
            st.rerun()


def delete_dialog(view: View, title: str, count: int) -> None:
    """Delete only after the user confirms; the list then shows the next conversation."""
    t = view.t
    st.write(t("chats.delete_body", title=title, n=count))
    with st.container(horizontal=True):
        if st.button(t("chats.delete"), type="primary", icon=":material/delete:", key="delete_confirm"):
            context.replies().stop(context.visitor(context.chats()[1]), view.cid)  # its reply ends with it
            view.store.delete(view.owner, view.cid)
            page_state.open_conversation(None)
            page_state.close_dialog("deleting")
            st.toast(t("chats.deleted", title=title))
            st.rerun()
        if st.button(t("chats.cancel"), key="delete_cancel"):
            page_state.close_dialog("deleting")
            st.rerun()


def delete_version_dialog(view: View) -> None:
    """Delete one version of a message, and what hangs below it, only after the user confirms; the
    version before it is shown in its place."""
    t, mid = view.t, page_state.opened_for("deleting_version")
    outline = view.store.outline(view.owner, view.cid)
    if mid not in outline.by_id:  # gone meanwhile (another tab)
        page_state.close_dialog("deleting_version")
        st.rerun()
    below = len(outline.below(mid)) - 1
    st.write(t("chats.delete_version_body", n=below) if below else t("chats.delete_version_alone"))
    with st.container(horizontal=True):
        if st.button(t("chats.delete"), type="primary", icon=":material/delete:", key="delete_version_confirm"):
            if still_answering(view):
                return
            view.store.delete_version(view.owner, view.cid, mid)
            page_state.close_dialog("deleting_version")
            st.rerun()
        if st.button(t("chats.cancel"), key="delete_version_cancel"):
            page_state.close_dialog("deleting_version")
            st.rerun()


def import_dialog(view: View) -> None:
    """Pick an exported JSON file; it becomes a new conversation and opens."""
    show_dialog("importing", view.t("chats.import_title"), _import_body, view)


def _import_body(view: View) -> None:
    t = view.t
    # The browser refuses a file the uploader's type or size filter rejects with nothing but a
    # tooltip, and the app never hears of it. So no type filter and room above the import limit:
    # such files come through and export.from_json refuses them by name, on the page.
    # A new key after each import: the uploader must not hand the same file over again.
    upload = st.file_uploader(t("chats.import_file"), max_upload_size=UPLOAD_MB,
                              key=f"import_file_{st.session_state.get('imports', 0)}")
    # Said up front too: a file past UPLOAD_MB is still refused by the browser alone.
    st.caption(t("chats.import_limits", mb=export.MAX_MB, count=export.MAX_MESSAGES))
    if upload is None:
        return
    try:
        title, messages = export.from_json(upload.getvalue())
    except export.ImportRejected as exc:
        st.error(t("chats.import_failed", reason=t(exc.key, **exc.params)), icon=":material/error:")
        return
    try:
        cid = turns.import_messages(view.store, view.owner, title, messages)
    except DatabaseError as exc:  # a full disk: nothing was imported (one transaction), say so
        st.error(context.write_failure("chats.import_write_failed", exc), icon=":material/database_off:")
        return
    page_state.open_conversation(cid)  # an import never sends anything by itself
    page_state.close_dialog("importing")
    st.session_state.imports = st.session_state.get("imports", 0) + 1
    st.toast(t("chats.imported", title=title, n=len(messages)))
    st.rerun()
