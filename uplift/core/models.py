"""Base models shared by every app: timestamps, scoped querysets and the audit trail."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from uplift.accounts.models import User


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows how to narrow itself to what one user may see.

    ``visible_to(user)`` is the only way views, the API, reports and exports read scoped rows; the
    rule for each model lives in :mod:`uplift.accounts.access`, nowhere else.
    """

    def visible_to(self, user: User | AnonymousUser) -> ScopedQuerySet:
        from uplift.accounts import access

        return access.restrict(self, user)


ScopedManager = models.Manager.from_queryset(ScopedQuerySet)


class TimestampedModel(models.Model):
    """Abstract base: when a record was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, editable=False)

    class Meta:
        abstract = True


class ScopedModel(TimestampedModel):
    """Abstract base of every record whose visibility depends on who asks.

    ``version`` counts saves: an edit states the version it was based on, and a save based on a
    stale version is refused (:class:`uplift.core.services.ConflictError`), never silently lost.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ScopedManager()

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        meta = self._meta
        return reverse(f"{meta.app_label}:{meta.model_name}_detail", args=[self.pk])


#: How the verbs of service names (``<entity>_<verb>``) read in the audit trail. The workflow verbs
#: have their own context: a status of the same English word ("Accepted", "Closed") reads
#: differently in Chinese (已验收, 已办结) from the act it names (接受, 关闭).
VERB_LABELS = {
    "create": _("Created"),
    "update": _("Changed"),
    "bulk_create": _("Bulk-created"),
    "start": _("Started"),
    "write": _("Written"),
    "accept": pgettext_lazy("audit verb", "Accepted"),
    "adopt": pgettext_lazy("audit verb", "Adopted"),
    "agree": pgettext_lazy("audit verb", "Agreed"),
    "answer": pgettext_lazy("audit verb", "Answered"),
    "approve": pgettext_lazy("audit verb", "Approved"),
    "assign": pgettext_lazy("audit verb", "Assigned"),
    "award": pgettext_lazy("audit verb", "Awarded"),
    "cancel": pgettext_lazy("audit verb", "Cancelled"),
    "close": pgettext_lazy("audit verb", "Closed"),
    "complete": pgettext_lazy("audit verb", "Completed"),
    "compute": pgettext_lazy("audit verb", "Computed"),
    "consensus": pgettext_lazy("audit verb", "Consensus reached"),
    "correct": pgettext_lazy("audit verb", "Corrected"),
    "declare": pgettext_lazy("audit verb", "Declared"),
    "disqualify": pgettext_lazy("audit verb", "Disqualified"),
    "draw": pgettext_lazy("audit verb", "Drawn"),
    "fail": pgettext_lazy("audit verb", "Failed"),
    "grade": pgettext_lazy("audit verb", "Graded"),
    "import": pgettext_lazy("audit verb", "Imported"),
    "open": pgettext_lazy("audit verb", "Opened"),
    "publish": pgettext_lazy("audit verb", "Published"),
    "queue": pgettext_lazy("audit verb", "Queued"),
    "reject": pgettext_lazy("audit verb", "Rejected"),
    "remove": pgettext_lazy("audit verb", "Removed"),
    "reopen": pgettext_lazy("audit verb", "Reopened"),
    "replace": pgettext_lazy("audit verb", "Replaced"),
    "respond": pgettext_lazy("audit verb", "Responded"),
    "return": pgettext_lazy("audit verb", "Returned"),
    "revert": pgettext_lazy("audit verb", "Reverted"),
    "revoke": pgettext_lazy("audit verb", "Revoked"),
    "route": pgettext_lazy("audit verb", "Routed"),
    "save": pgettext_lazy("audit verb", "Saved"),
    "score": pgettext_lazy("audit verb", "Scored"),
    "submit": pgettext_lazy("audit verb", "Submitted"),
    "to_activity": pgettext_lazy("audit verb", "Answered with an activity"),
    "to_problem": pgettext_lazy("audit verb", "Recorded as a problem"),
    "verify": pgettext_lazy("audit verb", "Verified"),
    "withdraw": pgettext_lazy("audit verb", "Withdrawn"),
}


def entry_content(entry: Any) -> dict[str, Any]:
    """What an audit entry's hash covers: every field but the hashes themselves, as stored.

    A plain function so migrations, whose historical models have no methods, hash the same way.
    """
    return {
        "seq": entry.seq,
        # Milliseconds: what Django's serializers keep, so a backup restores to the same hash.
        "at": entry.at.astimezone(datetime.UTC).isoformat(timespec="milliseconds"),
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "actor_roles": entry.actor_roles,
        "address": entry.address,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "object_repr": entry.object_repr,
        "before": entry.before,
        "after": entry.after,
    }


