"""The answers served: the catalogue, the edge scenarios and the generated answers."""
