"""Chat page: the conversation list, the stored conversation, and the reply streaming live."""

import time

import streamlit as st

from core.chat import session as conversation
from core.conversations import records, turns
from core.conversations.database import DatabaseError
from core.conversations.message import ConversationGone
from ui import context, live, page_state, sidebar
from ui.conversation_menu import draw_header
from ui.messages import View, edit_button, show_actions, show_history, show_outcome, watch

t = context.translator()  # the router loaded configuration and place for this run
state = st.session_state
cfg = state.config
default_budget = cfg.values["R1_MAX_TOKENS"].typed  # an int in range: the default for a bad value
store, keeping, store_error = context.chats()
endpoint = context.endpoint_for(keeping)
cid = page_state.current_conversation(lambda c: store.get(keeping.owner, c) is not None)

# Read the input first: it is pinned to the bottom anyway, and everything drawn below
# (sidebar, history, empty state) then already knows about the new message.
not_sent = page_state.give_back()  # a question the last run could not store is in the input again
prompt = st.chat_input(t("chat.placeholder"), submit_mode="stop", disabled=not endpoint, key="prompt")
if prompt and endpoint:
    try:
        cid = turns.send(store, keeping.owner, cid, prompt, t("chats.untitled"))
        page_state.asked(cid)
    except DatabaseError as exc:  # disk full, a locked database: nothing stored, nothing typed lost
        page_state.not_sent(prompt, context.problem_words(exc))
        st.rerun()

view = View(t, store, keeping.owner, cid, default_budget)
messages = store.messages(keeping.owner, cid) if cid else []
busy = bool(page_state.is_pending() and endpoint and messages and messages[-1]["role"] == "user")

with st.sidebar:
    sidebar.draw_list(view)
    sidebar.draw_settings(t, endpoint, default_budget)
    sidebar.draw_keeping(t, keeping, context.shown_path(store), store_error, state.place.kind)

if page_state.take_missing():
    st.info(t("chats.not_found"), icon=":material/link_off:")
if not endpoint:
    st.warning(t("chat.not_configured", missing=", ".join(cfg.detection.missing)),
               icon=":material/key_off:")
    st.page_link("app_pages/setup.py", label=t("chat.open_setup"), icon=":material/key:")
current = store.get(keeping.owner, cid) if cid else None  # None too if deleted in another tab meanwhile
if current:
    draw_header(view, current.title, messages, cfg.secrets())
elif endpoint:
    st.title(t("chat.title"))
    st.caption(t("chat.empty", model=endpoint.model, host=endpoint.base_url))

edit_slot = show_history(view, messages, busy)
if not_sent:  # last, so it stands right above the input that holds the question again
    why = t("chats.write_failed", error=not_sent)
    st.error(why, icon=":material/database_off:")
    # The page may not scroll down to it (a long history, a tall input): a toast is seen wherever it is.
    st.toast(why, icon=":material/database_off:", duration="long")
if messages and messages[-1]["status"] == "streaming" and not busy:
    watch(view, messages[-1])

if busy:
    page_state.reply_started()
    options = conversation.Options(state.get("system_prompt", ""),
                                   int(state.get("max_tokens", default_budget)),
                                   state.get("temperature") if endpoint.honours_temperature else None)
    client = conversation.client_for(endpoint, state.client_cache)
    reply, frame_iter = conversation.start_reply(client, endpoint, messages, options)
    with st.chat_message("assistant"):
        save = saved = None
        try:
            save = turns.begin_reply(store, keeping.owner, cid, reply)  # on disk before the first token
            live.stream(t, reply, turns.saving(frame_iter, reply, save))
        except DatabaseError as exc:  # before the request: nothing was asked, the question is kept
            st.error(t("chats.reply_write_failed", error=context.problem_words(exc)),
                     icon=":material/database_off:")
        except ConversationGone:  # deleted in another tab just before its reply began
            st.info(t("chats.not_found"), icon=":material/link_off:")
        finally:
            # Runs on Stop too (Streamlit raises StopException inside the loop): keep the partial reply.
            frame_iter.close()
            reply.stop(time.monotonic())
            saved = save(reply) if save else None
            conversation.log_outcome(reply)
        # Drawn in place rather than by a rerun: redrawing a long reasoning costs the browser seconds.
        if saved is False:
            st.warning(t("chats.save_failed"), icon=":material/database_off:")
        finished = reply.to_message()
        if save is None:  # nothing was asked upstream: no outcome to tell, only the way to ask again
            show_actions(view, finished, last=True)
        else:
            show_outcome(view, finished, last=True)
            st.caption(records.footer(finished, t))
    with edit_slot.container():
        edit_button(view)
