"""``make sam-local``: the orders API through ``sam local start-api``, every function in a Lambda container.

It runs, in this order:

- the embedded moto server of ``make run`` (table, queues and demo accounts from ``template.yaml``);
- ``sam build`` for this machine's architecture into ``.aws-sam/local/build`` (deploy builds in
  ``.aws-sam/build`` stay arm64), and an env-vars file that points the functions at moto;
- ``sam local start-api`` (port 3000) and ``sam local start-lambda`` (port 3001), on the real Lambda
  Python image when it is on this machine, else on the offline stand-in (``--invoke-image``);
- the SQS poller and the schedule of ``make run``, invoking the executor and process-all through
  ``start-lambda``.

Function containers sit on Docker's default bridge network whatever ``--docker-network`` says, so they
reach moto at this machine's address on that bridge (docker0's own address, e.g. 172.17.0.1), where
moto listens too; on Docker Desktop they use ``host.docker.internal``.

Modules: ``images`` (which Lambda image), ``docker_host`` (where containers reach this machine),
``build`` (sam build, the env-vars file and the local template), ``processes`` (the sam processes),
``runner`` (all of it started and stopped together) and ``__main__`` (the command line).
This module stays free of heavy imports: ``tools.bytecode`` uses ``images`` from ``make build``.
"""


class SamLocalError(Exception):
    """Something this machine lacks or refuses; the message says what to do."""
