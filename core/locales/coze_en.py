"""English messages for the Coze route's own failures (COZE_API_TOKEN + COZE_BOT_ID + COZE_API_BASE)."""

MESSAGES = {
    "err.token_refused": "**Coze rejected the token** (code {code}) at `{host}`: it is invalid or expired, or it was made on the other Coze site (a coze.com token does not work on api.coze.cn, nor the reverse). Create a new personal access token and set `{key_var}` on the Setup page; keep `{url_var}` on the site where you made it.",
    "err.bot_not_found": "**Bot `{bot_id}` was not found** at `{host}` (Coze code {code}): the ID is wrong, the bot is in a workspace this token cannot see, or it lives on the other Coze site. Set `{bot_var}` to the number after `/bot/` in the bot editor's URL; make sure `{key_var}` was created with access to that bot's workspace; and use `https://api.coze.cn` for coze.cn accounts or `https://api.coze.com` for coze.com accounts in `{url_var}`.",
    "err.bot_not_published": "**Bot `{bot_id}` is not published as an API service** (Coze code {code}). In Coze, open the bot, click **Publish** (top right), tick **API** among the channels and publish; then retry. `{bot_var}` and `{key_var}` are fine.",
    "err.daily_limit": "**The bot's daily usage limit is used up** (Coze code {code}). Try again tomorrow, or raise the limit or the plan of the Coze account behind `{key_var}`.",
    "err.too_long": "**The conversation is too long for the bot's model** (Coze code {code}): the prompt exceeds its token limit. Start a new chat or send a shorter message.",
    "err.bot_model": "**The bot's model is no longer available** (Coze code {code}), for example because it was taken off Coze. Open bot `{bot_id}` in Coze, choose another model (such as DeepSeek-R1) and publish again.",
    "err.cannot_answer": "**The bot declined to answer this question** (Coze code {code}). Rephrase it and retry.",
    "err.risk_control": "**Coze's risk control blocked this request** (code {code}). Wait a while and retry; if it keeps happening, send Coze support the request id shown below.",
    "err.bot_needs_action": "**Bot `{bot_id}` stopped to wait for a tool result** that the caller must supply (a plugin or function set to run on the client). This app cannot supply one: remove that tool from the bot in Coze and publish again.",
    "err.api_not_found": "**`{base_url}/v3/chat` does not exist** (HTTP 404). `{url_var}` must be just the API host — `https://api.coze.cn` for coze.cn or `https://api.coze.com` for coze.com — with no `/v3` or other path.",
    "err.coze_error": "**Coze refused the request** (code {code}). Its message is below; Coze's error-code page gives the fix for each code.",
}
