"""Who signed a Hyperliquid L1 action (order, cancel, cancelByCloid), recovered the way the venue does it.

The scheme is the official SDK's (hyperliquid/utils/signing.py): the action is msgpack-encoded, followed by the
nonce (8 bytes big-endian), a vault flag byte (0, or 1 and the vault's 20 bytes) and, when present, a 0 byte and
``expiresAfter`` (8 bytes); keccak of that is the ``connectionId`` of a "phantom agent" ``{source, connectionId}``
signed as EIP-712 typed data in the "Exchange" domain with chain id 1337. ``source`` is "a" on mainnet and "b"
on testnet. Any byte of difference gives another signer, so the stand-in refuses what the venue would refuse.
"""

from __future__ import annotations

from typing import Any

import msgpack
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils.crypto import keccak

_DOMAIN = {
    "chainId": 1337,
    "name": "Exchange",
    "verifyingContract": "0x0000000000000000000000000000000000000000",
    "version": "1",
}
_TYPES = {
    "Agent": [{"name": "source", "type": "string"}, {"name": "connectionId", "type": "bytes32"}],
    "EIP712Domain": [
        {"name": "name", "type": "string"},
        {"name": "version", "type": "string"},
        {"name": "chainId", "type": "uint256"},
        {"name": "verifyingContract", "type": "address"},
    ],
}


class BadSignature(ValueError):
    """The signature is not one a signer could have produced (malformed, or no key recovers it)."""


def connection_id(action: Any, vault_address: str | None, nonce: int, expires_after: int | None) -> bytes:
    # The action's key order matters: msgpack keeps the JSON object's order, which is the order the SDK built.
    data = msgpack.packb(action) + nonce.to_bytes(8, "big")
    if vault_address is None:
        data += b"\x00"
    else:
        data += b"\x01" + bytes.fromhex(vault_address.removeprefix("0x"))
    if expires_after is not None:
        data += b"\x00" + expires_after.to_bytes(8, "big")
    return bytes(keccak(data))


def recover_l1_signer(
    action: Any,
    signature: Any,
    *,
    nonce: int,
    vault_address: str | None,
    expires_after: int | None,
    mainnet: bool,
) -> str:
    """The checksummed address whose key signed ``action``; raises BadSignature when none could have."""
    phantom_agent = {
        "source": "a" if mainnet else "b",
        "connectionId": connection_id(action, vault_address, nonce, expires_after),
    }
    message = encode_typed_data(
        full_message={"domain": _DOMAIN, "types": _TYPES, "primaryType": "Agent", "message": phantom_agent}
    )
    try:
        vrs = (int(signature["v"]), int(signature["r"], 16), int(signature["s"], 16))
        return str(Account.recover_message(message, vrs=vrs))
    except Exception as error:  # missing fields, bad hex, or eth-keys' own errors for values off the curve
        raise BadSignature(str(error)) from error
