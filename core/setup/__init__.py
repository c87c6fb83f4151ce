"""Setup: which settings are set and from where, what is wrong with them, and the wizard that
verifies a key through the chat's own code path (``core.chat``) and saves it."""
