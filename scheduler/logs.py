"""Logging set-up: one event per line, as JSON for the daemon or as text for people."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and the error, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        event = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        if record.exc_info:
            event["error"] = self.formatException(record.exc_info).splitlines()[-1]
            event["traceback"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False)


# Least level shown from chatty libraries unless debugging. Failed requests are counted and
# logged once by fakewatch's crawl report; Scrapy's middlewares would log each again, and
# Scrapy resets its loggers' levels when a crawl starts, so this filters at the handler.
QUIET_LIBRARIES = (
    ("scrapy.downloadermiddlewares", logging.CRITICAL),
    ("scrapy", logging.ERROR),
    ("apscheduler", logging.ERROR),
    ("newspaper", logging.WARNING),
)


class LibraryNoiseFilter(logging.Filter):
    """Drops library records below their QUIET_LIBRARIES level (all pass when debugging)."""

    def __init__(self, debugging: bool) -> None:
        super().__init__()
        self.debugging = debugging

    def filter(self, record: logging.LogRecord) -> bool:
        if self.debugging:
            return True
        for prefix, least in QUIET_LIBRARIES:
            if record.name == prefix or record.name.startswith(prefix + "."):
                return record.levelno >= least
        return True


def configure_logging(level: int, log_format: str = "text") -> None:
    """Log to stderr at `level`, one event per line; library chatter only when debugging."""
    handler = logging.StreamHandler()
    handler.addFilter(LibraryNoiseFilter(debugging=level <= logging.DEBUG))
    if log_format == "auto":  # people at a terminal read text; collectors read JSON
        log_format = "text" if sys.stderr.isatty() else "json"
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("filelock", "urllib3", "tensorflow", "h5py"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
