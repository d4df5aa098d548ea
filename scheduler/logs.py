"""Logging set-up: one event per line, as JSON for the daemon or as text for people."""

from __future__ import annotations

import json
import logging
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


class LibraryNoiseFilter(logging.Filter):
    """Drops Scrapy's start-up banner and chatter below `level` (it resets its own loggers)."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith("scrapy") or record.levelno >= self.level


def configure_logging(level: int, log_format: str = "text") -> None:
    """Log to stderr at `level`; Scrapy's own loggers only when debugging."""
    handler = logging.StreamHandler()
    handler.addFilter(
        LibraryNoiseFilter(logging.DEBUG if level <= logging.DEBUG else logging.ERROR)
    )
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("scrapy").setLevel(
        logging.DEBUG if level <= logging.DEBUG else logging.WARNING
    )
    for noisy in ("apscheduler", "filelock", "urllib3", "tensorflow", "h5py"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
