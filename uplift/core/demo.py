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
from django.utils import translation
from django.utils.module_loading import import_string

from . import audit


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
    # Texts the services compose (a computed score's reasons...) are stored in the programme's
    # language, not in whatever language a management command runs in.
    bulk_load = import_string(settings.UPLIFT_BULK_LOAD)
    # The demo replays 2018: its steps are history, so they notify nobody today.
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic(), bulk_load(), audit.quiet_steps():
        for path in settings.UPLIFT_DEMO_BUILDERS:
            import_string(path)(ctx)
    return ctx


# --- Sample evidence files ------------------------------------------------------------------------
# Small, valid files for the demo's attachments and the tests: a one-page PDF and a PNG, written
# byte by byte so the demo needs no PDF or imaging library.


def sample_pdf(lines: list[str]) -> bytes:
    """A valid one-page A4 PDF showing ``lines`` (ASCII) in Helvetica."""
    text = "\n".join(
        f"BT /F1 {14 if i == 0 else 11} Tf 56 {780 - 22 * i} Td ({_pdf_escape(line)}) Tj ET"
        for i, line in enumerate(lines)
    ).encode("ascii", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _pdf_escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def sample_png(seed: int, width: int = 96, height: int = 64) -> bytes:
    """A valid RGB PNG: a gradient whose colours follow ``seed`` (a stand-in for a site photo)."""
    import struct
    import zlib

    r0, g0, b0 = (seed * 53) % 200, (seed * 97) % 200, (seed * 31) % 200
    rows = b"".join(
        b"\x00"
        + b"".join(bytes(((r0 + x) % 256, (g0 + y * 2) % 256, (b0 + x + y) % 256)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
