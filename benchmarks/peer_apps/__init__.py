"""The peers of ``benchmarks.peers``: the same GET order and create order written with other frameworks.

Each module is loaded on its own in a fresh interpreter (this folder on ``sys.path``), never as part of
the ``benchmarks`` package, so that a peer imports nothing it would not import on Lambda."""
