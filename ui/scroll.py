"""Keep the chat on its newest text: at the bottom when a conversation opens, and pinned there while it
grows (a reply streaming, older turns drawn above), until the reader scrolls up; back at the bottom,
it follows again."""

import streamlit as st

# Streamlit scrolls the chat in its own element, not the window, and its own stick-to-bottom pulls a
# reader who scrolled up back down while a reply grows (it re-sticks whenever the page grew between
# two scroll events, which during streaming is always). This component finds that element, pins it to
# the bottom while the reader is there and lets go as soon as they move up: the wheel says so at once,
# a scroll bar or a key through the scroll position. Meanwhile it keeps Streamlit's scripted scrolling
# off that element (an own ``scrollTop`` setter; the reader's own scrolling never goes through it).
# Back near the bottom, it follows again. Its state lives per scrolling element, so a run that draws
# the component again keeps it.
FOLLOW_JS = """
const NEAR = 48;  // px from the bottom that still count as "at the bottom"
const NATIVE = Object.getOwnPropertyDescriptor(Element.prototype, "scrollTop");
const states = new WeakMap();

function scrollerOf() {
  // The element that scrolls the chat: the nearest scrolling ancestor of the main area.
  for (let el = document.getElementById("stMain"); el; el = el.parentElement) {
    const y = getComputedStyle(el).overflowY;
    if (y === "auto" || y === "scroll") return el;
  }
  return document.scrollingElement;
}

const below = (el) => el.scrollHeight - el.scrollTop - el.clientHeight;

function watch(scroller) {
  const s = {following: true, top: scroller.scrollTop, conversation: undefined, shown: 0};
  Object.defineProperty(scroller, "scrollTop", {configurable: true,
    get() { return NATIVE.get.call(this); },
    set(value) {
      // Only towards the end, and only while following: its easing starts above the bottom.
      if (!s.following || value < NATIVE.get.call(this)) return;
      NATIVE.set.call(this, value);
    }});
  s.pin = () => {
    if (s.following && below(scroller) > 1) NATIVE.set.call(scroller, scroller.scrollHeight);
    s.top = scroller.scrollTop;
  };
  scroller.addEventListener("scroll", () => {
    const top = scroller.scrollTop;
    if (below(scroller) <= NEAR) s.following = true;
    // Moved up, and not by the page getting shorter (scripts only move it down): the reader did.
    else if (top < s.top - 1) s.following = false;
    s.top = top;
  }, {passive: true});
  scroller.addEventListener("wheel", (e) => { if (e.deltaY < 0) s.following = false; }, {passive: true});
  const sizes = new ResizeObserver(() => s.pin());
  const observe = () => { for (const child of scroller.children) sizes.observe(child); };
  new MutationObserver(observe).observe(scroller, {childList: true});
  observe();
  states.set(scroller, s);
  return s;
}

export default function ({ data, parentElement }) {
  const host = parentElement.host || parentElement;
  const slot = host.closest('[data-testid="stElementContainer"]');
  if (slot) slot.style.display = "none";  // nothing to see: no gap beside the input either
  const scroller = scrollerOf();
  const s = states.get(scroller) || watch(scroller);
  if (data.conversation !== s.conversation) {  // opened (or a first question made it): start at the end
    s.conversation = data.conversation;
    s.following = true;
  } else if (data.shown > s.shown) {
    s.following = false;  // "Show older": the reader is going up
  }
  s.shown = data.shown;
  s.pin();
  return () => { s.following = true; };  // nothing follows any more: leave scrolling to Streamlit
}
"""
FOLLOW = st.components.v2.component("follow_bottom", js=FOLLOW_JS)


def follow_bottom(conversation: str | None, shown: int) -> None:
    """Scroll to the newest message when ``conversation`` opens, and follow new text while the reader
    stays at the bottom; ``shown`` growing (older messages asked for) stops the following."""
    with st.bottom:  # beside the chat input, not among the conversation's elements
        FOLLOW(data={"conversation": conversation, "shown": shown}, key="follow_bottom", width="content")
