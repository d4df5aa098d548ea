"""`python -m fakewatch` runs the command line."""

import sys

from fakewatch.cli import main

sys.exit(main())
