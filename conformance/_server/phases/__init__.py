"""The run's searches and probes: the exploration, drawn requests, stateful sequences, schemathesis."""
