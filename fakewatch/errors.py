"""Which exceptions are the user's to fix: printed as one line, without a traceback."""

from __future__ import annotations


def user_errors() -> tuple[type[Exception], ...]:
    """Every package's base class for errors a user can cause and fix."""
    from classifier.errors import ClassifierError
    from crawler.errors import CrawlError
    from db.errors import DatabaseError
    from fakewatch.settings import SettingsError
    from scheduler.errors import SchedulerError

    return (SettingsError, CrawlError, ClassifierError, DatabaseError, SchedulerError)
