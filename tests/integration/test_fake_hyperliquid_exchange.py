"""The local Hyperliquid stand-in's /exchange, driven by the official SDK (hyperliquid-python-sdk) so the
requests are byte for byte what the real adapter will send: signatures, nonces, matching, info documents."""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
from eth_account import Account
from hyperliquid.exchange import Exchange
from hyperliquid.info import Info
from hyperliquid.utils.error import ServerError
from hyperliquid.utils.signing import (
    get_timestamp_ms,
    order_request_to_order_wire,
    order_wires_to_order_action,
    sign_l1_action,
)
from hyperliquid.utils.types import Cloid

from localdev.fake_hyperliquid_exchange import FakeExchange, fake_hyperliquid_venue

AGENT = Account.from_key("0x" + "11" * 32)  # the API wallet the account approved
STRANGER = Account.from_key("0x" + "22" * 32)  # a key the venue knows nothing of
USER = Account.from_key("0x" + "33" * 32).address  # the account the agent trades for
GTC: Any = {"limit": {"tif": "Gtc"}}
IOC: Any = {"limit": {"tif": "Ioc"}}
ALO: Any = {"limit": {"tif": "Alo"}}
STEP = Decimal("6.85")  # 1 bp of the BTC mid of 68500: the book's levels are this far apart


@pytest.fixture
def venue() -> Iterator[tuple[str, FakeExchange]]:
    with fake_hyperliquid_venue({AGENT.address: USER}) as served:
        yield served


def sdk(url: str, wallet: Any = AGENT, timeout: float | None = 5.0) -> tuple[Exchange, Info]:
    # Built the way the adapter will build them: the SDK reads meta and spotMeta from the venue on start.
    return Exchange(wallet, url, account_address=USER, timeout=timeout), Info(url, skip_ws=True, timeout=timeout)


def signed(action: dict[str, Any], *, wallet: Any = AGENT, nonce: int | None = None, mainnet: bool = False) -> Any:
    nonce = get_timestamp_ms() if nonce is None else nonce
    signature = sign_l1_action(wallet, action, None, nonce, None, mainnet)
    return {"action": action, "nonce": nonce, "signature": signature, "vaultAddress": None, "expiresAfter": None}


def order_action(cloid: int, sz: float = 0.1, px: float = 60000.0) -> dict[str, Any]:
    request: Any = {"coin": "BTC", "is_buy": True, "sz": sz, "limit_px": px, "order_type": GTC, "reduce_only": False}
    request["cloid"] = Cloid.from_int(cloid)
    return dict(order_wires_to_order_action([order_request_to_order_wire(request, 0)]))


def test_meta_lists_the_universe_as_the_sdk_reads_it(venue: tuple[str, FakeExchange]) -> None:
    url, _ = venue
    exchange, info = sdk(url)
    assert info.meta()["universe"][0] == {"name": "BTC", "szDecimals": 5, "maxLeverage": 40}
    assert exchange.info.name_to_asset("ETH") == 1 and exchange.info.asset_to_sz_decimals[2] == 2


def test_an_ioc_buy_fills_level_by_level_against_the_l2_book(venue: tuple[str, FakeExchange]) -> None:
    url, _ = venue
    exchange, info = sdk(url)
    asks = [Decimal(level["px"]) for level in info.l2_snapshot("BTC")["levels"][1]]
    cloid = Cloid.from_int(7)

    answer = exchange.order("BTC", True, 2.5, 68600.0, IOC, cloid=cloid)

    prices = [Decimal(68500) + STEP * n for n in (1, 2, 3)]
    assert prices == asks[:3]  # the same levels /info serves
    average = (prices[0] + prices[1] + prices[2] / 2) / Decimal("2.5")
    filled = answer["response"]["data"]["statuses"][0]["filled"]
    assert answer["status"] == "ok" and answer["response"]["type"] == "order"
    assert (filled["totalSz"], Decimal(filled["avgPx"])) == ("2.5", average)
    fills = info.user_fills(USER)
    assert [(Decimal(f["px"]), f["sz"], f["side"]) for f in reversed(fills)] == [
        (prices[0], "1", "B"),
        (prices[1], "1", "B"),
        (prices[2], "0.5", "B"),
    ]
    assert {f["oid"] for f in fills} == {filled["oid"]} and {f["cloid"] for f in fills} == {cloid.to_raw()}
    assert len({f["tid"] for f in fills}) == 3 and all(f["crossed"] for f in fills)
    assert Decimal(fills[-1]["fee"]) == round(prices[0] * Decimal("0.00045"), 6)
    status = info.query_order_by_cloid(USER, cloid)
    assert status["status"] == "order" and status["order"]["status"] == "filled"
    assert status["order"]["order"] | {"timestamp": 0} == status["order"]["order"] | {
        "coin": "BTC", "side": "B", "limitPx": "68600", "sz": "0", "origSz": "2.5", "oid": filled["oid"],
        "tif": "Ioc", "cloid": cloid.to_raw(), "reduceOnly": False, "timestamp": 0,
    }  # fmt: skip


