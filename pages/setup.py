"""Setup page: the configuration this app resolved, where each value came from, and what is missing."""

import streamlit as st

from core import i18n
from core.settings import SOURCES

state = st.session_state
t = i18n.translator(state.lang)
cfg = state.config
detection = cfg.detection

st.title(t("setup.title"))

if detection.endpoint:
    ep = detection.endpoint
    st.success(t("setup.ready", route=t(f"route.{ep.route}"), host=ep.base_url, model=ep.model),
               icon=":material/check_circle:", title=t("setup.ready_title"))
    st.page_link("pages/chat.py", label=t("setup.go_chat"), icon=":material/forum:")
elif detection.route:
    st.warning(t("setup.route_missing", route=t(f"route.{detection.route}"),
                 missing=", ".join(detection.missing)), icon=":material/warning:",
               title=t("setup.not_ready_title"))
else:
    st.info(t("setup.unconfigured"), icon=":material/key:", title=t("setup.not_ready_title"))

for name, problem in cfg.problems:
    st.error(t("setup.file_problem", file=name, problem=problem), icon=":material/description:")

st.subheader(t("setup.values"))
st.caption(t("setup.precedence", order=" > ".join(t(f"source.{s}") for s in SOURCES)))
rows = [{t("setup.col_var"): r["variable"],
         t("setup.col_set"): r["set"],
         t("setup.col_source"): t(f"source.{r['source']}") if r["source"] else "—",
         t("setup.col_value"): r["value"] or "—",
         t("setup.col_also"): r["also_in"]} for r in cfg.rows()]
st.dataframe(rows, hide_index=True, alt=t("setup.values"))

st.subheader(t("setup.routes"))
col1, col2 = st.columns(2)
with col1, st.container(border=True):
    st.markdown(t("setup.route_sandbox_md"))
with col2, st.container(border=True):
    st.markdown(t("setup.route_openai_md"))
