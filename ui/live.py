"""The reply as it streams: a live thinking block, then the answer, drawn frame by frame."""

import math

import streamlit as st


def stream(t, reply, frame_iter) -> None:
    """Render frames as they come: blocks append, only the live tails are re-sent."""
    notice, think, answer_slot = st.empty(), st.empty(), st.empty()
    status = reasoning_blocks = reasoning_tail = None
    answer_blocks, answer_tail = answer_slot.container(), None
    for frame in frame_iter:
        show_retry(t, notice, frame)
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


def show_retry(t, notice, frame) -> None:
    """While a failed attempt waits to be retried, say why and for how long; clear it once text comes."""
    if frame.retry is not None:
        wait, fault = frame.retry, frame.retry.diagnosis
        reason = t(f"chat.retrying.{fault.kind}", **fault.params)
        notice.warning(t("chat.retrying", reason=reason, s=math.ceil(wait.seconds), attempt=wait.attempt,
                         attempts=wait.attempts), icon=":material/schedule:")
    elif frame.final or frame.reasoning_tail is not None or frame.answer_tail is not None:
        notice.empty()
