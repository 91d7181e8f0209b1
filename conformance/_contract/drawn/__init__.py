"""Whole requests drawn by Hypothesis: the strategy, its catalogue of features and of headers,
each feature one the real stack's recorded corpus holds (tests/mock/test_realstack.py)."""
