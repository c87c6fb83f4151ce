"""简体中文界面文案。"""

MESSAGES = {
    "lang.label": "语言",
    "nav.chat": "对话",
    "nav.chat_help": "与 DeepSeek-R1 对话：实时查看思考过程，再阅读回答。",
    "nav.setup": "配置",
    "nav.setup_help": "本机使用哪个令牌、每个值来自哪里、还缺什么。",
    "route.coze-sandbox": "Coze 沙箱",
    "route.openai": "OpenAI 兼容服务商",
    "source.session": "本次会话",
    "source.secrets": "st.secrets",
    "source.environ": "进程环境变量",
    "source..env.local": ".env.local",
    "source..env": ".env",
    "source.default": "默认值",
    "chat.title": "DeepSeek-R1",
    "chat.empty": "随便问。模型 `{model}`，端点 `{host}`；先实时显示思考过程，再给出回答。",
    "chat.placeholder": "向 DeepSeek-R1 提问…",
    "chat.system_prompt": "系统提示词",
    "chat.system_placeholder": "可选：在对话前发送的指令",
    "chat.max_tokens": "最大 token 数",
    "chat.max_tokens_help": "每次回复的输出预算，R1 的思考过程也计入其中。",
    "chat.temperature": "温度",
    "chat.clear": "清空对话",
    "chat.thinking": ":shimmer[思考中…]",
    "chat.thought": "已深度思考（用时 {s} 秒）",
    "chat.tokens": "{n} tokens",
    "chat.reasoning_tokens": "思考 {n}",
    "chat.ttft": "首字 {s} 秒",
    "chat.total": "总计 {s} 秒",
    "chat.stopped": ":material/stop_circle: 已停止——已保留部分回复。",
    "chat.incomplete": "回复不完整",
    "chat.length": "token 预算（{n}）在回答完成前已用完——多数服务商会把 R1 的思考过程也计入预算。",
    "chat.continue": "以 {n} tokens 重试",
    "chat.retry": "重试",
    "chat.open_setup": "打开配置页",
    "chat.not_configured": "尚未配置模型。缺少：{missing}。配置页会告诉你该设置什么。",
    "err.detail": "服务商返回：{detail}",
    "err.auth": "**401——令牌被 `{host}` 拒绝**：令牌无效、已过期或类型不对。请在配置页检查 `{key_var}`。",
    "err.balance": "**402——账户余额不足**（`{host}`）。请到服务商处充值，或在 `{key_var}` 中换用其他密钥。",
    "err.forbidden": "**403——无权访问。** 该密钥没有 `{model}` 的权限，或账户需要在服务商处完成认证。请检查 `{key_var}` 和服务商控制台。",
    "err.not_found": "**404——未找到。** 模型名 `{model}`（设置 `R1_MODEL`）或基础 URL 路径 `{base_url}`（设置 `{url_var}`）与该服务商不符。",
    "err.rate_limit": "**429——请求过于频繁**（`{host}`），自动重试后仍被限流。请等待 {wait} 秒后重试。",
    "err.server": "**服务商出错**（`{host}` 返回 5xx）。通常是暂时的，稍后重试。",
    "err.bad_request": "**400——服务商拒绝了请求。** 请检查模型 `{model}` 和侧边栏设置。",
    "err.http": "**`{host}` 返回了意外的 HTTP 错误。**",
    "err.timeout": "**超时**：`{host}` 在 {read_timeout} 秒内没有发送任何数据。请重试；若服务商启动较慢，可调大 `R1_READ_TIMEOUT`。",
    "err.refused": "**连接被拒绝**（`{host}`）：该地址没有服务在监听。请检查 `{url_var}` 的主机和端口，或启动本地服务。",
    "err.dns": "**无法解析主机** `{host}`：DNS 查询失败。请检查 `{url_var}` 的拼写和网络。",
    "err.tls": "**TLS/证书错误**（`{host}`）。请检查 `{url_var}` 的协议是否正确，以及代理或企业证书。",
    "err.proxy": "**代理错误**，无法访问 `{host}`。请检查 `HTTPS_PROXY` / `NO_PROXY`。",
    "err.connection": "**无法连接** `{host}`。请检查网络和 `{url_var}`。",
    "err.stream_error": "**服务商在回复中途报错。** 已保留部分回复，请重试。",
    "err.cut_off": "**回复尚未结束连接就断开了。** 已保留部分回复，请重试。",
    "err.unknown": "**与 `{host}` 通信时出错。**",
    "setup.title": "配置",
    "setup.ready_title": "可以开始对话",
    "setup.ready": "线路：**{route}** · 端点 `{host}` · 模型 `{model}`。",
    "setup.go_chat": "前往对话",
    "setup.not_ready_title": "尚未配置",
    "setup.route_missing": "线路 **{route}** 还缺少：`{missing}`。",
    "setup.unconfigured": "尚未配置任何线路。在 Coze 沙箱中无需任何设置；在其他环境请设置 `OPENAI_API_KEY` 和 `OPENAI_BASE_URL`（写在 `.env.local`、环境变量或 `st.secrets` 中）。",
    "setup.file_problem": "无法读取 `{file}`（{problem}），已忽略该文件且未做任何修改。",
    "setup.values": "解析后的配置",
    "setup.precedence": "按顺序取第一个来源：{order}。密钥类的值已打码。",
    "setup.col_var": "变量",
    "setup.col_set": "已设置",
    "setup.col_source": "来源",
    "setup.col_value": "值",
    "setup.col_also": "其他来源",
    "setup.routes": "每条线路需要哪个令牌？",
    "setup.route_sandbox_md": "**Coze 沙箱**——平台会自动注入 `COZE_WORKLOAD_IDENTITY_API_KEY` 和 `COZE_INTEGRATION_MODEL_BASE_URL`。无需任何设置，*不需要* `COZE_API_TOKEN`。密钥保存在服务端，浏览器永远看不到。",
    "setup.route_openai_md": "**独立部署**（本机、服务器、Community Cloud）——自备提供 R1 的服务商密钥（火山方舟、DeepSeek、OpenRouter、硅基流动、本地 Ollama/vLLM）：设置 `OPENAI_API_KEY`、`OPENAI_BASE_URL`，必要时设置 `R1_MODEL`。",
}

AREAS = ("setup", "checks", "verify")


def merged() -> dict[str, str]:
    """本目录的文案，加上各个分区文件（``<area>_zh_cn.py``）。"""
    import importlib

    out = dict(MESSAGES)
    for area in AREAS:
        try:
            out.update(importlib.import_module(f"core.locales.{area}_zh_cn").MESSAGES)
        except ModuleNotFoundError:
            continue
    return out
