"""The faithful Lago mock: the ASGI app, its seeded organization, and serving it over HTTP."""
