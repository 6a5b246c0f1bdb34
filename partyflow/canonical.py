"""Canonical JSON text and SHA-256, with no dependency on the rest of partyflow.

The same encoding as the instance audit trail's (``partyflow.workflows.audit``): no whitespace,
keys sorted, UTF-8 without ASCII escapes, floats as Python's shortest round-trip ``repr``, NaN
and infinities refused. It lives here, below every package, so that the stores and the
hierarchy's own trail (``partyflow.hierarchy.trail``) can hash with it without importing the
workflow runtime.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

_dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                          allow_nan=False, check_circular=False).encode


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON text."""
    return _dumps(value)


def sha256_hex(text: str) -> str:
    """The SHA-256 of ``text`` (UTF-8) in lowercase hex."""
    return hashlib.sha256(text.encode()).hexdigest()


def utc_text(at: dt.datetime) -> str:
    """An aware time as ISO-8601 in UTC (``2026-03-02T09:00:00+00:00``), as hashed."""
    return (at if at.tzinfo is dt.UTC else at.astimezone(dt.UTC)).isoformat()
