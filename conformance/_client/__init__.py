"""The client suite: a catalogue of answers and faults served to a client, judged by its checks."""
