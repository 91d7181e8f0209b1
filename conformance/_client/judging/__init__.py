"""How a call is judged: the check table over its check modules, the oracle, relations, invariants."""
