"""`python -m critmin` runs the `critmin` command."""

import sys

from critmin.cli import main

sys.exit(main())
