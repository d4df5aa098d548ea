"""Where the benchmarks' data is: ../shared/data beside the checkout, absent in a user's clone."""

from __future__ import annotations

import sys
from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def absent() -> bool:
    """True, after saying so on stderr, when the shared data is not there."""
    if SHARED_DATA.is_dir():
        return False
    print(f"bench needs {SHARED_DATA}; it is absent here", file=sys.stderr)
    return True
