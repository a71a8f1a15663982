"""``python -m sdflow.cli``: the ``sdflow`` command."""

import sys

from . import main

sys.exit(main())
