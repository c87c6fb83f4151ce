"""The open conversation's title and its menu: rename, export, delete; and the import dialog."""

import re
import time

import streamlit as st

from core import export, turns
from ui.messages import View


def file_name(title: str, ext: str) -> str:
    """A download name from the title, without characters file systems refuse."""
    stem = re.sub(r'[\\/:*?"<>|\s]+', "-", title).strip("-.")[:60]
    return f"{stem or 'conversation'}.{ext}"


def draw_header(view: View, title: str, messages: list[dict], secrets: list[str]) -> None:
    """The title with rename, export and delete beside it."""
    t = view.t
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.subheader(title, anchor=False, width="stretch")
        st.button("", icon=":material/edit:", help=t("chats.rename"), type="tertiary", key="rename_open",
                  on_click=st.session_state.update, kwargs={"renaming": True})
        with st.popover("", icon=":material/download:", help=t("chats.export"), type="tertiary"):
            thinking = st.toggle(t("chats.include_thinking"), key="export_thinking")
            st.download_button(t("chats.export_md"), export.to_markdown(
                title, messages, thinking, t, secrets=secrets), file_name(title, "md"),
                "text/markdown", icon=":material/description:", on_click="ignore", width="stretch")
            st.download_button(t("chats.export_json"), export.to_json(
                title, messages, time.time(), secrets=secrets), file_name(title, "json"),
                "application/json", icon=":material/data_object:", on_click="ignore", width="stretch")
        st.button("", icon=":material/delete:", help=t("chats.delete"), type="tertiary", key="delete_open",
                  on_click=st.session_state.update, kwargs={"deleting": True})
    state = st.session_state
    if state.get("renaming"):
        state.renaming = False
        st.dialog(t("chats.rename_title"))(rename_dialog)(view, title)
    if state.get("deleting"):
        state.deleting = False
        st.dialog(t("chats.delete_title"))(delete_dialog)(view, title, len(messages))


def rename_dialog(view: View, title: str) -> None:
    """A new title; saved on Enter or Save."""
    t = view.t
    with st.form("rename_form", border=False):
        new_title = st.text_input(t("chats.title_label"), title, max_chars=200)
        if st.form_submit_button(t("chats.save"), type="primary"):
            view.store.rename(view.owner, view.cid, new_title)
            st.rerun()


def delete_dialog(view: View, title: str, count: int) -> None:
    """Delete only after the user confirms; the list then shows the next conversation."""
    t = view.t
    st.write(t("chats.delete_body", title=title, n=count))
    with st.container(horizontal=True):
        if st.button(t("chats.delete"), type="primary", icon=":material/delete:", key="delete_confirm"):
            view.store.delete(view.owner, view.cid)
            st.session_state.conversation_id = None
            st.toast(t("chats.deleted", title=title))
            st.rerun()
        if st.button(t("chats.cancel"), key="delete_cancel"):
            st.rerun()


def import_dialog(view: View) -> None:
    """Pick an exported JSON file; it becomes a new conversation and opens."""
    st.dialog(view.t("chats.import_title"))(_import_body)(view)


def _import_body(view: View) -> None:
    t = view.t
    upload = st.file_uploader(t("chats.import_file"), type=["json"], key="import_file")
    if upload is None:
        return
    try:
        title, messages = export.from_json(upload.getvalue())
    except export.ImportRejected as exc:
        st.error(t("chats.import_failed", reason=t(exc.key, **exc.params)), icon=":material/error:")
        return
    st.session_state.conversation_id = turns.import_messages(view.store, view.owner, title, messages)
    st.toast(t("chats.imported", title=title, n=len(messages)))
    st.rerun()
