"""A backup restores into an empty database with every row, and the audit chain still verifies."""

import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from uplift.core import audit
from uplift.core.management.commands.backup import DERIVED, record_apps


def counts():
    """Every backed-up table's primary keys; the derived rollups' row counts (they are rebuilt,
    under new ids)."""
    return {
        m._meta.label: (
            m._default_manager.count()
            if m._meta.label in DERIVED
            else sorted(m._default_manager.values_list("pk", flat=True))
        )
        for label in record_apps()
        for m in apps.get_app_config(label).get_models()
    }


# Restoring needs an empty database: outside a test transaction (PostgreSQL cannot TRUNCATE
# inside one), with the reference data put back afterwards for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("suffix", [".json", ".json.gz"])
def test_round_trip_loses_nothing(w, d, tmp_path, suffix):
    """With a project's delivery (activities, participations, rollups) on top of the cast."""
    from uplift.registry.models import Enterprise

    before = counts()
    ent = Enterprise.objects.get(pk=w.ent_in.pk)
    target = tmp_path / f"uplift{suffix}"
    call_command("backup", str(target), stdout=io.StringIO())
    with pytest.raises(CommandError, match="empty database"):
        call_command("restore", str(target), stdout=io.StringIO())
    call_command("flush", interactive=False, verbosity=0)
    assert counts() != before
    out = io.StringIO()
    call_command("restore", str(target), stdout=out)
    assert "audit chain intact" in out.getvalue()
    assert counts() == before
    restored = Enterprise.objects.get(pk=ent.pk)
    assert (restored.credit_code, restored.name, restored.version) == (ent.credit_code, ent.name, ent.version)
    assert audit.verify()[1] is None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_archive_brings_back_every_stored_file(w, d, tmp_path):
    """Evidence attachments and imported spreadsheets come back byte for byte, under their names."""
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from uplift.core.demo import sample_pdf, sample_png
    from uplift.core.models import Attachment, AttachmentKind
    from uplift.core.services import attachment_add
    from uplift.imports.models import ImportRun
    from uplift.imports.services import import_start

    pdf, png = sample_pdf(["签到表", "2018-07-10"]), sample_png(2)
    for name, content in (("签到表.pdf", pdf), ("现场.png", png)):
        attachment_add(
            actor=w.institution_user,
            parent=d.draft,
            file=SimpleUploadedFile(name, content),
            kind=AttachmentKind.SIGN_IN if name.endswith("pdf") else AttachmentKind.PHOTO,
        )
    csv = (
        "统一社会信用代码,企业名称,所在地区,行业\n".encode()
        + f"{w.code('420102', 77)},武汉备份测试,420102,18\n".encode()
    )
    import_start(actor=w.officer, kind="enterprises", file=io.BytesIO(csv), name="名单.csv", dry_run=True)
    stored = {
        name: default_storage.open(name, "rb").read()
        for name in [a.file.name for a in Attachment.objects.all()]
        + [r.file.name for r in ImportRun.objects.all()]
    }
    assert len(stored) == 3
    before = counts()
    target = tmp_path / "uplift.tar.gz"
    out = io.StringIO()
    call_command("backup", str(target), stdout=out)
    assert "the records and 3 files" in out.getvalue()
    call_command("flush", interactive=False, verbosity=0)
    for name in stored:
        default_storage.delete(name)
    out = io.StringIO()
    call_command("restore", str(target), stdout=out)
    assert "and 3 files" in out.getvalue() and "audit chain intact" in out.getvalue()
    assert counts() == before
    for name, content in stored.items():
        assert default_storage.open(name, "rb").read() == content


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_tampered_file_restores_nothing(w, d, tmp_path):
    import tarfile

    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    from uplift.core.demo import sample_pdf
    from uplift.core.models import Attachment, AttachmentKind
    from uplift.core.services import attachment_add

    attachment_add(
        actor=w.institution_user,
        parent=d.draft,
        file=SimpleUploadedFile("签到表.pdf", sample_pdf(["签到表"])),
        kind=AttachmentKind.SIGN_IN,
    )
    name = Attachment.objects.get().file.name
    good = tmp_path / "good.tar"
    call_command("backup", str(good), stdout=io.StringIO())
    bad = tmp_path / "bad.tar"
    with tarfile.open(good) as source, tarfile.open(bad, "w") as target:
        for member in source:
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == f"files/{name}":
                data = data.replace(b"%PDF", b"%PDX")
            target.addfile(member, io.BytesIO(data) if data is not None else None)
    call_command("flush", interactive=False, verbosity=0)
    default_storage.delete(name)
    with pytest.raises(CommandError, match="does not match its SHA-256"):
        call_command("restore", str(bad), stdout=io.StringIO())
    assert not Attachment.objects.exists() and not default_storage.exists(name)
