"""``make run``'s state across restarts: the local table's items and the queues' waiting messages, saved
under ``.local/`` as one versioned JSON file and restored into the fresh moto resources at the next start.

What is saved, exactly: every item of every table the template declares, as DynamoDB's own attribute
values (numbers stay the strings DynamoDB holds, binary is base64 under its type tag, sets stay sets), so
a restore gives back byte for byte what was saved, the id counters included (ids continue after a
restart). Of each queue, the messages waiting to be received (visible or delayed: body, message
attributes, the rest of a delay). Not saved: messages in flight (received and neither deleted nor back
yet: the schedule sends their orders again once their ``queued_at`` mark is older than the queue's
visibility timeout), receive counts (a restored message starts at none), the table's stream (restored
items are new stream records: the publisher skips the events already marked published and publishes the
others), the events that reached the bus (``GET /_local/events`` starts empty) and prices moved with
``PUT /_local/prices``.

The file is written atomically (a temporary file in the same directory, then a rename), at a clean stop
(Ctrl-C, SIGTERM, SIGHUP) after the API and the pipeline stopped, and every ``interval`` seconds while running.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError, ParamValidationError
from moto.sqs.models import sqs_backends

from localdev.template import ROOT, Resolver, Template

FORMAT = "hyperoru-localdev-state"
VERSION = 1
DEFAULT_PATH = ROOT / ".local" / "state.json"
SAVE_SECONDS = 30.0

_BINARY = ("B", "BS")


class StateError(Exception):
    """A state file that cannot be loaded; the message says why."""


class StateInUse(Exception):
    """Another local server saves to the same state file."""


@contextlib.contextmanager
def held(path: Path) -> Iterator[None]:
    """Hold the state file for this process (a lock beside it, released when the process ends however it
    ends): two servers saving to one file would overwrite each other's state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(f"{path.name}.lock"), "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            owner = lock.read().strip() or "?"
            raise StateInUse(f"{path} is in use by another local server (process {owner})") from None
        lock.seek(0)
        lock.truncate()
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _encode(value: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB attribute value as JSON: binary (bytes) base64-encoded under its own type tag."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(inner).decode("ascii")}
    if kind == "BS":
        return {"BS": [base64.b64encode(each).decode("ascii") for each in inner]}
    if kind == "M":
        return {"M": {name: _encode(each) for name, each in inner.items()}}
    if kind == "L":
        return {"L": [_encode(each) for each in inner]}
    return {kind: inner}


def _decode(value: dict[str, Any]) -> dict[str, Any]:
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner, validate=True)}
    if kind == "BS":
        return {"BS": [base64.b64decode(each, validate=True) for each in inner]}
    if kind == "M":
        return {"M": {name: _decode(each) for name, each in inner.items()}}
    if kind == "L":
        return {"L": [_decode(each) for each in inner]}
    return {kind: inner}


def encode_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _encode(value) for name, value in item.items()}


def decode_item(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _decode(value) for name, value in item.items()}


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


@dataclass(frozen=True)
class State:
    """What a state file holds: by the template's logical ids, each table's items (JSON form, see
    ``encode_item``) and each queue's waiting messages."""

    saved_at: str
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    queues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def describe(self) -> str:
        """``3 orders, 3 accounts (57 items), 1 queued message``."""
        kinds = Counter(item.get("sk", {}).get("S") for items in self.tables.values() for item in items)
        items = sum(len(items) for items in self.tables.values())
        messages = sum(len(messages) for messages in self.queues.values())
        return (
            f"{_count(kinds['ORDER'], 'order')}, {_count(kinds['ACCOUNT'], 'account')} "
            f"({_count(items, 'item')}), {_count(messages, 'queued message')}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "saved_at": self.saved_at,
            "tables": self.tables,
            "queues": self.queues,
        }


def load(path: Path) -> State | None:
    """The state saved at ``path``, None when there is none; StateError when it cannot be used."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise StateError(f"cannot read {path}: {error.strerror}") from error
    try:
        document = json.loads(text)
    except ValueError as error:
        raise StateError(f"{path} is not valid JSON ({error})") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise StateError(f"{path} is not a saved local state")
    if document.get("version") != VERSION:
        raise StateError(
            f"{path} was saved in format version {document.get('version')!r}; this version reads {VERSION}"
        )
    try:
        state = State(str(document["saved_at"]), dict(document["tables"]), dict(document["queues"]))
        for items in state.tables.values():
            for item in items:
                decode_item(item)  # every value must decode now, not halfway through a restore
        for messages in state.queues.values():
            for message in messages:
                if not isinstance(message["body"], str):
                    raise TypeError("a message body is not a string")
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise StateError(f"{path} is damaged ({type(error).__name__}: {error})") from error
    return state


def save(state: State, path: Path) -> None:
    """Write ``state`` to ``path`` atomically: a reader (or a crash) sees the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(state.to_json(), stream, separators=(",", ":"))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _tables(template: Template, resolver: Resolver) -> dict[str, str]:
    """Logical id -> local name of each table created (see resources.create_resources)."""
    names = {
        logical_id: resolver.refs.get(logical_id) for logical_id in template.resources_of_type("AWS::DynamoDB::Table")
    }
    return {logical_id: name for logical_id, name in names.items() if isinstance(name, str)}


