"""Benchmarks, run by `nox -s bench`: each measured beside a baseline in the same job."""
