"""What the use cases need from the world, as small protocols, and the refusals a store reports.

A use case names only the ports it uses; ``wiring`` hands it the DynamoDB, SQS and exchange adapters,
and the unit tests hand it the in-memory fakes of ``tests/support/fakes.py``. A refusal says what the
store found (no HTTP, no DynamoDB vocabulary); the use case decides what that means for the caller.

Each is imported from its module (``ports.orders``, ``ports.accounts``, ``ports.refusals``,
``ports.values``), never from here: this package loads none of them, so that a function loads only
the ports it names (the four together were 2 ms of a create's cold start in the Lambda image).
"""
