"""fakewatch: watch news sources for fake news."""

# Before anything can import TensorFlow, whose bundled SQLite lacks FTS5: see
# classifier/models/lstm_network.py.
import sqlite3  # noqa: F401

__version__ = "0.1.0"
