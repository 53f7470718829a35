"""Pure money rules: no I/O, no AWS, unit-tested directly.

Their records (movements, settlements, books, valuations) are ``NamedTuple``: immutable like a frozen
dataclass, defined at import in a fifth of its time (a frozen dataclass generates and compiles five
methods), which every function that moves money pays at its cold start.
"""
