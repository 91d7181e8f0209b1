from __future__ import annotations

import sys

from conformance._cli import main

sys.exit(main())
