"""`fakewatch setup`: everything a first run needs (schema, sources, a model), done once."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from crawler.sources import load_sources
from db.migrate import current_revision
from fakewatch.database import open_database
from fakewatch.first_run import DEFAULT_DATA_FOLDER, NoTrainingData, ensure_model
from fakewatch.output import say
from fakewatch.settings import Settings


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "setup",
        help="prepare a first run: migrate the store, check sources, train a model if none",
    )
    parser.add_argument(
        "--data-folder",
        default=str(DEFAULT_DATA_FOLDER),
        metavar="DIR",
        help="where the training corpus is downloaded (default ./data)",
    )
    parser.add_argument(
        "--require-model",
        action="store_true",
        help="fail (exit 1) when no model can be trained, instead of warning",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    engine = open_database(settings)
    shown = engine.url.render_as_string(hide_password=True)
    say(f"store {shown} at schema version {current_revision(engine)}")
    engine.dispose()
    sources = load_sources(settings.sources_file)
    enabled = sum(source.enabled for source in sources)
    say(f"{len(sources)} sources ({enabled} enabled) from {settings.sources_file}")
    folders = [Path(folder) for folder in settings.daemon.models]
    try:
        ready = ensure_model(
            folders, data_folder=Path(args.data_folder), progress=sys.stderr.isatty(), on_step=say
        )
    except NoTrainingData as exc:
        if args.require_model:
            raise
        say(f"warning: {exc}")
        say("starting without a model: articles are crawled and stored, and wait to be scored")
        return 0
    state = "trained now" if ready.trained_now else "already there"
    say(f"model {ready.folder} version {ready.version} ({state})")
    return 0