def _queues(template: Template, resolver: Resolver) -> dict[str, str]:
    """Logical id -> URL of each queue created."""
    urls = {logical_id: resolver.refs.get(logical_id) for logical_id in template.resources_of_type("AWS::SQS::Queue")}
    return {logical_id: url for logical_id, url in urls.items() if isinstance(url, str)}


def _waiting_messages(resolver: Resolver, logical_id: str) -> list[dict[str, Any]]:
    """The queue's messages not in flight, read from the embedded moto's memory: receiving them through
    the API would make them in flight and count a receive towards the dead-letter queue."""
    arn = resolver.attributes[(logical_id, "Arn")]
    _, _, _, region, account, name = str(arn).split(":", 5)
    queue = sqs_backends[account][region].queues[name]
    with queue._messages_lock:
        messages = list(queue._messages)
    now_ms = datetime.now(UTC).timestamp() * 1000
    waiting = []
    for message in messages:
        if not message.visible:
            continue  # in flight
        attributes = {}
        for attribute, value in message.message_attributes.items():
            kept = {"DataType": value["DataType"]}
            if value.get("StringValue") is not None:
                kept["StringValue"] = value["StringValue"]
            binary = value.get("BinaryValue")
            if binary is not None:
                kept["BinaryValue"] = base64.b64encode(binary).decode() if isinstance(binary, bytes) else binary
            attributes[attribute] = kept
        entry: dict[str, Any] = {"body": message.body, "attributes": attributes}
        if message.delayed:
            entry["delay_seconds"] = min(900, max(1, round((message.delayed_until - now_ms) / 1000)))
        waiting.append(entry)
    return waiting


def capture(template: Template, resolver: Resolver, session: boto3.Session | None = None) -> State:
    """The local stack's state now (every table item, every queue's waiting messages)."""
    session = session or boto3.Session()
    dynamodb: Any = session.client("dynamodb")
    tables: dict[str, list[dict[str, Any]]] = {}
    for logical_id, name in _tables(template, resolver).items():
        items: list[dict[str, Any]] = []
        request: dict[str, Any] = {"TableName": name, "ConsistentRead": True}
        while True:
            page = dynamodb.scan(**request)
            items += [encode_item(item) for item in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        tables[logical_id] = items
    queues = {logical_id: _waiting_messages(resolver, logical_id) for logical_id in _queues(template, resolver)}
    return State(datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), tables, queues)


def restore(state: State, template: Template, resolver: Resolver, session: boto3.Session | None = None) -> None:
    """Put the saved items and messages into the (empty, freshly created) local resources."""
    tables = _tables(template, resolver)
    queues = _queues(template, resolver)
    unknown = sorted(set(state.tables) - set(tables)) + sorted(set(state.queues) - set(queues))
    if unknown:
        raise StateError(f"the saved state has resources this template does not create: {', '.join(unknown)}")
    try:
        _put(state, tables, queues, session or boto3.Session())
    except (ClientError, ParamValidationError) as error:
        raise StateError(f"the saved state was refused by the local resources ({error})") from error


def _put(state: State, tables: dict[str, str], queues: dict[str, str], session: boto3.Session) -> None:
    dynamodb: Any = session.client("dynamodb")
    for logical_id, items in state.tables.items():
        for batch in _chunks([decode_item(item) for item in items], 25):
            requests = {tables[logical_id]: [{"PutRequest": {"Item": item}} for item in batch]}
            while requests:
                requests = dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
    sqs: Any = session.client("sqs")
    for logical_id, messages in state.queues.items():
        for group in _chunks(messages, 10):
            entries = []
            for number, message in enumerate(group):
                entry: dict[str, Any] = {"Id": str(number), "MessageBody": message["body"]}
                if message.get("attributes"):
                    entry["MessageAttributes"] = {
                        name: {**value, "BinaryValue": base64.b64decode(value["BinaryValue"])}
                        if "BinaryValue" in value
                        else value
                        for name, value in message["attributes"].items()
                    }
                if message.get("delay_seconds"):
                    entry["DelaySeconds"] = int(message["delay_seconds"])
                entries.append(entry)
            failed = sqs.send_message_batch(QueueUrl=queues[logical_id], Entries=entries).get("Failed")
            if failed:
                raise StateError(f"{logical_id}: {len(failed)} saved messages were refused: {failed[0]}")


def _chunks(values: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


@dataclass
class Saver:
    """Saves the stack's state to ``path`` every ``interval`` seconds (a background thread) and once more
    at ``close`` (after everything that writes stopped). A failed periodic save is reported, not fatal."""

    path: Path
    snapshot: Callable[[], State]
    interval: float = SAVE_SECONDS
    report: Callable[[str], None] = print
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    def save_now(self) -> State:
        with self._lock:  # the periodic save and the last one never write at once
            state = self.snapshot()
            save(state, self.path)
            return state

    def start(self) -> None:
        if self.interval > 0:
            self._thread = threading.Thread(target=self._run, name="state-saver", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.save_now()
            except Exception as error:
                self.report(f"[state] could not save to {self.path}: {error!r}")

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
        try:
            state = self.save_now()
        except Exception as error:
            self.report(f"Could not save the local state to {shown_path(self.path)}: {error!r}")
        else:
            self.report(f"Saved {state.describe()} to {shown_path(self.path)}.")


def shown_path(path: Path) -> str:
    """The path relative to the working directory when it is under it (``.local/state.json``)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
