"""The command line: the parser, the option types shared with the pytest plugin, one module per
command. Each command module is imported only when its command runs."""
