"""English messages for exporting and importing conversations."""

MESSAGES = {
    "export.user": "You",
    "export.assistant": "DeepSeek-R1",
    "export.untitled": "Untitled conversation",
    "export.thinking": "Reasoning",
    "export.status.length": "Cut off — the token budget ran out before the answer was complete",
    "export.status.stopped": "Stopped — partial reply",
    "export.status.interrupted": "Interrupted ({kind}) — partial reply",
    "export.status.error": "Error: {kind}",
    "export.status.incomplete": "Incomplete — the server stopped mid-reply",
    "export.status.streaming": "Still being written when exported — partial reply",
    "export.detail": "Provider said: {detail}",
    "import.not_json": "This file is not a conversation export: it could not be read as UTF-8 JSON.",
    "import.wrong_format": "This JSON file is not a conversation exported by this app.",
    "import.newer_version": "This file comes from a newer version of the app (format version {version}). Update the app to import it.",
    "import.bad_message": "Message {index} in the file is invalid: its field `{field}` has a wrong value.",
    "import.too_large": "The file is too large to import: the limit is {mb} MB and {count} messages.",
    "import.empty": "The file holds no messages, so there is nothing to import.",
}
