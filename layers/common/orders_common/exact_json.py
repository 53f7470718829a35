"""JSON text with exact numbers: ``Decimal`` values written as the JSON numbers they are (the standard
library can only write binary floats), for every response and every stored document."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson


class JsonNumber(Decimal):
    """A Decimal that prints as plain positional notation (``0.00000001``, never ``1E-8``): every
    amount the models dump (``models.numbers.to_json_number``)."""

    __slots__ = ()

    def __str__(self) -> str:
        return format(self, "f")


# What orjson leaves to its hook (``_exact``) rather than writing itself: simplejson writes none of them.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME


def dumps(value: Any) -> str:
    """Compact JSON, ``Decimal`` as exact numbers, the text simplejson writes (``use_decimal``,
    ASCII only).

    orjson writes a document in about a third of simplejson's time (an order: 2.8 against 11.1 µs), and
    every response is one. It cannot do all simplejson does, so whatever it refuses (integers past 64
    bits, keys that are not strings, named tuples, nesting past 255 levels, circular documents) or
    writes otherwise (non-ASCII text and DEL, which simplejson escapes) is written by simplejson instead.
    ``tests/unit/test_exact_json.py`` holds the two to the same text on generated documents.
    """
    try:
        encoded = orjson.dumps(value, default=_exact, option=_ORJSON_OPTIONS)
    except orjson.JSONEncodeError:
        return _simplejson_dumps(value)
    if not encoded.isascii() or b"\x7f" in encoded:
        return _simplejson_dumps(value)
    return encoded.decode()


def _exact(value: Any) -> Any:
    if type(value) is JsonNumber and value.is_finite():
        return orjson.Fragment(format(value, "f"))  # its text, without a call of its ``__str__``
    if isinstance(value, Decimal) and value.is_finite():
        # Its own text, as simplejson's ``use_decimal`` writes it (JsonNumber: never an exponent).
        return orjson.Fragment(str(value))
    raise TypeError(type(value).__name__)  # simplejson's to write, or refuse (NaN, Infinity)


def _simplejson_dumps(value: Any) -> str:
    import simplejson  # here: most documents never need it

    text: str = simplejson.dumps(value, use_decimal=True, separators=(",", ":"))
    return text
