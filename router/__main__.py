"""`python -m router` is the `router` command."""

from __future__ import annotations

import sys

from router.cli import main

sys.exit(main())
