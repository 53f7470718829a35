"""Mint a token for a server started with `make run ARGS="--auth"` (or `python -m localdev --auth`):
python -m localdev.token --user 1 [--admin]."""

from __future__ import annotations

import argparse

from localdev.local_auth import issuer_for
from localdev.stack import LOCAL_PARAMETERS
from localdev.template import Template


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m localdev.token", description=__doc__)
    parser.add_argument("--user", type=int, required=True, help="the user id the token speaks for")
    parser.add_argument("--admin", action="store_true", help="add the admin scope")
    parser.add_argument("--ttl", type=int, default=3600, help="seconds the token is valid (default 3600)")
    arguments = parser.parse_args(argv)
    issuer = issuer_for(Template.load(parameters=LOCAL_PARAMETERS).parameters())
    print(issuer.mint(arguments.user, admin=arguments.admin, ttl_seconds=arguments.ttl))


if __name__ == "__main__":
    main()
