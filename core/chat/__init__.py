"""Chat: turn a conversation into a reply streamed from DeepSeek-R1, whatever the route.

Imports only the shared modules of ``core``; never ``core.setup`` or ``core.conversations``.
"""
