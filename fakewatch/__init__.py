"""fakewatch: watch news sources for fake news."""

__version__ = "0.1.0"
