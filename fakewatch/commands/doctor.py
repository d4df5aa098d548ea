"""`fakewatch doctor`: check the installation and configuration, and say what to fix."""

from __future__ import annotations

import argparse
from typing import Any

from fakewatch.doctor import FAIL, as_json, render, run_checks


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check installation and configuration (database, models, sources, NLTK, port)",
    )
    parser.add_argument("--json", action="store_true", help="print the checks as JSON")
    # Bad settings are one of the findings, so this command reads them itself.
    parser.set_defaults(handler=run, reads_own_settings=True)


def run(args: argparse.Namespace, settings: None) -> int:
    checks = run_checks(args.config)
    print(as_json(checks) if args.json else render(checks))
    return 1 if any(check.status == FAIL for check in checks) else 0
