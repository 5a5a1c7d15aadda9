"""``python -m koreathaw_grading`` is ``koreathaw-grade``."""

import sys

from koreathaw_grading.cli import main

sys.exit(main())
