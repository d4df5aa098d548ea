"""Editing the sources file for `fakewatch sources rename`: one line changed, or none at all.

The file is the user's: comments, order and layout stay as they are. A rename changes only the
source's own `name = "..."` line, and only when the edited file parses to the same sources
with that one name changed; otherwise the caller tells the user what to change by hand.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import replace
from pathlib import Path

from crawler.errors import SourcesFileError
from crawler.sources import NAME_PATTERN, SOURCE_HEADER, parse_sources

NAME_LINE = re.compile(r"""^(?P<lead>[ \t]*name[ \t]*=[ \t]*)(?P<q>["'])(?P<name>[^"'\\]*)(?P=q)""")


def check_new_name(name: str) -> None:
    """Refuse a name the sources file would refuse, before anything is changed."""
    if not NAME_PATTERN.match(name):
        raise SourcesFileError(
            f"source name {name!r} must be 1-100 lower-case letters, digits, . _ or -"
        )


def renamed_text(content: str, path: Path, old: str, new: str) -> str | None:
    """The file's text with source `old` named `new`, or None when that is not one clean edit
    (`old` is not declared there, or not on a plain `name = "old"` line)."""
    before = parse_sources(content, path)
    if not any(s.name == old for s in before):
        return None
    if any(s.name == new for s in before):
        raise SourcesFileError(
            f"{path} already declares a source named {new!r}; choose another name"
        )
    lines = content.splitlines(keepends=True)
    in_source = False
    hits = []
    for number, line in enumerate(lines):
        if SOURCE_HEADER.match(line):
            in_source = True
        elif line.lstrip().startswith("["):
            in_source = False
        match = NAME_LINE.match(line)
        if in_source and match and match.group("name") == old:
            hits.append((number, match))
    if len(hits) != 1:
        return None
    number, match = hits[0]
    line = lines[number]
    lines[number] = line[: match.start("name")] + new + line[match.end("name") :]
    edited = "".join(lines)
    try:
        after = parse_sources(edited, path)
    except SourcesFileError:
        return None
    expected = [replace(s, name=new) if s.name == old else s for s in before]
    return edited if after == expected else None


def write_atomically(path: Path, text: str) -> None:
    """Replace the file's text in one step (a crash leaves the old file or the new, never half),
    keeping its permissions; OSError when the file or its folder is read-only."""
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
