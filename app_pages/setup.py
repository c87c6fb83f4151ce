"""Setup page: where am I, what is set and from where, what looks wrong, and a wizard to fix it."""

import hashlib
from dataclasses import dataclass, replace

import streamlit as st

from core.chat import providers
from core.conversations import probe
from core.redact import HIDDEN, mask, mask_server, mask_url
from core.setup import checks, diagnostics, verify, wizard
from core.setup.presets import BY_ID, PRESETS
from core.setup.settings import SOURCES
from ui import context, generating

t = context.translator()  # the router loaded configuration and place for this run
state = st.session_state
cfg, place = state.config, state.place
detection = cfg.detection
STEP_ICONS = {"ok": ":green[:material/check_circle:]", "fail": ":red[:material/cancel:]",
              "warn": ":orange[:material/warning:]", "skip": ":gray[:material/remove:]"}
ALERTS = {"error": st.error, "warning": st.warning, "info": st.info}
generating.away(t)  # replies go on generating while the user is here; say when one is done


def show_finding(finding) -> None:
    """A misconfiguration by name, then its fix."""
    message, fix = checks.explain(finding, t)
    ALERTS.get(finding.severity, st.info)(message + "\n\n" + fix)


def draw_status(findings) -> None:
    """Where am I, does the active route work, and every finding by name with its fix."""
    st.markdown(t("setup.where", place=t(f"place.{place.kind}")))
    blocking = any(f.severity == "error" for f in findings)
    if detection.endpoint:
        ep = detection.endpoint
        alert = st.warning if blocking else st.success  # configured, but an error below will stop the chat
        alert(t("setup.ready", route=t(f"route.{ep.route}"), host=ep.base_url, model=ep.model),
              icon=":material/warning:" if blocking else ":material/check_circle:",
              title=t("setup.configured_with_errors_title" if blocking else "setup.ready_title"))
        st.page_link("app_pages/chat.py", label=t("setup.go_chat"), icon=":material/forum:")
    elif detection.route:
        st.warning(t("setup.route_missing", route=t(f"route.{detection.route}"),
                     missing=", ".join(detection.missing)), icon=":material/warning:",
                   title=t("setup.not_ready_title"))
    else:
        st.info(t("setup.unconfigured"), icon=":material/key:", title=t("setup.not_ready_title"))
    if place.shared:
        st.caption(t("setup.shared_note"))
    if findings:
        st.subheader(t("setup.findings"))
    for finding in findings:
        show_finding(finding)
    if (url := probe.server_url(cfg.values)) and not any(f.setting == probe.SETTING for f in findings):
        st.caption(t("setup.database_ok", url=shown_database(url)))


def operator() -> bool:
    """Whether this visitor runs the app: on their own machine, or with the admin password entered."""
    return wizard.may_write_files(place, state.admin_password, state.get("admin_entry", ""))


def shown_database(url: str) -> str:
    """The database URL as this visitor may see it: no password ever, and on a shared deployment
    only its scheme until the admin password is entered."""
    return mask_url(url) if operator() else mask_server(url)


def database_problems() -> list:
    """Why the server database ``R1_DATABASE_URL`` names cannot be used, as a finding; none when it
    answers or conversations are kept in SQLite."""
    url = probe.server_url(cfg.values)
    failure = context.database_failure(url) if url else None
    if failure is None:
        return []
    finding = probe.finding(cfg.values, failure)
    if operator():
        return [finding]
    # The driver's words name the host too.
    hidden = {"url": mask_server(url), "host": HIDDEN, "database": HIDDEN, "error": t("setup.admin_to_see")}
    return [replace(finding, params={**finding.params, **hidden})]


def active_route_works() -> bool:
    """Whether the last Verify on this page proved the configuration in use now."""
    verified = state.get("wiz_report")
    return bool(verified) and verified.report.ok and verified.fingerprint == wizard.fingerprint(detection.endpoint)


st.title(t("setup.title"))

# 1. Where am I, does the active route work, and what looks wrong (redrawn once a Verify settles it).
findings = checks.find_problems(cfg.values, cfg.layers, detection, place, just_saved=state.get("just_saved"),
                                admin_password_set=bool(state.admin_password), held=cfg.held)
