"""Keep the chat on its newest text: at the bottom when a conversation opens, and pinned there while it
grows (a reply streaming, older turns drawn above), until the reader scrolls up; back at the bottom,
it follows again."""

import streamlit as st

# Streamlit scrolls the chat in its own element, not the window, and its own stick-to-bottom pulls a
# reader who scrolled up back down while a reply grows (it re-sticks whenever the page grew between
# two scroll events, which during streaming is always). This component finds that element, pins it to
# the bottom while the reader is there, and lets go as soon as they move up. What says so: the wheel,
# a key, a finger or the scroll bar at once; any other upward move (a link, find in page) once the
# page has been still for a moment (while it grows, the browser itself can move the position up as a
# block is redrawn shorter). Meanwhile Streamlit's scripted scrolling is kept off that element (an own
# ``scrollTop`` setter; the reader's own scrolling never goes through it). Back near the bottom, it
# follows again. Its state lives per scrolling element, so a run that draws the component again keeps it.
FOLLOW_JS = """
const NEAR = 48;  // px from the bottom that still count as "at the bottom"
const STILL = 250;  // ms without a size change after which an upward move can only be the reader's
const KEYS = new Set(["PageUp", "ArrowUp", "Home"]);
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

function guard(scroller, s) {
  // Scripts may move it only towards the end, and only while following (Streamlit's easing starts
  // above the bottom, which would jump the page up first).
  Object.defineProperty(scroller, "scrollTop", {configurable: true,
    get() { return NATIVE.get.call(this); },
    set(value) { if (s.following && value >= NATIVE.get.call(this)) NATIVE.set.call(this, value); }});
}

function listen(scroller, s) {
  const up = () => { s.following = false; };
  scroller.addEventListener("wheel", (e) => { if (e.deltaY < 0) up(); }, {passive: true});
  scroller.addEventListener("touchstart", (e) => { s.finger = e.touches[0].clientY; }, {passive: true});
  scroller.addEventListener("touchmove", (e) => { if (e.touches[0].clientY > s.finger) up(); }, {passive: true});
  scroller.addEventListener("pointerdown", (e) => {
    s.grabbed = e.target === scroller;  // its scroll bar
    // "Show older messages": the reader is going up, however the button came into view (a script, a
    // keyboard) — before the older messages arrive, so the page is not pinned down meanwhile.
    if (e.target.closest && e.target.closest(".st-key-show_older")) up();
  });
  window.addEventListener("pointerup", () => { s.grabbed = false; });
  document.addEventListener("keydown", (e) => {
    const typing = e.target.closest && e.target.closest("input, textarea, [contenteditable]");
    if (!typing && (KEYS.has(e.key) || (e.key === " " && e.shiftKey))) up();
  });
  scroller.addEventListener("scroll", () => {
    const top = scroller.scrollTop;
    // Back near the end, or moving down into its last quarter screen: follow again. (While a reply
    // grows, the end can move further away between the reader's scroll and this event.)
    const back = below(scroller) <= Math.max(NEAR, top > s.top ? scroller.clientHeight / 4 : 0);
    if (back) s.following = true;
    else if (top < s.top - 1 && (s.grabbed || performance.now() - s.resized > STILL)) up();
    s.top = top;
  }, {passive: true});
}

function watch(scroller) {
  const s = {following: true, top: scroller.scrollTop, resized: 0, grabbed: false, finger: 0,
             conversation: undefined, first: 0};
  s.pin = () => {
    if (s.following && below(scroller) > 1) NATIVE.set.call(scroller, scroller.scrollHeight);
    s.top = scroller.scrollTop;
  };
  guard(scroller, s);
  listen(scroller, s);
  const sizes = new ResizeObserver(() => { s.resized = performance.now(); s.pin(); });
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
  } else if (data.first < s.first) {
    s.following = false;  // "Show older": the reader is going up
  }
  s.first = data.first;
  s.pin();
  return () => { s.following = true; };  // nothing follows any more: leave scrolling to Streamlit
}
"""
FOLLOW = st.components.v2.component("follow_bottom", js=FOLLOW_JS)


def follow_bottom(conversation: str | None, first: int) -> None:
    """Scroll to the newest message when ``conversation`` opens, and follow new text while the reader
    stays at the bottom; ``first`` (the first drawn message) moving up, older messages asked for, stops
    the following."""
    with st.bottom:  # beside the chat input, not among the conversation's elements
        FOLLOW(data={"conversation": conversation, "first": first}, key="follow_bottom", width="content")
