"""Chat page: history, the live thinking block and answer, and the reply controls."""

import time

import streamlit as st

import app_state
from core import conversation
from core.mathtext import to_streamlit

t = app_state.init()  # cheap, and the page must not rely on the router having run
state = st.session_state
cfg = state.config
endpoint = cfg.detection.endpoint
default_budget = int(cfg.values["R1_MAX_TOKENS"].value or 8192)
messages = state.messages

# Read the input first: it is pinned to the bottom anyway, and everything drawn below
# (sidebar, history, empty state) then already knows about the new message.
prompt = st.chat_input(t("chat.placeholder"), submit_mode="stop", disabled=not endpoint, key="prompt")
if prompt and endpoint:
    messages.append({"role": "user", "content": prompt})
    state.pending = "send"

with st.sidebar:
    st.text_area(t("chat.system_prompt"), key="system_prompt", placeholder=t("chat.system_placeholder"))
    if not (endpoint and endpoint.route == "coze-bot"):  # a Coze bot's own settings decide its budget
        st.number_input(t("chat.max_tokens"), 256, conversation.MAX_TOKENS_CAP, default_budget, step=1024,
                        key="max_tokens", help=t("chat.max_tokens_help"))
    if endpoint and endpoint.honours_temperature:
        st.slider(t("chat.temperature"), 0.0, 2.0, 0.6, 0.1, key="temperature")
    if st.button(t("chat.clear"), icon=":material/delete_sweep:", width="stretch"):
        state.messages, state.pending = [], None
        st.rerun()


def footer(msg: dict) -> str:
    """The quiet line under a reply: model, tokens, time to first token, total time."""
    parts = [msg["model"]]
    usage = msg.get("usage")
    if usage and usage.completion_tokens is not None:
        parts.append(t("chat.tokens", n=usage.completion_tokens))
        if usage.reasoning_tokens:
            parts.append(t("chat.reasoning_tokens", n=usage.reasoning_tokens))
    if msg.get("ttft") is not None:
        parts.append(t("chat.ttft", s=f"{msg['ttft']:.1f}"))
    if msg.get("total") is not None:
        parts.append(t("chat.total", s=f"{msg['total']:.1f}"))
    return " · ".join(parts)


def queue(kind: str, budget: int | None = None) -> None:
    """Button callback: drop the last reply and ask for a new one on this run."""
    state.messages.pop()
    if budget:
        state.max_tokens = budget
    state.pending = kind


def show_outcome(msg: dict, last: bool) -> None:
    """Status notes, errors and the actions that fit how the reply ended."""
    status, diag = msg["status"], msg.get("diagnosis")
    if status == "stopped":
        st.caption(t("chat.stopped"))
    if status == "length":
        st.warning(t("chat.length", n=state.get("max_tokens", default_budget)), icon=":material/hourglass_bottom:")
    if diag is not None:
        body = t(f"err.{diag.kind}", **diag.params)
        if diag.detail:
            body += "\n\n" + t("err.detail", detail=diag.detail)
        title = t("chat.incomplete") if status == "interrupted" else None
        st.error(body, title=title, icon=":material/error:")
        if diag.fix_in_setup:
            st.page_link("pages/setup.py", label=t("chat.open_setup"), icon=":material/key:")
    if not last:
        return
    if status in ("interrupted", "error", "stopped"):
        st.button(t("chat.retry"), icon=":material/refresh:", on_click=queue, args=("retry",))
    if status == "length":
        budget = conversation.raised_budget(state.get("max_tokens", default_budget))
        st.button(t("chat.continue", n=budget), icon=":material/add:", on_click=queue,
                  args=("retry", budget))


def show_assistant(msg: dict, last: bool) -> None:
    """Replay one stored reply exactly as it looked when it finished."""
    if msg["reasoning"]:
        label = t("chat.thought", s=f"{msg['thought'] or 0:.1f}")
        with st.status(label, type="compact", state="complete"):
            st.caption(to_streamlit(msg["reasoning"]))  # muted, so thinking never reads as answer
    if msg["content"]:
        st.markdown(to_streamlit(msg["content"]))
    show_outcome(msg, last)
    st.caption(footer(msg))


def stream(reply, frame_iter) -> None:
    """Render frames as they come: blocks append, only the live tails are re-sent."""
    think, answer_slot = st.empty(), st.empty()
    status = reasoning_blocks = reasoning_tail = None
    answer_blocks, answer_tail = answer_slot.container(), None
    for frame in frame_iter:
        if status is None and (frame.reasoning_blocks or frame.reasoning_tail):
            status = think.status(t("chat.thinking"), type="compact", expanded=True)
            reasoning_blocks, reasoning_tail = status.container(), status.empty()
        if status is not None:
            for block in frame.reasoning_blocks:
                reasoning_blocks.caption(block)
            if frame.reasoning_tail is not None:
                reasoning_tail.caption(frame.reasoning_tail)
            if frame.thinking_done or (frame.final and reply.thought_seconds is not None):
                status.update(label=t("chat.thought", s=f"{reply.thought_seconds or 0:.1f}"),
                              state="complete", expanded=False)
        if frame.answer_reset:
            answer_blocks, answer_tail = answer_slot.container(), None
        for block in frame.answer_blocks:
            answer_blocks.markdown(block)
        if frame.answer_tail is not None:
            answer_tail = answer_tail or answer_blocks.empty()
            answer_tail.markdown(frame.answer_tail)


if not endpoint:
    st.warning(t("chat.not_configured", missing=", ".join(cfg.detection.missing)),
               icon=":material/key_off:")
    st.page_link("pages/setup.py", label=t("chat.open_setup"), icon=":material/key:")
elif not messages:
    st.title(t("chat.title"))
    st.caption(t("chat.empty", model=endpoint.model, host=endpoint.base_url))

for i, msg in enumerate(messages):
    with st.chat_message(msg["role"]):
        if msg["role"] == "user":
            st.markdown(to_streamlit(msg["content"]))  # "$5 and $10" stays text here too
        else:
            show_assistant(msg, last=i == len(messages) - 1)

if state.pending and endpoint and messages and messages[-1]["role"] == "user":
    state.pending = None
    options = conversation.Options(state.system_prompt, int(state.get("max_tokens", default_budget)),
                                   state.get("temperature") if endpoint.honours_temperature else None)
    client = conversation.client_for(endpoint, state.client_cache)
    reply, frame_iter = conversation.start_reply(client, endpoint, messages, options)
    with st.chat_message("assistant"):
        try:
            stream(reply, frame_iter)
        finally:
            # Runs on Stop too (Streamlit raises StopException inside the loop): keep the partial reply.
            frame_iter.close()
            reply.stop(time.monotonic())
            messages.append(reply.to_message())
            conversation.log_outcome(reply)
        show_outcome(messages[-1], last=True)
        st.caption(footer(messages[-1]))
