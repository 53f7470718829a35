"""``python -m localdev.sam_local`` (what ``make sam-local`` runs): the options, and Ctrl-C."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path
from types import FrameType

import localdev.sam_local
from localdev.sam_local import SamLocalError
from localdev.sam_local.build import BUILD_DIR, ENV_VARS_FILE
from localdev.sam_local.runner import DEFAULT_API_PORT, DEFAULT_LAMBDA_PORT, DEFAULT_MOTO_PORT, SamLocal


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m localdev.sam_local", description=(localdev.sam_local.__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("--host", default="127.0.0.1", help="address start-api listens on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=DEFAULT_API_PORT, help="start-api port (default 3000)")
    parser.add_argument("--lambda-port", type=int, default=DEFAULT_LAMBDA_PORT, help="start-lambda port (default 3001)")
    parser.add_argument("--moto-port", type=int, default=DEFAULT_MOTO_PORT, help="moto server port (default 5005)")
    parser.add_argument(
        "--env-vars-file", type=Path, default=ENV_VARS_FILE, help="where to write the env-vars file for sam local"
    )
    parser.add_argument(
        "--build-dir", type=Path, default=BUILD_DIR, help="sam build's output (default .aws-sam/local/build)"
    )
    parser.add_argument(
        "--set",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="override a function environment variable, e.g. --set POWERTOOLS_LOG_LEVEL=DEBUG",
    )
    parser.add_argument(
        "--docker-host-address", default=None, help="address containers reach this machine at (default: detected)"
    )
    parser.add_argument(
        "--lambda-image",
        default=None,
        help="image to run the functions on (default: the Lambda Python image if present, else the offline stand-in)",
    )
    parser.add_argument("--schedule-seconds", type=float, default=None, help="run the schedule this often instead")
    parser.add_argument("--no-pipeline", action="store_true", help="no SQS poller and no schedule")
    parser.add_argument("--no-build", action="store_true", help="reuse the last build in .aws-sam/local/build")
    parser.add_argument("--log-dir", type=Path, default=None, help="write sam's output there instead of the console")
    parser.add_argument("--quiet", action="store_true", help="do not log each queue batch and schedule run")
    return parser.parse_args(argv)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM stops as cleanly as Ctrl-C


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    sam_local = SamLocal(
        api_port=arguments.port,
        lambda_port=arguments.lambda_port,
        moto_port=arguments.moto_port,
        host=arguments.host,
        build_dir=arguments.build_dir.resolve(),
        env_vars_file=arguments.env_vars_file.resolve(),
        overrides=dict(item.split("=", 1) for item in arguments.set),
        docker_host_override=arguments.docker_host_address,
        lambda_image=arguments.lambda_image,
        schedule_seconds=arguments.schedule_seconds,
        pipeline_enabled=not arguments.no_pipeline,
        build_enabled=not arguments.no_build,
        log_dir=arguments.log_dir.resolve() if arguments.log_dir else None,
        quiet=arguments.quiet,
    )
    taken = sam_local.taken_port()
    if taken is not None:
        print(taken, file=sys.stderr)
        return 2

    # Ctrl-C and SIGTERM stop everything in order, even when started from a script that made this
    # process ignore SIGINT (as shells do for background jobs); the sam processes inherit the default.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    status = 0
    try:
        sam_local.start(say=lambda line: print(line, flush=True))
        for line in sam_local.describe():
            print(line, flush=True)
        while True:
            sam_local.check_running()
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("\nStopping (sam removes its containers)...", flush=True)
    except SamLocalError as error:
        print(f"sam-local: {error}", file=sys.stderr, flush=True)
        status = 1
    finally:
        # A second Ctrl-C would leave containers behind: stopping takes seconds, let it finish.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sam_local.stop()
    return status


if __name__ == "__main__":
    sys.exit(main())
