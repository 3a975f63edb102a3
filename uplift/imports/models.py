"""What the import pipeline keeps of each file it read: the run (who, when, which file, what it did),
the problems found per row and column, and the changes it made, so that a whole import can be
reverted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uplift.core.models import ScopedModel

from .choices import RunStatus


def import_path(instance: ImportRun, filename: str) -> str:
    """Content-addressed, like attachments: ``imports/ab/<sha256>.<ext>``."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    ext = "".join(c for c in ext if c.isascii() and c.isalnum())[:8] or "bin"  # never a path
    return f"imports/{instance.sha256[:2]}/{instance.sha256}.{ext}"


class ImportRun(ScopedModel):
    """One spreadsheet read by :func:`uplift.imports.services.import_file`: checked (a dry run),
    rejected (problems found, nothing written), imported, or later reverted.

    The file itself is identified by its name, size and SHA-256; the problems and changes are
    rows of :class:`ImportProblem` and :class:`ImportChange`.
    """

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    file_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    file = models.FileField(_("file"), upload_to=import_path, max_length=255, editable=False, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices)
    dry_run = models.BooleanField(_("dry run"), default=False)
    partial = models.BooleanField(
        _("import the valid rows"),
        default=False,
        help_text=_("Write the rows without problems even when others are rejected."),
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The bureau the importer acts for (officers of it and above see the run)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    header_row = models.PositiveIntegerField(_("header row"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    message = models.TextField(_("message"), blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    reverted_at = models.DateTimeField(_("reverted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        if not self.created_at:
            return self.file_name
        return f"{self.file_name} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"

    @property
    def kind_label(self) -> str:
        from .kinds import KINDS

        kind = KINDS.get(self.kind)
        return str(kind.label) if kind else self.kind

    def get_kind_display(self) -> str:
        """The kind's name as people say it (the detail page shows it for ``kind``)."""
        return self.kind_label

    @property
    def wrote(self) -> bool:
        """Whether the run changed records (and so can be reverted)."""
        return self.status == RunStatus.IMPORTED and bool(self.created or self.updated)


class ImportProblem(models.Model):
    """Why one cell (or row) of an import was rejected."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="problems")
    row = models.PositiveIntegerField(_("row"))
    field = models.CharField(_("column"), max_length=60, blank=True)
    message = models.TextField(_("problem"))

    class Meta:
        verbose_name = _("import problem")
        verbose_name_plural = _("import problems")
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"{self.row}: {self.message}"


class ImportChange(models.Model):
    """A record an import created (``before`` is null) or changed (``before`` holds the values it
    replaced): what reverting the import undoes. ``version`` is the record's version the import
    left, so a revert can tell a record someone changed since (and refuse to lose that change)."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="changes")
    object_id = models.PositiveBigIntegerField(_("record id"))
    row = models.PositiveIntegerField(_("row"))
    before = models.JSONField(_("values before"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version left"), default=1)

    class Meta:
        verbose_name = _("import change")
        verbose_name_plural = _("import changes")
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.object_id}"