def chain_hash(prev_hash: str, content: dict[str, Any]) -> str:
    """SHA-256 over the previous entry's hash and this entry's canonical JSON."""
    body = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


GENESIS_HASH = "0" * 64


class RegionOfEnterprise:
    """A fact row that carries its enterprise's region (rule 4 of the design: scoping and figures
    slice by an indexed code, never by a join). The region is copied whenever the row is validated
    or saved, so services and forms never set it; a row without an enterprise may name another
    source by overriding :meth:`region_source`."""

    def region_source(self) -> Any:
        return self.enterprise if self.enterprise_id else None

    def _copy_region(self) -> None:
        source = self.region_source()
        if source is not None:
            self.region_id = source.region_id

    def full_clean(self, *args: Any, **kwargs: Any) -> None:
        self._copy_region()
        super().full_clean(*args, **kwargs)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._copy_region()
        super().save(*args, **kwargs)


class AuditEntryQuerySet(ScopedQuerySet):
    """Audit entries are written once, by :func:`uplift.core.audit.record`, and never changed."""

    def update(self, **kwargs):
        raise PermissionError("Audit entries cannot be changed.")

    def delete(self):
        raise PermissionError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    """One service call that changed something: who, in which role, when, from where, what,
    before and after.

    Written by :func:`uplift.core.audit.record` from inside each service's transaction, so an
    entry exists exactly when the change it describes was committed. Entries form a hash chain:
    each stores the SHA-256 of its own content and of its predecessor's hash, so changing,
    removing or inserting an entry anywhere breaks every later link (``uplift audit verify``).
    The application never updates or deletes an entry.
    """

    seq = models.PositiveBigIntegerField(_("sequence"), unique=True, editable=False)
    at = models.DateTimeField(_("time"), db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("actor name"), max_length=150, blank=True)
    actor_roles = models.CharField(_("roles"), max_length=200, blank=True)
    address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=255, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, unique=True, editable=False)

    objects = models.Manager.from_queryset(AuditEntryQuerySet)()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-seq"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("core:auditentry_detail", args=[self.pk])

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("Audit entries cannot be deleted.")

    def content(self) -> dict[str, Any]:
        return entry_content(self)

    def compute_hash(self) -> str:
        return chain_hash(self.prev_hash, entry_content(self))

    def subject_model(self) -> type[models.Model] | None:
        """The model of the record the entry is about, if it still exists in the code."""
        try:
            return apps.get_model(self.object_type) if self.object_type else None
        except (LookupError, ValueError):
            return None

    @property
    def verb(self) -> str:
        return self.action.rsplit(".", 1)[-1]

    def action_label(self) -> str:
        """The action for people: "新增 企业" rather than ``registry.enterprise.create``."""
        model = self.subject_model()
        name = self.verb.removesuffix("_refused")
        verb = VERB_LABELS.get(name, name.replace("_", " "))
        if name != self.verb:
            verb = _("Refused: %(action)s") % {"action": verb}
        return f"{verb} {model._meta.verbose_name}" if model else str(verb)

    def changed_fields(self) -> list[dict[str, Any]]:
        """The fields whose value differs between before and after, labelled for display."""
        before, after = self.before or {}, self.after or {}
        labels: dict[str, str] = {}
        model = self.subject_model()
        if model is not None:
            for f in model._meta.concrete_fields + model._meta.many_to_many:
                labels[f.name] = labels[getattr(f, "attname", f.name)] = str(f.verbose_name)
        keys = sorted(set(before) | set(after))
        # A new record's empty fields are not news: show what it was created with.
        empty = (None, "", [], {})
        return [
            {"field": k, "label": labels.get(k, k), "before": before.get(k), "after": after.get(k)}
            for k in keys
            if before.get(k) != after.get(k) and not (before.get(k) is None and after.get(k) in empty)
        ]


