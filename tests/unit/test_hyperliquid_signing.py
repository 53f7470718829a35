"""The stand-in's signer recovery against the official SDK's own hashing and signing, byte for byte, including
the vault and expiresAfter parts that the integration tests' orders leave out."""

from __future__ import annotations

from typing import Any

import pytest
from eth_account import Account
from hyperliquid.utils.signing import action_hash, sign_l1_action

from localdev.hyperliquid_signing import BadSignature, connection_id, recover_l1_signer

WALLET = Account.from_key("0x" + "44" * 32)
VAULT = "0x" + "ab" * 20
ACTION: Any = {
    "type": "order",
    "orders": [{"a": 0, "b": True, "p": "68000", "s": "0.5", "r": False, "t": {"limit": {"tif": "Gtc"}}}],
    "grouping": "na",
}


@pytest.mark.parametrize("vault", [None, VAULT])
@pytest.mark.parametrize("expires_after", [None, 1_796_400_000_000])
@pytest.mark.parametrize("mainnet", [False, True])
def test_the_signer_the_sdk_signed_with_is_recovered(
    vault: str | None, expires_after: int | None, mainnet: bool
) -> None:
    nonce = 1_796_400_000_123
    signature = sign_l1_action(WALLET, ACTION, vault, nonce, expires_after, mainnet)

    assert connection_id(ACTION, vault, nonce, expires_after) == bytes(action_hash(ACTION, vault, nonce, expires_after))
    recovered = recover_l1_signer(
        ACTION, signature, nonce=nonce, vault_address=vault, expires_after=expires_after, mainnet=mainnet
    )
    other_chain = recover_l1_signer(
        ACTION, signature, nonce=nonce, vault_address=vault, expires_after=expires_after, mainnet=not mainnet
    )
    assert recovered == WALLET.address
    assert other_chain != WALLET.address


def test_every_signed_part_changes_the_signer() -> None:
    signature = sign_l1_action(WALLET, ACTION, None, 1, None, False)
    reordered = dict(reversed(list(ACTION.items())))  # msgpack keeps key order: so must the venue

    for action, nonce, vault in ((reordered, 1, None), (ACTION, 2, None), (ACTION, 1, VAULT)):
        assert (
            recover_l1_signer(action, signature, nonce=nonce, vault_address=vault, expires_after=None, mainnet=False)
            != WALLET.address
        )


def test_a_signature_no_key_made_is_bad() -> None:
    for signature in ({"r": "0x0", "s": "0x0", "v": 27}, {"r": "0x1"}, None, {"r": "zz", "s": "0x1", "v": 27}):
        with pytest.raises(BadSignature):
            recover_l1_signer(ACTION, signature, nonce=1, vault_address=None, expires_after=None, mainnet=False)
