from __future__ import annotations

import sys

from conformance._cli.main import main

sys.exit(main())