class AuditChainHead(models.Model):
    """The end of the audit hash chain: one row, locked by each writer so entries form one line.

    On PostgreSQL ``SELECT ... FOR UPDATE`` on this row orders concurrent writers; on SQLite the
    IMMEDIATE transactions already do.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.seq} {self.hash[:12]}"


# --- Evidence files ----------------------------------------------------------------------------


class HasAttachments:
    """A record that takes evidence files (sign-in sheets, photos, reports): mix it into the model.

    The record's page then shows its files and, while :meth:`attachments_open`, an upload form to
    those who may change it; :class:`Attachment` rows are visible to exactly those who see the
    record (``uplift.accounts.access``), except that ``attachments_for_enterprises = False`` keeps
    them from enterprise users who see the record (a sign-in sheet names other firms' people).
    """

    attachments_for_enterprises: bool = True
    #: the relations the record's ``__str__`` reads, fetched with it where files list their record
    str_related: tuple[str, ...] = ()

    def attachments_open(self) -> bool:
        """Whether files may still be added or removed (evidence freezes once it has been judged)."""
        return True

    def attachment_sections(self) -> list[tuple[str, str]]:
        """The parts of the record a file can be evidence for, as (code, label) — a
        self-assessment's items, say; empty when files belong to the record as a whole."""
        return []


def attachment_parents() -> Any:
    """Prefetch the records a page of attachments belongs to — one query per kind of record, each
    with what its name needs — instead of one query per file."""
    from django.contrib.contenttypes.prefetch import GenericPrefetch

    return GenericPrefetch(
        "parent", [m._default_manager.select_related(*m.str_related) for m in attachable_models()]
    )


def attachable_models() -> list[type[models.Model]]:
    """Every installed model that takes attachments, in a stable order."""
    found = [m for m in apps.get_models() if issubclass(m, HasAttachments)]
    return sorted(found, key=lambda m: m._meta.label_lower)


class AttachmentKind(models.TextChoices):
    SIGN_IN = "sign_in", _("Sign-in sheet")
    PHOTO = "photo", _("Photo")
    REPORT = "report", _("Report")
    MINUTES = "minutes", _("Minutes")
    CERTIFICATE = "certificate", _("Certificate or proof")
    OTHER = "other", _("Other")


def attachment_path(instance: Attachment, filename: str) -> str:
    """Content-addressed: ``attachments/ab/cd/<sha256>.<ext>``. A file uploaded twice is stored
    once, a write rolled back leaves at worst a blob that the next upload of it reuses, and the
    name itself lets anyone check the bytes were not changed."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    h = instance.sha256
    return f"attachments/{h[:2]}/{h[2:4]}/{h}.{ext}"


class Attachment(ScopedModel):
    """One evidence file attached to a record (an activity, a problem, a benefit claim, a report).

    Only :func:`uplift.core.services.attachment_add` creates one, after checking the file's real
    type and size (:mod:`uplift.core.uploads`); it is never deleted: a wrong file is *removed* with
    a reason and stays readable to those who see its record, marked as removed.
    """

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    parent = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    name = models.CharField(_("file name"), max_length=255)
    description = models.CharField(_("description"), max_length=255, blank=True)
    section = models.CharField(
        _("part of the record"),
        max_length=40,
        blank=True,
        help_text=_("What part of the record the file is evidence for (an item of a self-assessment, say)."),
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255, editable=False)
    media_type = models.CharField(_("media type"), max_length=100, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    removal_reason = models.TextField(_("reason for removal"), blank=True, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_attachment_parent")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_removed(self) -> bool:
        return self.removed_at is not None

    @property
    def format_label(self) -> str:
        """PDF, Excel, JPEG...: the checked format, as people name it."""
        from .uploads import ACCEPTED

        return next((t.label for t in ACCEPTED if t.media_type == self.media_type), self.media_type)

    def get_download_url(self) -> str:
        return reverse("core:attachment_download", args=[self.pk])


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being written")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


def export_path(instance: ExportRun, filename: str) -> str:
    """``exports/2026/11/<random>.xlsx``: the name says nothing, only its owner reads it."""
    import secrets

    return f"exports/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.xlsx"


class ExportRun(ScopedModel):
    """A list exported in the background, because it holds more rows than one request should
    write (``settings.UPLIFT_EXPORT_INLINE_ROWS``): the list, its filters as the user set them,
    and once written the file, which only its owner may download.

    The rows are those the owner may see when the export runs (their scope applies then, as on
    the page); :func:`uplift.core.exports.export_run` writes it.
    """

    list_name = models.CharField(_("list"), max_length=100, help_text=_("The list's page, by URL name."))
    query = models.TextField(_("filters"), blank=True, help_text=_("The list's filters, as in its address."))
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=10)
    status = models.CharField(_("status"), max_length=10, choices=ExportStatus.choices)
    rows = models.PositiveIntegerField(_("rows written"), default=0)
    expected = models.PositiveIntegerField(_("rows to write"), default=0)
    file = models.FileField(_("file"), upload_to=export_path, max_length=255, editable=False, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    seconds = models.FloatField(_("seconds"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("exported by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        when = timezone.localtime(self.created_at) if self.created_at else None
        return f"{self.title} · {when:%Y-%m-%d %H:%M}" if when else self.title

    @property
    def file_name(self) -> str:
        """What the download is called: the list's name and the export's time."""
        when = timezone.localtime(self.created_at)
        return f"{self.list_name.split(':')[-1].removesuffix('_list')}-{when:%Y%m%d-%H%M}.xlsx"
