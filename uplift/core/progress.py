"""How far a long job is (an import, an export), as its page and the command line show it."""

from __future__ import annotations

from typing import Any


def progress(rows: int, elapsed: float, expected: int | None) -> dict[str, Any]:
    """Rows done, seconds, rows a second and, when the job knows about how many rows it has, the
    percentage done and the seconds left (never 100% before the end: the count may be an
    estimate, and the end is the job's own status)."""
    rate = rows / elapsed if elapsed > 0 else 0.0
    done: dict[str, Any] = {"rows": rows, "seconds": round(elapsed, 1), "per_second": round(rate)}
    if expected:
        done["expected"] = expected
        done["percent"] = min(99.0, round(100 * rows / expected, 1))
        done["seconds_left"] = round(max(0, expected - rows) / rate) if rate else None
    return done