status_slot = st.empty()
with status_slot.container():
    # After settle: a model that answers says nothing of the database, which stays an error.
    draw_status(database_problems() + checks.settle(findings, active_route_works()))


# 2. The wizard: choose, enter, verify, save.
@dataclass(frozen=True)
class Verified:
    """The last Verify's report, what it checked, and a digest of the endpoint it proved."""

    report: verify.Report
    host: str
    model: str
    fingerprint: str


def show_saved(saved) -> None:
    """Where the last Save put the values — by name, the key masked — or why it could not."""
    if saved is None:
        return
    path = f"{state.config_dir}/{wizard.ENV_FILE}"
    if saved.where == "refused":
        held = saved.held
        st.error(t("setup.save_refused", setting=held.key, home=held.home, target=held.target),
                 icon=":material/key_off:")
    elif saved.where == "conflict":
        show_conflict(saved)
    elif saved.where == "invalid":
        st.error(t("setup.save_invalid"), icon=":material/error:")
    elif saved.where == "incomplete":
        st.error(t("setup.save_incomplete", missing=", ".join(saved.missing)), icon=":material/error:")
    elif saved.error is not None:
        reason = t(f"save.{saved.error.kind}", line=saved.error.line or "?")
        st.error(t("setup.save_error", path=path, reason=reason), icon=":material/error:")
    elif saved.where == "file":
        st.success(t("setup.saved_file", path=path, what=wizard.described(saved.values)), icon=":material/save:")
        if saved.result.backup:
            st.caption(t("setup.saved_backup", path=saved.result.backup))
        if saved.result.gitignore_updated:
            st.caption(t("setup.saved_gitignore", name=wizard.ENV_FILE))
    elif saved.where == "session":
        st.info(t("setup.saved_session", what=wizard.described(saved.values)), icon=":material/info:")
    else:
        st.info(t("setup.saved_nothing"), icon=":material/info:")


def show_conflict(saved) -> None:
    """Since this page read the env file, someone else saved a variable this Save writes: all they
    set (keys masked), and an Overwrite that saves the form, still as typed, over their version."""
    set_now = {name: value for name, value in saved.their_changes.items() if value is not None}
    named = [wizard.described(set_now)] if set_now else []
    named += [t("setup.conflict_removed", name=name) for name, value in saved.their_changes.items() if value is None]
    if named:
        st.warning(t("setup.save_conflict", file=wizard.ENV_FILE, what=", ".join(named)), icon=":material/sync_problem:")
    else:  # changed back between the save's check and the read of their file: only lines differ
        st.warning(t("setup.save_conflict_lines", file=wizard.ENV_FILE), icon=":material/sync_problem:")
    st.button(t("setup.overwrite"), icon=":material/save_as:", key="wiz_overwrite", on_click=overwrite)


def use_preset() -> None:
    """Preset changed: fill in what is configured for it, else its own base URL and model."""
    start = wizard.preset_draft(state.wiz_preset, state.config)
    state.wiz_base_url, state.wiz_model = start.base_url, start.model


def reuse_box(held) -> str:
    """The session key of the owner's "send my key to the new host" box, one per pair of hosts."""
    return "wiz_reuse_" + hashlib.sha256(f"{held.home} {held.target}".encode()).hexdigest()[:12]


def read_draft() -> tuple[wizard.Draft, object]:
    """The form exactly as it is on screen — also inside a button callback, before any rerun —
    and the configured key it would need for another host, if it brings none of its own."""
    preset = BY_ID[state.wiz_preset]
    token = state.get("wiz_token", "") if providers.of(preset.route).url_editable else ""
    draft = wizard.Draft(preset.id, token, state.get("wiz_base_url", ""), state.get("wiz_model", ""))
    held = None if token.strip() else wizard.held_key(draft, state.config)
    if held and not state.place.shared and state.get(reuse_box(held)):
        return wizard.reuse_key(draft, state.config), None  # the owner confirmed it, naming both hosts
    return draft, held


if "wiz_preset" not in state:
    # The form is drawn anew: a new session, or back from another page (Streamlit drops the
    # state of widgets a run did not draw, this selectbox's included). The file it is compared
    # with at Save is read anew with it, below; a rerun of this page keeps both as they were.
    state.pop("wiz_env_seen", None)
    start = wizard.initial_draft(cfg)
    state.wiz_preset, state.wiz_base_url, state.wiz_model = start.preset_id, start.base_url, start.model
