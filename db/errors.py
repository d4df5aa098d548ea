"""Errors a user can cause with the store: an unreachable or unmigrated database."""


class DatabaseError(Exception):
    """Base class: the message is one line saying what is wrong and what to do."""