def test_an_ioc_fills_only_up_to_its_limit_and_cancels_the_rest(venue: tuple[str, FakeExchange]) -> None:
    url, _ = venue
    exchange, info = sdk(url)

    partial = exchange.order("BTC", False, 3.0, 68490.0, IOC, cloid=Cloid.from_int(1))
    nothing = exchange.order("BTC", True, 1.0, 68500.0, IOC, cloid=Cloid.from_int(2))

    assert partial["response"]["data"]["statuses"][0]["filled"]["totalSz"] == "1"  # only 68493.15 is >= 68490
    assert info.query_order_by_cloid(USER, Cloid.from_int(1))["order"]["status"] == "canceled"
    error = nothing["response"]["data"]["statuses"][0]["error"]
    assert error == "Order could not immediately match against any resting orders. asset=0"
    assert info.query_order_by_cloid(USER, Cloid.from_int(2))["order"]["status"] == "iocCancelRejected"


def test_a_gtc_rests_then_fills_at_its_price_when_the_mid_crosses(venue: tuple[str, FakeExchange]) -> None:
    url, fake = venue
    exchange, info = sdk(url)
    cloid = Cloid.from_int(42)

    answer = exchange.order("BTC", True, 0.5, 68000.0, GTC, cloid=cloid)
    oid = answer["response"]["data"]["statuses"][0]["resting"]["oid"]
    fake.venue.set_mids({"BTC": "68000.5"})
    still_open = info.query_order_by_oid(USER, oid)["order"]["status"]
    fake.venue.set_mids({"BTC": "67990"})

    assert still_open == "open"
    assert info.all_mids()["BTC"] == "67990"  # /info follows the mid the venue matches against
    assert info.query_order_by_cloid(USER, cloid)["order"]["status"] == "filled"
    [fill] = info.user_fills(USER)
    assert (fill["px"], fill["sz"], fill["oid"], fill["crossed"]) == ("68000", "0.5", oid, False)
    assert Decimal(fill["fee"]) == Decimal(68000) * Decimal("0.5") * Decimal("0.00015")


def test_cancel_by_cloid_and_by_oid_take_a_resting_order_off(venue: tuple[str, FakeExchange]) -> None:
    url, fake = venue
    exchange, info = sdk(url)
    exchange.order("BTC", True, 0.5, 68000.0, GTC, cloid=Cloid.from_int(1))
    by_oid = exchange.order("ETH", False, 1.0, 3600.0, GTC)["response"]["data"]["statuses"][0]["resting"]["oid"]

    canceled = exchange.cancel_by_cloid("BTC", Cloid.from_int(1))
    again = exchange.cancel_by_cloid("BTC", Cloid.from_int(1))
    canceled_by_oid = exchange.cancel("ETH", by_oid)
    fake.venue.set_mids({"BTC": "67000", "ETH": "3700"})

    assert canceled == {"status": "ok", "response": {"type": "cancel", "data": {"statuses": ["success"]}}}
    assert again["response"]["data"]["statuses"] == [
        {"error": "Order was never placed, already canceled, or filled. asset=0"}
    ]
    assert canceled_by_oid["response"]["data"]["statuses"] == ["success"]
    assert info.query_order_by_cloid(USER, Cloid.from_int(1))["order"]["status"] == "canceled"
    assert info.query_order_by_oid(USER, by_oid)["order"]["status"] == "canceled"
    assert info.user_fills(USER) == []  # the mids crossed both prices after the cancels


def test_unknown_orders_post_only_and_reduce_only(venue: tuple[str, FakeExchange]) -> None:
    url, _ = venue
    exchange, info = sdk(url)

    post_only = exchange.order("BTC", True, 0.1, 68600.0, ALO)
    reduce_only = exchange.order("BTC", False, 0.1, 68000.0, GTC, reduce_only=True)
    exchange.order("BTC", True, 0.2, 68600.0, IOC)
    reducing = exchange.order("BTC", False, 0.2, 68400.0, IOC, reduce_only=True)
    too_fine = exchange.order("BTC", True, 0.000001, 68600.0, IOC)

    assert post_only["response"]["data"]["statuses"][0]["error"].startswith("Post only order would have")
    assert reduce_only["response"]["data"]["statuses"][0] == {
        "error": "Reduce only order would increase position. asset=0"
    }
    assert reducing["response"]["data"]["statuses"][0]["filled"]["totalSz"] == "0.2"
    assert too_fine["response"]["data"]["statuses"][0] == {"error": "Order has invalid size. asset=0"}
    assert info.query_order_by_oid(USER, 1) == {"status": "unknownOid"}
    assert info.query_order_by_cloid(USER, Cloid.from_int(999)) == {"status": "unknownOid"}


