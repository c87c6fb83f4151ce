"""English messages for the named configuration checks (core/checks.py): what is wrong, and the fix."""

MESSAGES = {
    "check.env_file_unreadable": "`{file}` could not be read ({problem}), so every value in it is ignored.",
    "check.env_file_unreadable.fix": "Save `{file}` as UTF-8 (without BOM), make it readable by the user that runs the app, then reload this page.",

    "check.shadowed_by_environ": "`{setting}` is set in `{winner}` ({winner_value}) and, differently, in `{source}` ({value}). The first source wins, so the value in `{source}` is ignored.",
    "check.shadowed_by_environ.fix": "Keep one value: remove `{setting}` from `{winner}` — for the process environment run `unset {setting}` (and drop it from your shell profile or service file), for st.secrets delete it from `.streamlit/secrets.toml` or the Cloud *Secrets* — then restart the app. Or set the value you want in `{winner}` itself.",

    "check.coze_token_unused": "`{setting}` is set in `{source}` ({value}), but the active route does not use it: only the Coze bot route does, together with `COZE_BOT_ID`. The key in use here is `{instead}`.",
    "check.coze_token_unused.fix": "If you don't mean to chat through a Coze bot, delete the `{setting}` line from `{source}`. To use a bot, also set `COZE_BOT_ID` (and `R1_ROUTE=coze-bot` if another route is configured too).",

    "check.workload_key_outside_sandbox": "`{setting}` comes from `{source}` ({value}), but only the Coze sandbox provides it — injected into the process environment together with `COZE_INTEGRATION_MODEL_BASE_URL`. It is not a personal token: copied by hand it does not work anywhere else.",
    "check.workload_key_outside_sandbox.fix": "Delete `{setting}` (and `COZE_INTEGRATION_MODEL_BASE_URL`, if you copied it too) from `{source}`. Outside the sandbox set `OPENAI_API_KEY` and `OPENAI_BASE_URL` for a provider such as Volcengine Ark or DeepSeek.",

    "check.token_whitespace": "`{setting}` ({value}) has spaces or tabs around or inside it. The app trims the ends, but a space inside the token — or any tool that does not trim — sends a token the provider rejects.",
    "check.token_whitespace.fix": "Copy the token again with the provider console's copy button and paste it as one unbroken string: `{setting}=<token>`.",

    "check.token_quoted": "`{setting}` ({value}) is wrapped in quotes that end up inside the value, so they are sent as part of the token and the provider answers 401.",
    "check.token_quoted.fix": "Remove the extra quotes. In `.env.local` write `{setting}=<token>` (plain ASCII quotes around it are fine there); in `secrets.toml` write `{setting} = \"<token>\"`. Never use curly quotes “ ” ‘ ’ copied from a document or chat app.",

    "check.token_newline": "`{setting}` ({value}) has a line break inside the token. HTTP headers cannot carry it, so every request fails.",
    "check.token_newline.fix": "Put the whole token on one line: `{setting}=<token>`. If your editor or chat window wrapped it, join the pieces.",

    "check.token_bom": "`{setting}` ({value}) contains an invisible byte-order mark (U+FEFF), usually from a file saved as “UTF-8 with BOM” (Windows Notepad). The provider sees a different token.",
    "check.token_bom.fix": "Delete the `{setting}=` line, type it again by hand and paste the token; save the file as UTF-8 without BOM.",

    "check.token_fullwidth": "`{setting}` ({value}) contains non-ASCII characters ({chars}), typically full-width letters, digits or the ideographic space from a Chinese input method. API tokens are plain ASCII.",
    "check.token_fullwidth.fix": "Switch the input method to half-width / English mode and copy the token again from the provider console instead of typing it: `{setting}=<token>`.",

    "check.token_bearer_prefix": "`{setting}` ({value}) starts with `Bearer `. The SDK adds `Authorization: Bearer` itself, so the provider receives `Bearer Bearer …` and rejects it.",
    "check.token_bearer_prefix.fix": "Keep only the token: `{setting}=<token>`, without the word `Bearer`.",

    "check.token_placeholder": "`{setting}` ({value}) looks like a placeholder from an example, not a real key.",
    "check.token_placeholder.fix": "Create a key in your provider's console and put it in `{setting}`; the wizard on this page links to each provider's key page.",

    "check.coze_pat_on_openai_route": "`{setting}` holds a Coze personal access token ({value}), but `OPENAI_BASE_URL` points to `{host}`, which only accepts its own keys.",
    "check.coze_pat_on_openai_route.fix": "Replace `{setting}` with a key issued by `{host}` (its console's API keys page). Coze tokens (`pat_…` / `sat_…`) only work against the Coze API, which this app does not call.",

    "check.non_coze_key_on_coze": "`{setting}` ({value}) starts with `{prefix}`, like another provider's key, but it would be sent to Coze (`{host}`), which rejects it.",
    "check.non_coze_key_on_coze.fix": "Keep this key in `OPENAI_API_KEY` and point `OPENAI_BASE_URL` at the provider that issued it (for example `https://api.deepseek.com`). The Coze route uses only the platform-injected `COZE_WORKLOAD_IDENTITY_API_KEY`.",

    "check.key_prefix_mismatch": "`{setting}` ({value}) does not look like a {provider} key (those start with `{prefix}`), so it is probably for another provider than `{host}`.",
    "check.key_prefix_mismatch.fix": "Put a key from {provider} ({key_url}) in `{setting}`, or change `OPENAI_BASE_URL` to the provider that issued this key.",

    "check.url_chat_completions_suffix": "`{setting}` ends with `/chat/completions`. The SDK appends that itself, so the chat would POST to `{request_url}` and get 404.",
    "check.url_chat_completions_suffix.fix": "Set `{setting}={suggested}`.",

    "check.url_path_doubled": "`{setting}` repeats `{segment}` in its path, so the chat would POST to `{request_url}` and get 404.",
    "check.url_path_doubled.fix": "Set `{setting}={suggested}`.",

    "check.url_path_missing": "`{setting}` lacks the `{path}` path that {provider} needs, so the chat would POST to `{request_url}` and get 404.",
    "check.url_path_missing.fix": "Set `{setting}={suggested}`.",

    "check.url_trailing_space": "`{setting}` has spaces or line breaks around it. The app trims them and posts to `{request_url}`, but other tools may not.",
    "check.url_trailing_space.fix": "Remove them: `{setting}={suggested}`.",

    "check.url_http_remote": "`{setting}` uses plain `http://` to the remote host `{host}`: the key travels unencrypted, and a redirect to https turns the POST into a GET that fails. The chat would POST to `{request_url}`.",
    "check.url_http_remote.fix": "Use https: `{setting}={suggested}`.",

    "check.url_not_http": "`{setting}` (`{value}`) is not an http(s) URL, so the SDK cannot call it (it would try `{request_url}`).",
    "check.url_not_http.fix": "Write the full URL with its scheme: `{setting}={suggested}`.",

    "check.bad_int": "`{setting}` is `{value}` (in `{source}`), which is not a whole number from {minimum} to {maximum}. The app uses the default, `{default}`, instead.",
    "check.bad_int.fix": "Set a whole number from {minimum} to {maximum} in `{source}`, e.g. `{setting}={default}`, or remove `{setting}` there to keep the default.",

    "check.bad_float": "`{setting}` is `{value}` (in `{source}`), which is not a number from {minimum} to {maximum}. The app uses the default, `{default}`, instead.",
    "check.bad_float.fix": "Set a number from {minimum} to {maximum} in `{source}`, e.g. `{setting}={default}`, or remove `{setting}` there to keep the default.",

    "check.bad_choice": "`{setting}` is `{value}` (in `{source}`), which is not one of {choices}. The app uses the default, `{default}`, instead.",
    "check.bad_choice.fix": "Set one of {choices} in `{source}`, e.g. `{setting}={default}`, or remove `{setting}` there to keep the default.",

    "check.bad_path": "`{setting}` is `{value}` (in `{source}`), which is not a usable folder path: it contains a control character, or starts with `~name` for a user that does not exist. The app uses the default, `{default}`, instead.",
    "check.bad_path.fix": "Set a folder path in `{source}` — absolute, or relative to the app folder — e.g. `{setting}={default}`, or remove `{setting}` there to keep the default.",

    "check.bad_url": "`{setting}` is `{value}` (in `{source}`), which is not an http(s) URL with a host. The app uses the default, `{default}`, instead.",
    "check.bad_url.fix": "Write the full URL with its scheme in `{source}`, e.g. `{setting}={default}`, or remove `{setting}` there to keep the default.",

    "check.model_not_listed": "Model `{model}` (`{setting}`) is not among the {count} models this endpoint lists, so the chat will likely fail with 404 or “model not found”.",
    "check.model_not_listed.fix": "Set `{setting}` to a name the endpoint lists. Closest: {closest}.",

    "check.platform_key_public": "This deployment is shared, and `{setting}` comes from `{source}`: every visitor chats on that key, and the usage is billed to its owner.",
    "check.platform_key_public.fix": "If that is not intended, remove `{setting}` from `{source}`: visitors then enter their own key on Setup, kept for their browser session only. To keep sharing it, set a spending limit in the provider console.",

    "check.admin_password_missing": "No `{setting}` is set on this shared deployment, so nobody — you included — can change the server's settings from this page.",
    "check.admin_password_missing.fix": "Add `{setting} = \"<a long random string>\"` to `.streamlit/secrets.toml` (Community Cloud: App settings → Secrets), restart, and enter it on Setup.",

    "check.coze_token_not_pat": "`{setting}` ({value}) starts with `{prefix}`, like another provider's key, but the Coze bot route sends it to Coze (`{host}`), which only accepts Coze tokens (`pat_…`).",
    "check.coze_token_not_pat.fix": "Create a personal access token at {token_url} and put it in `{setting}`. A key that starts with `{prefix}` belongs in `OPENAI_API_KEY`, with `OPENAI_BASE_URL` set to the provider that issued it.",
    "check.sandbox_key_prefix": "`{setting}` ({value}) starts with `{prefix}`. The Coze sandbox injects this key itself, so this is usually fine; it only matters if the chat fails.",
    "check.sandbox_key_prefix.fix": "Nothing to do while the chat works (Verify proves it). If it fails with a rejected key, restart the sandbox so the platform injects a fresh key, and never set `{setting}` by hand.",
    "check.key_held": "`{setting}` is configured for `{home}`, but `{url_setting}` now points to `{target}`; the key is not sent there.",
    "check.key_held.fix": "Enter a key for `{target}` on Setup, or set `{url_setting}` back to `{home}`. A key configured for one host is never sent to another that was typed on this page.",
}
