"""The demo dataset's orchestration: run each app's builder in order, deterministically.

Each app that has records to show keeps a ``demo.py`` with ``build(ctx)``; ``settings.
UPLIFT_DEMO_BUILDERS`` lists them in order. Builders write through services only, look things up by
natural keys so that running the demo twice changes nothing, and draw every random choice from
``ctx.rng`` so that every run produces the same records.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string


@dataclass
class DemoContext:
    """What builders share: the seeded random source, the acting user, and named objects."""

    rng: random.Random = field(default_factory=lambda: random.Random(2018))
    actor: Any = None
    objects: dict[str, Any] = field(default_factory=dict)
    logins: list[dict[str, str]] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    def say(self, line: str) -> None:
        self.log.append(line)


def build_demo() -> DemoContext:
    """Build (or complete) the demo dataset in one transaction."""
    ctx = DemoContext()
    with transaction.atomic():
        for path in settings.UPLIFT_DEMO_BUILDERS:
            import_string(path)(ctx)
    return ctx
