"""Every stored and answered moment is written one way: UTC, microseconds, ``Z``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from orders_common.models.numbers import format_utc


@pytest.mark.parametrize(
    ("moment", "written"),
    [
        (datetime(2026, 12, 5, 8, 0, 0, 123456, tzinfo=UTC), "2026-12-05T08:00:00.123456Z"),
        (datetime(2026, 12, 5, 8, 0, 0, tzinfo=UTC), "2026-12-05T08:00:00.000000Z"),  # microseconds always written
        (datetime(2026, 12, 5, 1, 30, 0, 5, tzinfo=timezone(timedelta(hours=-7))), "2026-12-05T08:30:00.000005Z"),
        (datetime(2027, 1, 1, 0, 59, 59, 999999, tzinfo=timezone(timedelta(hours=1))), "2026-12-31T23:59:59.999999Z"),
    ],
)
def test_a_moment_is_written_in_utc_with_microseconds(moment: datetime, written: str) -> None:
    assert format_utc(moment) == written


def test_written_moments_sort_as_the_moments_do() -> None:
    # Index sort keys are these strings: their order must be time order, whatever the offset given
    moments = [datetime(2026, 12, 5, 8, tzinfo=timezone(timedelta(hours=h))) + timedelta(microseconds=h) for h in
               range(-12, 13)]  # fmt: skip

    assert sorted(moments) == sorted(moments, key=format_utc)


offsets = st.integers(min_value=-23 * 60, max_value=23 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))


@given(
    st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.one_of(st.just(UTC), offsets)
    )
)
def test_a_moment_is_written_as_isoformat_writes_it_in_utc(moment: datetime) -> None:
    expected = moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")

    assert format_utc(moment) == expected
    # and as read back from the store (pydantic's own UTC), unchanged
    assert format_utc(TypeAdapter(datetime).validate_python(expected)) == expected
