"""Errors a user can cause running the daemon or a worker, each a one-line message."""


class SchedulerError(Exception):
    """Base class: the message says what is wrong and what to do."""
