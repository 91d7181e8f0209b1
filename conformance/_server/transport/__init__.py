"""How a request goes out and its answer comes back: the target, the exchange, the wire."""
