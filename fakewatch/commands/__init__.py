"""Subcommands of the `fakewatch` command line, one module each with `register(subparsers)`."""
