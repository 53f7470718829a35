"""tools.readme_examples: which blocks are steps, what is compared, and how an answer is shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.readme_examples import comparable, refreshed, render, run_steps, steps, wrap_json

README = """# Title

```bash
make run   # shown, never run
```

```sh
echo '{"id": 7, "at": "2026-12-05T02:33:10.983279Z", "request_id": "ab12-local"}'
```

```json
{"id": 7, "at": "2020-01-01T00:00:00Z", "request_id": "other"}
```

```sh
ID=7
```

```sh
echo "{\\"id\\": $ID, \\"price\\": 0.10}"
```

```json
{"id": 7, "price": 0.2}
```

```sh
echo '{"id": 8}'
```

Some text.

```json
{"id": 8}
```
"""


def test_sh_blocks_are_steps_and_the_block_after_each_is_its_answer() -> None:
    found = steps(README)

    assert [step.command.split()[0] for step in found] == ["echo", "ID=7", "echo", "echo"]
    assert [step.output_kind for step in found] == ["json", None, "json", None]  # text between: not an answer


def test_volatile_values_are_compared_as_placeholders_and_the_rest_exactly() -> None:
    shown = '{"id": 7, "at": "2020-01-01T00:00:00Z", "entry_id": "2020-01-01T00:00:00Z#aa#00", "price": 0.10}'

    assert comparable(shown, "json") == comparable(
        '{"id":7,"at":"2026-12-05T02:33:10.98Z","entry_id":"2026-12-05T02:33:10Z#bb#00","price":0.1}', "json"
    )
    assert comparable(shown, "json") != comparable('{"id": 8, "at": "2020-01-01T00:00:00Z", "price": 0.1}', "json")
    assert comparable(shown, "json") != comparable('{"id": 7, "at": "2020-01-01T00:00:00Z", "price": 0.11}', "json")


def test_http_answers_keep_the_status_and_the_headers_worth_showing() -> None:
    answer = (
        'HTTP/1.1 200 OK\r\nDate: Sat, 05 Dec 2026 02:31:05 GMT\r\nETag: "2"\r\nX-Next-Token: abc\r\n'
        'Apigw-Requestid: 1-local\r\n\r\n{"id": 1}'
    )

    assert render(answer, "http") == 'HTTP/1.1 200 OK\nETag: "2"\nX-Next-Token: abc\n\n{"id":1}'
    assert comparable(render(answer, "http"), "http") == comparable(answer.replace("abc", "xyz"), "http")
    assert comparable(answer, "http") != comparable(answer.replace('"2"', '"3"'), "http")


def test_long_answers_are_wrapped_after_commas_and_stay_the_same_json() -> None:
    document = {"name": "a, b", **{f"field_{n}": n for n in range(40)}}

    wrapped = wrap_json(document, width=60)

    assert all(len(line) <= 61 for line in wrapped.split("\n"))
    assert comparable(wrapped, "json") == [document]


def test_a_failing_step_names_itself(tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match=r"step 2 failed \(1\):\nfalse\n"):
        run_steps(["echo one", "false", "echo three"], "http://127.0.0.1:1", tmp_path)


def test_refreshing_rewrites_the_answers_and_reports_what_differs() -> None:
    updated, differences = refreshed(README, "http://127.0.0.1:1")

    # The first answer differs only in volatile values; the second's price is 0.10 now (exactly), not 0.2.
    assert len(differences) == 1
    assert differences[0].startswith("README.md line 19:")
    assert '+{"id":7,"price":0.10}' in differences[0]
    assert '{"id":7,"at":"2026-12-05T02:33:10.983279Z","request_id":"ab12-local"}' in updated
    assert refreshed(updated, "http://127.0.0.1:1")[1] == []
