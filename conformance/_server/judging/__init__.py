"""How an answer is judged: the check table, its check modules, and the recorder of results."""
