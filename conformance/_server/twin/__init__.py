"""Lago's twin as oracle, and httplint's notes on an answer against those on the twin's."""
