"""Conversations: stored per owner in SQLite (or another SQL database), exported and imported.

Holds chat's value types (replies, usage, diagnoses) but imports no provider and no SDK.
"""
