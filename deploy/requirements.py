"""Print the requirements of fakewatch with the given extras, one a line, from pyproject.toml.

The image installs them in a layer of their own (before the code is copied), so that a code
change does not reinstall them: `python deploy/requirements.py lstm,transformer`. Extras that
name other extras (`all = ["fakewatch[lstm,transformer]"]`) are expanded.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path
from typing import Any

SELF = re.compile(r"fakewatch\[([^\]]*)\]")


def requirements(project: dict[str, Any], extras: list[str]) -> list[str]:
    """The core dependencies and those of `extras`, without duplicates, in order."""
    optional: dict[str, list[str]] = project.get("optional-dependencies", {})
    found: list[str] = list(project["dependencies"])
    pending, seen = list(extras), set()
    while pending:
        extra = pending.pop(0)
        if extra in seen:
            continue
        if extra not in optional:
            sys.exit(f"unknown extra {extra!r}: choose from {', '.join(optional)}")
        seen.add(extra)
        for requirement in optional[extra]:
            if own := SELF.fullmatch(requirement):
                pending.extend(name.strip() for name in own.group(1).split(","))
            elif requirement not in found:
                found.append(requirement)
    return found


def main(argv: list[str]) -> int:
    extras = [name.strip() for name in ",".join(argv).split(",") if name.strip()]
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    print("\n".join(requirements(project, extras)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
