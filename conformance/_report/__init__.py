"""Reporting: findings and the report of a run, its writers (JUnit XML, JSON, Markdown), the console.

Shared by both suites; it knows nothing of either.
"""
