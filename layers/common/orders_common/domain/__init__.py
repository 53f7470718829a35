"""Pure money rules: no I/O, no AWS, unit-tested directly."""
