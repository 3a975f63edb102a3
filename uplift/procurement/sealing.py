"""Sealing bids: encryption until the opening, and the commitment a bidder can check.

A sealed bid's price and proposal are stored only as a Fernet token (AES-128-CBC with an
HMAC-SHA256, from the ``cryptography`` package) under ``settings.BID_SEALING_KEYS``; nothing in the
database, a backup or an export shows them. The *commitment* is the SHA-256 of the canonical JSON
of what was submitted (tender, lot, bidder, price, the proposal's own SHA-256 and a random salt):
the bidder's receipt shows it with the salt, so the bidder can recompute it and, at the opening,
everyone can see that what was opened is exactly what was submitted.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from decimal import Decimal
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class SealBroken(Exception):
    """The sealed content cannot be opened with any configured key (tampered, or key lost)."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in settings.BID_SEALING_KEYS])


def new_salt() -> str:
    return secrets.token_hex(16)


def canonical(*, tender: str, lot: int, bidder: str, price: Decimal, proposal: str, salt: str) -> str:
    """The exact text the commitment hashes, as the receipt prints it."""
    body = {
        "tender": tender,
        "lot": lot,
        "bidder": bidder,
        "price": f"{Decimal(price):.2f}",
        "proposal_sha256": hashlib.sha256(proposal.encode()).hexdigest(),
        "salt": salt,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def commitment(**fields: Any) -> str:
    return hashlib.sha256(canonical(**fields).encode()).hexdigest()


def seal(*, price: Decimal, proposal: str) -> str:
    body = json.dumps({"price": f"{Decimal(price):.2f}", "proposal": proposal}, ensure_ascii=False)
    return _fernet().encrypt(body.encode()).decode()


def unseal(token: str) -> tuple[Decimal, str]:
    try:
        body = json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError) as exc:
        raise SealBroken from exc
    return Decimal(body["price"]), body["proposal"]