elif state.get("wiz_lang") != state.lang:
    # The browser keeps the chosen option's label in the language it was drawn in; setting the
    # value again sends the label anew.
    state.wiz_preset = state.wiz_preset
state.wiz_lang = state.lang

st.subheader(t("setup.wizard"))
st.selectbox(t("setup.preset"), [p.id for p in PRESETS], key="wiz_preset", on_change=use_preset,
             format_func=lambda pid: t(f"preset.{pid}"))
preset = BY_ID[state.wiz_preset]
provider = providers.of(preset.route)
bot = provider.asks_a_bot  # its fields: a personal access token, the API host, the bot id
if not provider.url_editable:  # the platform injects the key and the URL
    st.info(t("setup.sandbox_nothing"), icon=":material/cloud_done:")
else:
    current = cfg.values[provider.key_var].value
    elsewhere = wizard.held_key(wizard.Draft(preset.id, "", state.wiz_base_url, state.wiz_model), cfg)
    placeholder = (t("setup.token_for_host", host=elsewhere.target) if elsewhere
                   else t("setup.token_keep", masked=mask(current)) if current else t("setup.token_placeholder"))
    st.text_input(t("setup.coze_token" if bot else "setup.token"), type="password", key="wiz_token",
                  help=t("setup.token_help"), placeholder=placeholder)
    st.text_input(t("setup.coze_base" if bot else "setup.base_url"), key="wiz_base_url")
    if state.wiz_base_url.strip():
        st.caption(t("setup.request_url", url=provider.request_url(state.wiz_base_url)))
st.text_input(t("setup.bot_id" if bot else "setup.model"), key="wiz_model")
draft, held = read_draft()
for finding in wizard.form_problems(draft):
    show_finding(finding)
if held and place.shared:  # a visitor's host never gets the server's key
    st.warning(t("setup.key_held_shared", setting=held.key, home=held.home, target=held.target),
               icon=":material/key_off:")
elif held or (draft.token and state.get("wiz_token", "") == ""):  # the owner may send it on purpose
    shown = held or wizard.held_key(replace(draft, token=""), cfg)
    st.checkbox(t("setup.reuse_key", setting=shown.key, masked=mask(cfg.values[shown.key].value),
                  home=shown.home, target=shown.target), key=reuse_box(shown))

if place.shared and state.admin_password:  # without R1_ADMIN_PASSWORD nobody may save server files
    st.text_input(t("setup.admin"), type="password", key="admin_entry", help=t("setup.admin_help"))


def env_file_seen():
    """``.env.local`` as this page last read it: when the form was drawn anew, then as each of its
    own saves left it. A Save of a variable someone else changed since is a conflict, not a silent loss."""
    if "wiz_env_seen" not in state:
        state.wiz_env_seen = wizard.read_env_file(state.config_dir)
    return state.wiz_env_seen


def save_draft() -> None:
    """Save button: store the form as it is at the click, then empty the key field."""
    draft, held = read_draft()
    writable = wizard.may_write_files(state.place, state.admin_password, state.get("admin_entry", ""))
    outcome = wizard.save(draft, state.config, state.config_dir, state.session_values, writable, held,
                          seen=env_file_seen())
    state.wiz_saved, state.just_saved = outcome, outcome.values if outcome.where == "file" else None
    if outcome.result is not None:
        state.wiz_env_seen = outcome.result.file
    if outcome.error is None and outcome.where in ("file", "session"):
        state.wiz_token = ""  # the key leaves the page; the placeholder shows its masked fingerprint


def overwrite() -> None:
    """Overwrite button: the other save's file, named in the warning, is now the one this page has read."""
    state.wiz_env_seen = state.wiz_saved.theirs
    save_draft()


env_file_seen()  # read with the form, not at the click: a save in between must be noticed


with st.container(horizontal=True):
    verify_clicked = st.button(t("setup.verify"), icon=":material/fact_check:", type="primary")
    st.button(t("setup.save"), icon=":material/save:", on_click=save_draft)
show_saved(state.get("wiz_saved"))


