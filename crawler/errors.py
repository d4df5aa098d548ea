"""Errors a user can cause when crawling: bad sources files, unusable URLs."""


class CrawlError(Exception):
    """Base class: the message is one line saying what is wrong and what to do."""


class SourcesFileError(CrawlError):
    """The sources file cannot be read or declares an invalid source."""


class UnsafeUrlError(CrawlError):
    """A URL is not http(s) or points at an address the source may not reach."""
