"""导出与导入对话的简体中文文案。"""

MESSAGES = {
    "export.user": "你",
    "export.assistant": "DeepSeek-R1",
    "export.untitled": "未命名对话",
    "export.thinking": "思考过程",
    "export.status.length": "已截断——token 预算在回答完成前已用完",
    "export.status.stopped": "已停止——仅有部分回复",
    "export.status.interrupted": "已中断（{kind}）——仅有部分回复",
    "export.status.error": "出错：{kind}",
    "export.status.incomplete": "未完成——服务在回复途中停止",
    "export.status.streaming": "导出时仍在生成——仅有部分回复",
    "export.detail": "服务商返回：{detail}",
    "import.not_json": "该文件不是对话导出文件：无法按 UTF-8 编码的 JSON 读取。",
    "import.wrong_format": "该 JSON 文件不是本应用导出的对话。",
    "import.newer_version": "该文件来自更新版本的应用（格式版本 {version}），请先升级应用再导入。",
    "import.bad_message": "文件中第 {index} 条消息无效：字段 `{field}` 的值不正确。",
    "import.too_large": "文件过大，无法导入：上限为 {mb} MB、{count} 条消息。",
    "import.empty": "文件中没有任何消息，无需导入。",
}
