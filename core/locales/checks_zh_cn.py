"""配置检查（core/checks.py）的简体中文文案：哪里不对，以及怎么改。"""

MESSAGES = {
    "check.env_file_unreadable": "无法读取 `{file}`（{problem}），其中的所有值都被忽略了。",
    "check.env_file_unreadable.fix": "把 `{file}` 另存为 UTF-8（不带 BOM）编码，并确保运行应用的用户有读取权限，然后刷新本页。",

    "check.shadowed_by_environ": "`{setting}` 在 `{winner}` 中的值（{winner_value}）与 `{source}` 中的值（{value}）不同。按优先级 `{winner}` 排在前面，所以 `{source}` 里的值不会生效。",
    "check.shadowed_by_environ.fix": "只保留一处：从 `{winner}` 中删除 `{setting}`——进程环境变量请执行 `unset {setting}`（并从 shell 配置文件或服务文件中删掉），st.secrets 请从 `.streamlit/secrets.toml` 或 Cloud 的 *Secrets* 中删除——然后重启应用。也可以直接在 `{winner}` 中改成你想要的值。",

    "check.coze_token_unused": "`{source}` 中设置了 `{setting}`（{value}），但当前线路不使用它：只有 Coze 智能体线路会用到它，而且还需要 `COZE_BOT_ID`。这里实际使用的密钥是 `{instead}`。",
    "check.coze_token_unused.fix": "如果你并不打算通过 Coze 智能体对话，请从 `{source}` 中删掉 `{setting}` 这一行。若要使用智能体，请同时设置 `COZE_BOT_ID`（如果还配置了其他线路，再设置 `R1_ROUTE=coze-bot`）。",

    "check.workload_key_outside_sandbox": "`{setting}` 来自 `{source}`（{value}），但它只能由 Coze 沙箱提供——平台会把它和 `COZE_INTEGRATION_MODEL_BASE_URL` 一起注入进程环境变量。它不是个人令牌，手动复制到别处也无法使用。",
    "check.workload_key_outside_sandbox.fix": "从 `{source}` 中删除 `{setting}`（如果也复制了 `COZE_INTEGRATION_MODEL_BASE_URL`，一并删除）。在沙箱之外，请为火山方舟、DeepSeek 等服务商设置 `OPENAI_API_KEY` 和 `OPENAI_BASE_URL`。",

    "check.token_whitespace": "`{setting}`（{value}）的首尾或中间有空格或制表符。应用会自动去掉首尾空白，但令牌中间的空格——或者在不做去除的工具里——都会让服务商拒绝这个令牌。",
    "check.token_whitespace.fix": "在服务商控制台用“复制”按钮重新复制令牌，完整粘贴成一段，不要有任何空白：`{setting}=<令牌>`。",

    "check.token_quoted": "`{setting}`（{value}）的值里包含了引号，引号会作为令牌的一部分发送出去，服务商会返回 401。",
    "check.token_quoted.fix": "去掉多余的引号。在 `.env.local` 中写 `{setting}=<令牌>`（外面加一对英文半角引号也可以）；在 `secrets.toml` 中写 `{setting} = \"<令牌>\"`。不要使用从文档或聊天软件里复制来的中文引号 “ ” ‘ ’。",

    "check.token_newline": "`{setting}`（{value}）的令牌中间有换行符。HTTP 请求头不能包含换行，所以每次请求都会失败。",
    "check.token_newline.fix": "把整个令牌放在同一行：`{setting}=<令牌>`。如果编辑器或聊天窗口自动折行了，请把几段拼回去。",

    "check.token_bom": "`{setting}`（{value}）中含有不可见的字节顺序标记（U+FEFF），通常来自以“UTF-8 带 BOM”格式保存的文件（例如 Windows 记事本）。服务商收到的会是另一个令牌。",
    "check.token_bom.fix": "删除 `{setting}=` 这一行，手动重新输入变量名后再粘贴令牌；并把文件另存为不带 BOM 的 UTF-8。",

    "check.token_fullwidth": "`{setting}`（{value}）中含有非 ASCII 字符（{chars}），通常是中文输入法打出的全角字母、数字或全角空格。API 令牌只由半角 ASCII 字符组成。",
    "check.token_fullwidth.fix": "把输入法切换到半角 / 英文模式，并从服务商控制台重新复制令牌，不要手动输入：`{setting}=<令牌>`。",

    "check.token_bearer_prefix": "`{setting}`（{value}）以 `Bearer ` 开头。SDK 会自己加上 `Authorization: Bearer`，于是服务商收到的是 `Bearer Bearer …`，只能拒绝。",
    "check.token_bearer_prefix.fix": "只保留令牌本身：`{setting}=<令牌>`，去掉 `Bearer` 这个词。",

    "check.token_placeholder": "`{setting}`（{value}）看起来是示例里的占位符，而不是真正的密钥。",
    "check.token_placeholder.fix": "在服务商控制台创建一个密钥并填入 `{setting}`；本页的配置向导里有各服务商获取密钥的链接。",

    "check.coze_pat_on_openai_route": "`{setting}` 中填的是 Coze 个人访问令牌（{value}），但 `OPENAI_BASE_URL` 指向 `{host}`，它只接受自家的密钥。",
    "check.coze_pat_on_openai_route.fix": "把 `{setting}` 换成 `{host}` 签发的密钥（在其控制台的 API 密钥页面获取）。Coze 令牌（`pat_…` / `sat_…`）只能用于 Coze API，而本应用并不调用 Coze API。",

    "check.non_coze_key_on_coze": "`{setting}`（{value}）以 `{prefix}` 开头，像是其他服务商的密钥，但它会被发送给 Coze（`{host}`），会被拒绝。",
    "check.non_coze_key_on_coze.fix": "把这个密钥放在 `OPENAI_API_KEY` 中，并把 `OPENAI_BASE_URL` 指向签发它的服务商（例如 `https://api.deepseek.com`）。Coze 线路只使用平台自动注入的 `COZE_WORKLOAD_IDENTITY_API_KEY`。",

    "check.key_prefix_mismatch": "`{setting}`（{value}）看起来不像 {provider} 的密钥（它们以 `{prefix}` 开头），很可能是其他服务商的，而不是 `{host}` 的。",
    "check.key_prefix_mismatch.fix": "在 `{setting}` 中填入 {provider} 的密钥（{key_url}），或者把 `OPENAI_BASE_URL` 改成签发这个密钥的服务商。",

    "check.url_chat_completions_suffix": "`{setting}` 以 `/chat/completions` 结尾。SDK 会自动追加这一段，所以对话请求会发到 `{request_url}`，得到 404。",
    "check.url_chat_completions_suffix.fix": "改为 `{setting}={suggested}`。",

    "check.url_path_doubled": "`{setting}` 的路径中重复了 `{segment}`，对话请求会发到 `{request_url}`，得到 404。",
    "check.url_path_doubled.fix": "改为 `{setting}={suggested}`。",

    "check.url_path_missing": "`{setting}` 缺少 {provider} 需要的路径 `{path}`，对话请求会发到 `{request_url}`，得到 404。",
    "check.url_path_missing.fix": "改为 `{setting}={suggested}`。",

    "check.url_trailing_space": "`{setting}` 首尾有空格或换行。应用会自动去掉它们，请求发往 `{request_url}`，但其他工具未必会这样处理。",
    "check.url_trailing_space.fix": "去掉首尾空白：`{setting}={suggested}`。",

    "check.url_http_remote": "`{setting}` 使用明文 `http://` 访问远程主机 `{host}`：密钥会以明文传输，而且跳转到 https 时 POST 会变成 GET 而失败。对话请求会发到 `{request_url}`。",
    "check.url_http_remote.fix": "改用 https：`{setting}={suggested}`。",

    "check.url_not_http": "`{setting}`（`{value}`）不是 http(s) 地址，SDK 无法调用（它会尝试 `{request_url}`）。",
    "check.url_not_http.fix": "写出带协议头的完整地址：`{setting}={suggested}`。",

    "check.bad_int": "`{setting}` 的值 `{value}`（来自 `{source}`）不是 {minimum} 到 {maximum} 之间的整数，应用改用默认值 `{default}`。",
    "check.bad_int.fix": "在 `{source}` 中把它设为 {minimum} 到 {maximum} 之间的整数，例如 `{setting}={default}`；或从 `{source}` 中删掉 `{setting}`，使用默认值。",

    "check.bad_float": "`{setting}` 的值 `{value}`（来自 `{source}`）不是 {minimum} 到 {maximum} 之间的数值，应用改用默认值 `{default}`。",
    "check.bad_float.fix": "在 `{source}` 中把它设为 {minimum} 到 {maximum} 之间的数值，例如 `{setting}={default}`；或从 `{source}` 中删掉 `{setting}`，使用默认值。",

    "check.bad_choice": "`{setting}` 的值 `{value}`（来自 `{source}`）不是 {choices} 之一，应用改用默认值 `{default}`。",
    "check.bad_choice.fix": "在 `{source}` 中把它设为 {choices} 之一，例如 `{setting}={default}`；或从 `{source}` 中删掉 `{setting}`，使用默认值。",

    "check.bad_path": "`{setting}` 的值 `{value}`（来自 `{source}`）不是可用的文件夹路径：其中含有控制字符，或以一个不存在的用户的 `~用户名` 开头。应用改用默认值 `{default}`。",
    "check.bad_path.fix": "在 `{source}` 中把它设为一个文件夹路径（绝对路径，或相对于应用所在文件夹的路径），例如 `{setting}={default}`；或从 `{source}` 中删掉 `{setting}`，使用默认值。",

    "check.bad_url": "`{setting}` 的值 `{value}`（来自 `{source}`）不是带主机名的 http(s) 地址，应用改用默认值 `{default}`。",
    "check.bad_url.fix": "在 `{source}` 中写出带协议头的完整地址，例如 `{setting}={default}`；或从 `{source}` 中删掉 `{setting}`，使用默认值。",

    "check.model_not_listed": "模型 `{model}`（`{setting}`）不在该接口列出的 {count} 个模型中，对话很可能返回 404 或“模型不存在”。",
    "check.model_not_listed.fix": "把 `{setting}` 改成接口列出的名称。最接近的有：{closest}。",

    "check.platform_key_public": "这是共享部署，且 `{setting}` 来自 `{source}`：每位访客都在用这个密钥聊天，费用记在密钥所有者的账上。",
    "check.platform_key_public.fix": "如果这不是你的本意，请从 `{source}` 中删除 `{setting}`：之后访客需要在配置页填写自己的密钥，且只保存在他们自己的浏览器会话中。如果确实要共享，请在服务商控制台设置消费上限。",

    "check.admin_password_missing": "这个共享部署没有设置 `{setting}`，因此任何人（包括你自己）都无法在本页修改服务器上的配置。",
    "check.admin_password_missing.fix": "在 `.streamlit/secrets.toml`（Community Cloud：App settings → Secrets）中加入 `{setting} = \"<一串足够长的随机字符>\"`，重启应用后在配置页输入它。",

    "check.coze_token_not_pat": "`{setting}`（{value}）以 `{prefix}` 开头，看起来是其他服务商的密钥；但扣子机器人线路会把它发给扣子（`{host}`），扣子只接受扣子令牌（`pat_…`）。",
    "check.coze_token_not_pat.fix": "在 {token_url} 创建个人访问令牌，填入 `{setting}`。以 `{prefix}` 开头的密钥应放在 `OPENAI_API_KEY`，并把 `OPENAI_BASE_URL` 设为签发它的服务商。",
    "check.sandbox_key_prefix": "`{setting}`（{value}）以 `{prefix}` 开头。这个密钥由扣子沙箱自己注入，通常没有问题；只有对话失败时才需要在意。",
    "check.sandbox_key_prefix.fix": "对话正常时无需处理（“验证”可以证明）。若对话因密钥被拒而失败，请重启沙箱让平台重新注入密钥；不要手动设置 `{setting}`。",
    "check.key_held": "`{setting}` 是为 `{home}` 配置的，但 `{url_setting}` 现在指向 `{target}`；这个密钥不会被发往那里。",
    "check.key_held.fix": "在配置页为 `{target}` 填入它自己的密钥，或把 `{url_setting}` 改回 `{home}`。为一个主机配置的密钥，绝不会被发往在本页输入的另一个主机。",
}
