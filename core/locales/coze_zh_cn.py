"""扣子（Coze）路线特有故障的简体中文文案（COZE_API_TOKEN + COZE_BOT_ID + COZE_API_BASE）。"""

MESSAGES = {
    "err.token_refused": "**扣子拒绝了该令牌**（错误码 {code}，`{host}`）：令牌无效或已过期，或者来自另一个扣子站点（coze.com 的令牌不能用于 api.coze.cn，反之亦然）。请重新创建个人访问令牌，并在配置页设置 `{key_var}`；`{url_var}` 要与创建令牌的站点一致。",
    "err.bot_not_found": "**在 `{host}` 上找不到智能体 `{bot_id}`**（扣子错误码 {code}）：ID 填错了，或智能体所在的工作空间不在该令牌的授权范围内，或它在另一个站点上（coze.cn 与 coze.com 的账号互不相通）。请把智能体编辑页网址中 `/bot/` 后面的数字填入 `{bot_var}`；确认 `{key_var}` 创建时已授权该智能体所在的工作空间；`{url_var}` 在 coze.cn 账号下用 `https://api.coze.cn`，coze.com 账号下用 `https://api.coze.com`。",
    "err.bot_not_published": "**智能体 `{bot_id}` 尚未发布为 API 服务**（扣子错误码 {code}）。请在扣子中打开该智能体，点击右上角 **发布**，在发布渠道中勾选 **API** 并发布，然后重试。`{bot_var}` 和 `{key_var}` 都没有问题。",
    "err.daily_limit": "**该智能体今日的使用次数已达上限**（扣子错误码 {code}）。请明天再试，或为 `{key_var}` 所属的扣子账号提高额度、升级套餐。",
    "err.too_long": "**对话内容超出了智能体所用模型的长度上限**（扣子错误码 {code}）：提示词的 token 数超限。请新开一个对话，或发送更短的消息。",
    "err.bot_model": "**智能体所用的模型已不可用**（扣子错误码 {code}），例如已从扣子平台下架。请在扣子中打开智能体 `{bot_id}`，换用其他模型（如 DeepSeek-R1）后重新发布。",
    "err.cannot_answer": "**智能体无法回答这个问题**（扣子错误码 {code}）。请换个问法后重试。",
    "err.risk_control": "**请求被扣子风控拦截**（错误码 {code}）。请稍后重试；若持续出现，请把下方的请求 ID 提交给扣子技术支持。",
    "err.bot_needs_action": "**智能体 `{bot_id}` 暂停了，在等待调用方提交工具执行结果**（某个插件或函数被设置为由客户端执行）。本应用无法提供该结果：请在扣子中把这个工具从智能体中移除，然后重新发布。",
    "err.api_not_found": "**`{base_url}/v3/chat` 不存在**（HTTP 404）。`{url_var}` 只能填 API 域名：coze.cn 账号用 `https://api.coze.cn`，coze.com 账号用 `https://api.coze.com`，不要带 `/v3` 或其他路径。",
    "err.coze_error": "**扣子拒绝了这次请求**（错误码 {code}）。下方是扣子返回的信息；扣子的错误码文档列出了每个错误码的解决方法。",
}
