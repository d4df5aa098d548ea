"""Every subcommand and every option of the command line says what it is for."""

from __future__ import annotations

import argparse

from fakewatch.cli import build_parser


def undocumented(parser: argparse.ArgumentParser, prefix: str = "fakewatch") -> list[str]:
    missing = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helped = {choice.dest for choice in action._choices_actions if choice.help}
            for name, sub in action.choices.items():
                if name not in helped:
                    missing.append(f"{prefix} {name}")
                missing += undocumented(sub, f"{prefix} {name}")
        elif not isinstance(action, argparse._HelpAction | argparse._VersionAction) and (
            not action.help
        ):
            missing.append(f"{prefix} {'/'.join(action.option_strings) or action.dest}")
    return missing


def test_every_subcommand_and_option_has_a_help_line() -> None:
    assert undocumented(build_parser()) == []


def test_logs_are_text_at_a_terminal_and_json_elsewhere() -> None:
    import os
    import pty
    import subprocess
    import sys

    script = (
        "import logging\nfrom scheduler.logs import configure_logging\n"
        "configure_logging(logging.INFO, 'auto')\nlogging.getLogger('x').warning('hello')\n"
    )
    piped = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert piped.stderr.startswith("{") and '"hello"' in piped.stderr
    leader, follower = pty.openpty()
    at_terminal = subprocess.run([sys.executable, "-c", script], stderr=follower, timeout=60)
    os.close(follower)
    line = os.read(leader, 4096).decode()
    os.close(leader)
    assert at_terminal.returncode == 0 and "WARNING x: hello" in line and not line.startswith("{")
