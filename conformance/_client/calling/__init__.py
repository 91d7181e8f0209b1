"""How a client is called: adapters, transports (respx or a command), the fault server, options."""
