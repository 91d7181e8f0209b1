"""The server suite: a run against a Lago deployment or the embedded mock, judged by its checks."""
