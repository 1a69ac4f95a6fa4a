"""``python -m siakgate``: the same as the ``siakgate`` console script."""

import sys

from siakgate.cli import main

sys.exit(main())
