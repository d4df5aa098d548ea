"""`first_line`: one line from any error, even one without a message."""

from __future__ import annotations

import pytest

from common.messages import first_line


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ValueError("bad value\nDETAIL: more"), "bad value"),
        (ValueError("\n  \nsecond line"), "second line"),
        (ValueError(""), "ValueError"),
        (KeyError(), "KeyError"),
        ("", ""),
        ("plain text\nnext", "plain text"),
    ],
)
def test_first_line(error: BaseException | str, expected: str) -> None:
    assert first_line(error) == expected


def test_first_line_is_cut_to_max_chars() -> None:
    assert first_line(RuntimeError("x" * 500), 10) == "x" * 10
