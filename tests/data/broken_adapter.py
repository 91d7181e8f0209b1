"""An adapter module whose import fails, for the CLI's one-line error."""

from __future__ import annotations

raise RuntimeError("adapter setup failed\nsecond line never shown")
