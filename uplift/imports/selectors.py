"""Reads of the import pipeline: a run's problems, by row."""

from __future__ import annotations

from typing import Any

from .kinds import KINDS
from .models import ImportRun


def problems_of(run: ImportRun, limit: int = 500) -> list[dict[str, Any]]:
    """The first ``limit`` problems of ``run``, each with the header of its column."""
    kind = KINDS.get(run.kind)
    return [
        {"row": p.row, "column": kind.header_of(p.field) if kind else p.field, "message": p.message}
        for p in run.problems.all()[:limit]
    ]
