"""What an uploaded file really is, decided from its bytes, and whether Uplift keeps it.

Evidence arrives as sign-in sheets, photos, scanned reports and office documents. A browser's
``Content-Type`` and a file's name are whatever the sender says, so neither is trusted: the
first bytes (and, for ZIP containers, the parts inside) say what the file is, and only the formats
below are kept. The name's extension must agree with the content, so a ``.pdf`` that is really a
program is refused rather than stored under a misleading name.

Office documents are ZIP containers: they are opened to check the parts that make them what they
claim, refused when they carry macros, and refused when they would expand beyond a sane size
(a "ZIP bomb" is a few KB that inflates to gigabytes in whatever reads it next).
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class FileType:
    """One accepted format: its media type, the extensions its files may carry, a label."""

    media_type: str
    extensions: tuple[str, ...]
    label: str


PDF = FileType("application/pdf", (".pdf",), "PDF")
PNG = FileType("image/png", (".png",), "PNG")
JPEG = FileType("image/jpeg", (".jpg", ".jpeg"), "JPEG")
HEIC = FileType("image/heic", (".heic", ".heif"), "HEIC")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",), "Word")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",), "Excel")
PPTX = FileType(
    "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",), "PowerPoint"
)
OFD = FileType("application/ofd", (".ofd",), "OFD")  # GB/T 33190, China's fixed-layout format
DOC = FileType("application/msword", (".doc",), "Word 97-2003")
XLS = FileType("application/vnd.ms-excel", (".xls",), "Excel 97-2003")
PPT = FileType("application/vnd.ms-powerpoint", (".ppt",), "PowerPoint 97-2003")

ACCEPTED = (PDF, JPEG, PNG, HEIC, DOCX, XLSX, PPTX, OFD, DOC, XLS, PPT)

#: what the upload form says it takes
ACCEPT_HINT = gettext_lazy(
    "PDF, OFD, JPEG, PNG or HEIC photos, Word, Excel or PowerPoint documents; at most %(size)s."
)

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the compound file of Office 97-2003
_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_MAX_ZIP_ENTRIES = 5_000
_MAX_ZIP_RATIO = 200  # expanded size / stored size: plain office XML compresses ~10-20x


def sha256_of(file: IO[bytes]) -> str:
    """The SHA-256 of ``file``'s bytes, read in 1 MB pieces, leaving it at its start."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def max_bytes() -> int:
    """The largest file kept (``UPLIFT_UPLOAD_MAX_BYTES``, 20 MB unless configured)."""
    return int(getattr(settings, "UPLIFT_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def accept_hint() -> str:
    return ACCEPT_HINT % {"size": filesizeformat(max_bytes())}


def clean_name(name: str) -> str:
    """The file's own name, safe to show and to send back: no folders, no control characters,
    Unicode (Chinese names stay Chinese) in NFC, at most 200 characters keeping the extension."""
    name = unicodedata.normalize("NFC", os.path.basename(str(name).replace("\\", "/")))
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem, ext = os.path.splitext(name)
    if len(name) > 200:
        name = stem[: 200 - len(ext)] + ext
    return name or "file"


def _zip_type(file: IO[bytes]) -> FileType:
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
            names = [i.filename for i in infos]
            stored = sum(i.compress_size for i in infos) or 1
            expanded = sum(i.file_size for i in infos)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ValidationError(_("The file is a damaged ZIP container."), code="damaged") from exc
    inflated = expanded > 1024 * 1024 and expanded > stored * _MAX_ZIP_RATIO
    if len(infos) > _MAX_ZIP_ENTRIES or inflated or expanded > 10 * max_bytes():
        raise ValidationError(
            _("The file expands to far more than its size (a ZIP bomb?); it was not kept."), code="zip_bomb"
        )
    if "OFD.xml" in names:
        return OFD
    if "[Content_Types].xml" in names:
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise ValidationError(
                _(
                    "The document contains macros, which are not accepted. Save it without macros "
                    "(as .docx, .xlsx or .pptx) and upload it again."
                ),
                code="macros",
            )
        for prefix, kind in _OOXML_PARTS.items():
            if any(n.startswith(prefix) for n in names):
                return kind
    raise ValidationError(
        _("ZIP archives are not accepted; attach the documents themselves."), code="archive"
    )


def sniff(file: IO[bytes], name: str) -> FileType:
    """The accepted format ``file`` is, or a ValidationError saying why it is not kept.

    ``name`` is only used for what the content cannot tell apart (which Office 97-2003
    program wrote a compound file), and to refuse a name that contradicts the content.
    """
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    ext = os.path.splitext(name)[1].lower()
    found: FileType | None = None
    if head.startswith(b"%PDF-"):
        found = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
        found = HEIC
    elif head.startswith(b"PK\x03\x04"):
        found = _zip_type(file)
        file.seek(0)
    elif head.startswith(_OLE2):
        found = {".doc": DOC, ".xls": XLS, ".ppt": PPT}.get(ext)
        if found is None:
            raise ValidationError(
                _(
                    "The file is an Office 97-2003 document but its name ends in “%(ext)s”; name it "
                    ".doc, .xls or .ppt as it is."
                )
                % {"ext": ext or "—"},
                code="extension",
            )
    if found is None:
        raise ValidationError(
            _("This kind of file is not accepted. Accepted: %(accepted)s") % {"accepted": accept_hint()},
            code="type",
        )
    if ext not in found.extensions:
        raise ValidationError(
            _(
                "The file's content is %(kind)s but its name ends in “%(ext)s”. Rename it to end in "
                "%(expected)s and upload it again."
            )
            % {"kind": found.label, "ext": ext or "—", "expected": " / ".join(found.extensions)},
            code="extension",
        )
    return found


def check(file: IO[bytes], name: str, size: int) -> FileType:
    """Refuse an empty or oversized file, then :func:`sniff` it."""
    if size <= 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if size > max_bytes():
        raise ValidationError(
            _("The file is %(size)s; files of at most %(limit)s are accepted.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes())},
            code="too_large",
        )
    return sniff(file, name)