def show_step(box, step) -> None:
    """One checklist line with its timing, and what it found or — in red — how to fix it."""
    label = t(f"verify.step.{step.name}", **step.params)
    if step.status == "skip":
        box.markdown(f"{STEP_ICONS['skip']} {label}")
    else:
        box.markdown(t("setup.step_line", icon=STEP_ICONS[step.status], label=label,
                       seconds=f"{step.seconds:.2f}"))
    (box.error if step.status == "fail" else box.caption)(diagnostics.describe(step, t))


def show_report(verified: Verified, box=None) -> None:
    """The checklist of the last Verify: live while it runs, then kept on the page."""
    report = verified.report
    label = t("setup.verified_ok" if report.ok else "setup.verified_fail", host=verified.host, model=verified.model)
    if box is None:
        box = st.status(label, state="complete" if report.ok else "error", expanded=not report.ok)
        for step in report.steps:
            show_step(box, step)
    else:
        # A failure stays open: the reason is the point of the checklist.
        box.update(label=label, state="complete" if report.ok else "error", expanded=not report.ok)
    with st.expander(t("setup.diagnostics"), icon=":material/content_copy:"):
        st.caption(t("setup.diagnostics_help"))
        st.code(diagnostics.diagnostics(report, place.kind, diagnostics.versions()), language="text")


def run_verify(target) -> None:
    """Verify the form's endpoint live; when it is the one in use, let the result settle the findings."""
    ep = target.endpoint
    live = st.status(t("setup.verifying", host=ep.base_url), expanded=True)
    report = verify.verify(ep, on_step=lambda step: show_step(live, step), known_models=preset.models)
    state.wiz_report = Verified(report, ep.base_url, ep.model, wizard.fingerprint(ep))
    show_report(state.wiz_report, box=live)
    if active_route_works():
        with status_slot.container():
            draw_status(database_problems() + checks.settle(findings, True))


target = wizard.draft_config(draft, cfg).detection
if verify_clicked:
    if target.endpoint is None:
        st.error(t("setup.no_endpoint", missing=", ".join(target.missing)))
        state.wiz_report = None
    else:
        run_verify(target)
elif state.get("wiz_report") and state.wiz_report.fingerprint == wizard.fingerprint(target.endpoint):
    show_report(state.wiz_report)  # only while it describes what the form (or the saved file) holds

if place.kind == "community-cloud" and wizard.secrets_block(draft):
    st.markdown(t("setup.cloud_block"))
    st.code(wizard.secrets_block(draft), language="toml")

# 4. Every setting: set or not, source, masked value, who else sets it.
def visible_rows() -> list[dict]:
    """The settings table's rows, the database URL as this visitor may see it."""
    return [r | {"value": shown_database(cfg.values[r["variable"]].value)}
            if r["variable"] == probe.SETTING and r["value"] and "://" in r["value"] else r for r in cfg.rows()]


st.subheader(t("setup.values"))
st.caption(t("setup.precedence", order=" > ".join(t(f"source.{s}") for s in SOURCES)))
# Pixel widths that fit the centred layout (~700 px): whole variable names, then room for URLs.
columns = {"setup.col_var": 250, "setup.col_set": 55, "setup.col_source": 95, "setup.col_value": 205,
           "setup.col_also": 95}
st.dataframe([{t("setup.col_var"): r["variable"], t("setup.col_set"): r["set"],
               t("setup.col_source"): t(f"source.{r['source']}") if r["source"] else "—",
               t("setup.col_value"): r["value"] or "—", t("setup.col_also"): r["also_in"]}
              for r in visible_rows()], hide_index=True, alt=t("setup.values"), height="content",
             column_config={t(k): st.column_config.Column(width=w, pinned=k == "setup.col_var")
                            for k, w in columns.items()})

# 5. Which token does each route need, and why.
st.subheader(t("setup.arch_title"))
with st.container(horizontal=True):
    for key in ("setup.arch_server_md", "setup.arch_direct_md"):
        with st.container(border=True):
            st.markdown(t(key))
with st.expander(t("setup.get_tokens"), icon=":material/key:"):
    st.markdown("\n".join(f"- [{p.name}]({p.key_url})" for p in PRESETS
                           if p.key_url and providers.of(p.route).url_editable))
