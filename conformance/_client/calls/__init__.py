"""One call: what is served (Answer), what came back (Outcome), what the client wrote, the clock."""
