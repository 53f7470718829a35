"""The README's API examples as a script: run them, in order, against a fresh local server, and check (or
rewrite) the answers the README shows.

The convention: every ```sh block of the README is a step, run in order in one bash session (so a shell
variable set by one block serves the next ones). A ```json, ```http or ```text block right after it (blank
lines between are allowed) is what the step prints: ```json the answer bodies (curl's output), ```http
`curl -i` answers (the status line, the headers worth showing, the body), ```text anything else. Volatile
values (times, request ids, ledger entry ids, paging tokens) are compared as placeholders, everything else
exactly. Blocks fenced as ```bash are shown, never run (commands for another setup: auth, the venue, ...).

    python -m tools.readme_examples --check   # exit 1 and a diff when the README no longer matches
    python -m tools.readme_examples --write   # re-run the examples and rewrite the answers shown

Both start `python -m localdev --no-state --no-schedule` on a free port (what the README's quick start
asks for), replace the README's http://127.0.0.1:3000 with it and run the steps in a temporary directory.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SHOWN_BASE = "http://127.0.0.1:3000"
SERVER_OPTIONS = ("--no-state", "--no-schedule", "--quiet")
OUTPUT_KINDS = ("json", "http", "text")
WIDTH = 110
# Headers an `http` block shows: the ones the examples are about (the others are the same on every answer).
SHOWN_HEADERS = ("etag", "x-next-token", "idempotent-replayed", "allow", "retry-after")
_FENCE = re.compile(r"^```(\w*)\s*$")
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)")
_VOLATILE_KEYS = {"request_id": "<request id>", "entry_id": "<entry id>"}
_END = "@@readme-example-end@@"


@dataclass
class Step:
    command: str
    output_kind: str | None = None
    # Lines of the README (0-based, end exclusive) holding the shown output, fences excluded.
    output_lines: tuple[int, int] | None = None
    line: int = 0


def steps(text: str) -> list[Step]:
    """The ```sh blocks of ``text`` with the output block that follows each one."""
    lines = text.split("\n")
    blocks = list(_blocks(lines))
    found: list[Step] = []
    for index, (kind, start, end) in enumerate(blocks):
        if kind != "sh":
            continue
        step = Step("\n".join(lines[start:end]), line=start)
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        if following is not None and following[0] in OUTPUT_KINDS:
            between = lines[end + 1 : following[1] - 1]
            if all(not line.strip() for line in between):
                step.output_kind = following[0]
                step.output_lines = (following[1], following[2])
        found.append(step)
    return found


def _blocks(lines: list[str]) -> Iterator[tuple[str, int, int]]:
    """(language, first content line, end line) of each fenced block."""
    opened: tuple[str, int] | None = None
    for number, line in enumerate(lines):
        fence = _FENCE.match(line)
        if fence is None:
            continue
        if opened is None:
            opened = (fence.group(1), number + 1)
        elif not fence.group(1):
            yield opened[0], opened[1], number
            opened = None


def run_steps(commands: list[str], base: str, workdir: Path) -> list[str]:
    """What each command printed, run in order in one bash session against ``base``."""
    script = ["set -euo pipefail"]
    for command in commands:
        script += [command.replace(SHOWN_BASE, base), f"printf '\\n{_END}\\n'"]
    # The README's own commands, in the shell a reader pastes them into.
    result = subprocess.run(  # noqa: S603
        ["bash", "-c", "\n".join(script)],  # noqa: S607
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    outputs = result.stdout.split(f"\n{_END}\n")[: len(commands)]
    if result.returncode != 0:
        failed = commands[len(outputs) - 1] if len(outputs) <= len(commands) else "?"
        raise RuntimeError(f"step {len(outputs)} failed ({result.returncode}):\n{failed}\n{result.stderr}")
    return [output.replace(base, SHOWN_BASE) for output in outputs]


def render(output: str, kind: str) -> str:
    """``output`` as the README shows it."""
    if kind == "json":
        return "\n".join(wrap_json(document) for document in json_documents(output))
    if kind == "http":
        status, headers, body = parse_http(output)
        shown = [status, *(f"{name}: {value}" for name, value in headers)]
        return "\n".join([*shown, "", *(wrap_json(d) for d in json_documents(body))])
    return output.rstrip("\n")


def comparable(shown: str, kind: str) -> Any:
    """What must match between a shown output and a fresh one: everything but the volatile values."""
    if kind == "json":
        return [_normalized(document) for document in json_documents(shown)]
    if kind == "http":
        status, headers, body = parse_http(shown)
        kept = [(name, "<token>" if name.lower() == "x-next-token" else value) for name, value in headers]
        return [status, kept, [_normalized(d) for d in json_documents(body)]]
    return _TIME.sub("<time>", shown.strip())


def json_documents(text: str) -> list[Any]:
    decoder = json.JSONDecoder(parse_float=Decimal)
    documents, position = [], 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        document, position = decoder.raw_decode(text, position)
        documents.append(document)
    return documents


def parse_http(text: str) -> tuple[str, list[tuple[str, str]], str]:
    """The status line, the shown headers (in the answer's order) and the body of `curl -i` output."""
    head, _, body = text.replace("\r\n", "\n").partition("\n\n")
    status, *header_lines = head.strip("\n").split("\n")
    headers = []
    for line in header_lines:
        name, _, value = line.partition(":")
        if name.strip().lower() in SHOWN_HEADERS:
            headers.append((name.strip(), value.strip()))
    return status.strip(), headers, body


def _normalized(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            key: _VOLATILE_KEYS[key] if key in _VOLATILE_KEYS and item is not None else _normalized(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_normalized(item) for item in value]
    if isinstance(value, str):
        return _TIME.sub("<time>", value)
    return value


def wrap_json(document: Any, width: int = WIDTH) -> str:
    """``document`` as compact JSON, broken after commas into lines of at most ``width`` characters where it
    can be (still valid JSON: only whitespace is added)."""
    compact = json.dumps(document, separators=(",", ":"), default=_number, ensure_ascii=False)
    compact = re.sub(r'"@@decimal:([^"]*)@@"', r"\1", compact)
    lines, start, last_break, in_string, escaped = [], 0, -1, False, False
    for position, character in enumerate(compact):
        if in_string:
            escaped = not escaped and character == "\\"
            in_string = escaped or character != '"'
            continue
        if character == '"':
            in_string = True
        elif character == ",":
            if position + 1 - start > width and last_break > start:
                lines.append(compact[start:last_break])
                start = last_break
            last_break = position + 1
    lines.append(compact[start:])
    return "\n".join(lines[:1] + [" " + line for line in lines[1:]])


def _number(value: object) -> str:
    if isinstance(value, Decimal):
        return f"@@decimal:{value}@@"
    raise TypeError(f"{type(value).__name__} is not JSON")


@contextmanager
def local_server() -> Iterator[str]:
    """`python -m localdev` as the README's examples expect it, on a free port; its base URL."""
    from localdev.stack import free_port

    port = free_port()
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "localdev", "--port", str(port), *SERVER_OPTIONS],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_until_serving(base, process, log)
            yield base
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_serving(base: str, process: subprocess.Popen[bytes], log: Any, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"the local server exited:\n{log.read()}")
        try:
            with urllib.request.urlopen(f"{base}/api/orders/health", timeout=5):  # noqa: S310 - http only
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise RuntimeError("the local server did not answer in time")


def refreshed(text: str, base: str) -> tuple[str, list[str]]:
    """``text`` with every shown output replaced by this run's, and a diff of each one that no longer
    matches (volatile values aside)."""
    found = steps(text)
    with tempfile.TemporaryDirectory() as workdir:
        outputs = run_steps([step.command for step in found], base, Path(workdir))
    lines = text.split("\n")
    differences: list[str] = []
    # From the end, so the line numbers of the earlier blocks stay right.
    for step, output in reversed(list(zip(found, outputs, strict=True))):
        if step.output_kind is None or step.output_lines is None:
            continue
        start, end = step.output_lines
        shown = "\n".join(lines[start:end])
        fresh = render(output, step.output_kind)
        if _differs(shown, fresh, step.output_kind):
            diff = difflib.unified_diff(shown.split("\n"), fresh.split("\n"), "README", "now", lineterm="")
            differences.insert(0, f"README.md line {step.line}:\n{step.command}\n" + "\n".join(diff))
        lines[start:end] = fresh.split("\n")
    return "\n".join(lines), differences


def _differs(shown: str, fresh: str, kind: str) -> bool:
    try:
        return bool(comparable(shown, kind) != comparable(fresh, kind))
    except (ValueError, IndexError):
        return True  # what the README shows is not even of its kind


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.readme_examples", description=__doc__.split("\n\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--check", action="store_true", help="exit 1 when a shown answer no longer matches")
    action.add_argument("--write", action="store_true", help="rewrite the shown answers from a fresh run")
    parser.add_argument("--base", help="run against this server instead of starting one (it must be fresh)")
    arguments = parser.parse_args(argv)
    text = README.read_text()
    if arguments.base:
        updated, differences = refreshed(text, arguments.base)
    else:
        with local_server() as base:
            updated, differences = refreshed(text, base)
    if arguments.write:
        README.write_text(updated)
        print(f"README.md: {len(differences)} shown answers rewritten")
        return 0
    for difference in differences:
        print(difference, end="\n\n")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