def test_a_bad_signature_a_stranger_and_the_wrong_chain_are_refused(venue: tuple[str, FakeExchange]) -> None:
    url, fake = venue
    tampered = signed(order_action(1))
    tampered["action"]["orders"][0]["s"] = "10"  # the signature covered 0.1
    stranger = signed(order_action(2), wallet=STRANGER)
    mainnet = signed(order_action(3), mainnet=True)  # the venue plays testnet, as the SDK signs for a local URL
    garbage = signed(order_action(4)) | {"signature": {"r": "0x0", "s": "0x0", "v": 27}}

    answers = [requests.post(f"{url}/exchange", json=body, timeout=5).json() for body in (tampered, stranger, mainnet)]
    broken = requests.post(f"{url}/exchange", json=garbage, timeout=5).json()

    assert [answer["status"] for answer in answers] == ["err", "err", "err"]
    assert answers[1]["response"] == f"User or API Wallet {STRANGER.address.lower()} does not exist."
    assert all(answer["response"].startswith("User or API Wallet 0x") for answer in answers)
    assert broken == {"status": "err", "response": "Failed to verify signature"}
    assert fake.venue.orders == []


def test_a_nonce_is_used_once_and_only_near_now(venue: tuple[str, FakeExchange]) -> None:
    url, fake = venue
    body = signed(order_action(1))
    three_days_ago = get_timestamp_ms() - 3 * 24 * 3600 * 1000

    first = requests.post(f"{url}/exchange", json=body, timeout=5).json()
    replayed = requests.post(f"{url}/exchange", json=body, timeout=5).json()
    stale = requests.post(f"{url}/exchange", json=signed(order_action(2), nonce=three_days_ago), timeout=5).json()
    ahead = signed(order_action(3), nonce=get_timestamp_ms() + 2 * 24 * 3600 * 1000)
    early = requests.post(f"{url}/exchange", json=ahead, timeout=5).json()

    assert first["status"] == "ok"
    assert replayed["status"] == "err" and "already used" in replayed["response"]
    assert stale["status"] == "err" and "window" in stale["response"]
    assert early["status"] == "err" and "window" in early["response"]
    assert len(fake.venue.orders) == 1


def test_expires_after_is_signed_and_enforced(venue: tuple[str, FakeExchange]) -> None:
    url, _ = venue
    exchange, _ = sdk(url)
    exchange.set_expires_after(get_timestamp_ms() + 60_000)
    in_time = exchange.order("BTC", True, 0.1, 60000.0, GTC)
    exchange.set_expires_after(get_timestamp_ms() - 1)
    expired = exchange.order("BTC", True, 0.1, 60000.0, GTC)

    assert "resting" in in_time["response"]["data"]["statuses"][0]
    assert expired["status"] == "err" and expired["response"].startswith("Action expired")


def test_a_timed_out_order_was_accepted_all_the_same(venue: tuple[str, FakeExchange]) -> None:
    url, fake = venue
    exchange, info = sdk(url, timeout=0.3)
    fake.timeout_next(1.0)
    started = time.monotonic()

    with pytest.raises(requests.Timeout):
        exchange.order("BTC", True, 0.1, 60000.0, GTC, cloid=Cloid.from_int(5))

    assert time.monotonic() - started < 0.9
    assert info.query_order_by_cloid(USER, Cloid.from_int(5))["order"]["status"] == "open"


def test_a_dropped_response_leaves_the_order_placed(venue: tuple[str, FakeExchange]) -> None:
    url, fake = venue
    exchange, info = sdk(url)
    fake.drop_next()

    with pytest.raises(requests.ConnectionError):
        exchange.order("BTC", True, 1.0, 68600.0, IOC, cloid=Cloid.from_int(6))

    assert info.query_order_by_cloid(USER, Cloid.from_int(6))["order"]["status"] == "filled"
    assert exchange.order("BTC", True, 0.1, 60000.0, GTC)["status"] == "ok"  # only the next response is dropped


def test_a_scheduled_rejection_refuses_one_order(venue: tuple[str, FakeExchange]) -> None:
    url, fake = venue
    exchange, info = sdk(url)
    fake.reject_next("Insufficient margin to place order.")

    refused = exchange.order("BTC", True, 0.1, 68600.0, IOC, cloid=Cloid.from_int(8))
    accepted = exchange.order("BTC", True, 0.1, 68600.0, IOC, cloid=Cloid.from_int(9))

    assert refused["response"]["data"]["statuses"] == [{"error": "Insufficient margin to place order."}]
    assert info.query_order_by_cloid(USER, Cloid.from_int(8))["order"]["status"] == "rejected"
    assert "filled" in accepted["response"]["data"]["statuses"][0]
    assert len(info.user_fills(USER)) == 1


def test_a_server_error_acts_on_nothing(venue: tuple[str, FakeExchange]) -> None:
    url, fake = venue
    exchange, info = sdk(url)
    fake.fail_next(502)

    with pytest.raises(ServerError) as raised:
        exchange.order("BTC", True, 0.1, 60000.0, GTC, cloid=Cloid.from_int(10))

    assert raised.value.status_code == 502
    assert info.query_order_by_cloid(USER, Cloid.from_int(10)) == {"status": "unknownOid"}
