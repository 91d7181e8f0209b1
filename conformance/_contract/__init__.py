"""The contract: the bundled OpenAPI document at two levels, Lago's rules, the fixtures file.

Nothing here imports another part of lago-conformance but ``_errors``: the mock, both suites and
the front ends all stand on it. ``levels`` is import-free, for the pytest plugin's options.
"""
