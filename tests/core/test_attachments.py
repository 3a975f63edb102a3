"""Evidence files: what is kept (real type, size), who sees and changes them, removal, pages, API."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from uplift.core import uploads
from uplift.core.demo import sample_pdf, sample_png
from uplift.core.models import Attachment, AttachmentKind, AuditEntry
from uplift.core.services import attachment_add, attachment_remove
from uplift.core.testing import APITestCases, ViewTestCases
from uplift.delivery import services as delivery
from uplift.delivery.testing import DeliveryScenario

PDF = sample_pdf(["Sign-in sheet", "2018-07-10"])
PNG = sample_png(1)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def ooxml(part: str, *, macros: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{part}document.xml", "<w:document/>")
        if macros:
            z.writestr(f"{part}vbaProject.bin", b"\x00" * 10)
    return buf.getvalue()


# --- What is kept ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("签到表.pdf", PDF, "application/pdf"),
        ("现场.PNG", PNG, "image/png"),
        ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 40, "image/jpeg"),
        ("IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 40, "image/heic"),
        ("报告.docx", ooxml("word/"), uploads.DOCX.media_type),
        ("计算.xlsx", ooxml("xl/"), uploads.XLSX.media_type),
        ("旧表.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "application/vnd.ms-excel"),
    ],
)
def test_accepted_types_are_recognised_from_their_bytes(name, content, media_type):
    assert uploads.check(io.BytesIO(content), name, len(content)).media_type == media_type


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("invoice.pdf", b"MZ\x90\x00" + b"\x00" * 60, "type"),  # a Windows program named .pdf
        ("page.html", b"<html><script>alert(1)</script></html>", "type"),
        ("photo.pdf", PNG, "extension"),  # a real PNG under a misleading name
        ("report", PDF, "extension"),
        ("macro.docx", ooxml("word/", macros=True), "macros"),
        ("bundle.zip", ooxml("other/"), "archive"),
        ("broken.docx", b"PK\x03\x04garbage", "damaged"),
        ("old.txt", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 40, "extension"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_other_files_are_refused_saying_why(name, content, code):
    with pytest.raises(ValidationError) as exc:
        uploads.check(io.BytesIO(content), name, len(content))
    assert exc.value.code == code
    assert exc.value.messages[0]


def test_a_zip_bomb_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\x00" * (30 * 1024 * 1024))
    content = buf.getvalue()
    with pytest.raises(ValidationError) as exc:
        uploads.check(io.BytesIO(content), "big.docx", len(content))
    assert exc.value.code == "zip_bomb"


def test_size_limit_is_a_setting(settings):
    settings.UPLIFT_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        uploads.check(io.BytesIO(PDF), "a.pdf", len(PDF))
    assert exc.value.code == "too_large"
    assert "100" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\li\\签到表.pdf", "签到表.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("a\x00b\r\n.pdf", "ab.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
        ("", "file"),
    ],
)
def test_file_names_are_made_safe(raw, clean):
    assert uploads.clean_name(raw) == clean


# --- The service ------------------------------------------------------------------------------


def test_attach_stores_the_bytes_once_under_their_hash(d, w):
    first = attachment_add(
        actor=w.institution_user, parent=d.draft, file=upload("签到表.pdf", PDF), kind=AttachmentKind.SIGN_IN
    )
    again = attachment_add(
        actor=w.officer, parent=d.draft, file=upload("同一份.pdf", PDF), kind=AttachmentKind.SIGN_IN
    )
    assert first.sha256 == again.sha256 and first.file.name == again.file.name
    assert first.file.name.endswith(f"{first.sha256}.pdf")
    with first.file.open("rb") as f:
        assert f.read() == PDF
    assert (first.name, first.size, first.uploaded_by) == ("签到表.pdf", len(PDF), w.institution_user)
    entry = AuditEntry.objects.filter(action="core.attachment.create").first()
    assert entry.after["sha256"] == first.sha256


def test_a_refused_file_writes_nothing_but_the_refusal(d, w):
    before = Attachment.objects.count()
    with pytest.raises(ValidationError) as exc:
        attachment_add(actor=w.officer, parent=d.draft, file=upload("x.pdf", PNG), kind=AttachmentKind.PHOTO)
    assert "file" in exc.value.message_dict
    assert Attachment.objects.count() == before
    assert AuditEntry.objects.filter(action="core.attachment.create_refused").exists()


def test_evidence_freezes_with_its_record(d, w):
    # An approved activity's, a submitted claim's and a closed problem's files no longer change.
    with pytest.raises(ValidationError, match="no longer change"):
        attachment_add(actor=w.institution_user, parent=d.approved, file=upload("a.pdf", PDF), kind="photo")
    delivery.benefit_submit(actor=w.institution_user, benefit=d.benefit)
    d.benefit.refresh_from_db()
    with pytest.raises(ValidationError, match="no longer change"):
        attachment_add(actor=w.institution_user, parent=d.benefit, file=upload("a.pdf", PDF), kind="report")
    # ... but the system files evidence of past records in any state (imports, the demo).
    assert attachment_add(actor=None, parent=d.approved, file=upload("a.pdf", PDF), kind="photo").pk


def test_only_who_may_change_the_record_attaches(d, w):
    # The enterprise sees its problem but does not change it; Hunan's officer does not see it.
    for actor in (w.enterprise_user, w.hunan_officer, w.nobody):
        with pytest.raises(ValidationError, match="may not change"):
            attachment_add(actor=actor, parent=d.problem, file=upload("a.pdf", PDF), kind="photo")


def test_removal_keeps_the_file_and_says_why(d, w):
    f = attachment_add(actor=w.institution_user, parent=d.draft, file=upload("a.pdf", PDF), kind="photo")
    with pytest.raises(ValidationError) as exc:
        attachment_remove(actor=w.institution_user, attachment=f, reason=" ")
    assert "reason" in exc.value.message_dict
    removed = attachment_remove(actor=w.institution_user, attachment=f, reason="传错了文件")
    assert removed.is_removed and removed.removed_by == w.institution_user
    assert Attachment.objects.filter(pk=f.pk).exists()
    with pytest.raises(ValidationError, match="already been removed"):
        attachment_remove(actor=w.officer, attachment=removed, reason="again")


def test_only_the_uploader_or_an_officer_removes(d, w):
    f = attachment_add(actor=w.officer, parent=d.draft, file=upload("a.pdf", PDF), kind="photo")
    with pytest.raises(ValidationError, match="Only the person"):
        attachment_remove(actor=w.institution_user, attachment=f, reason="不需要")
    # An officer removes even once the record is frozen (a file that should not have been sent).
    g = attachment_add(actor=None, parent=d.approved, file=upload("b.png", PNG), kind="photo")
    assert attachment_remove(actor=w.officer, attachment=g, reason="含个人信息").is_removed


def test_enterprises_see_files_of_their_records_but_not_sign_in_sheets(d, w):
    on_problem = attachment_add(actor=w.officer, parent=d.problem, file=upload("a.pdf", PDF), kind="photo")
    on_activity = attachment_add(actor=None, parent=d.approved, file=upload("s.pdf", PDF), kind="sign_in")
    visible = set(Attachment.objects.visible_to(w.enterprise_user).values_list("pk", flat=True))
    assert on_problem.pk in visible and on_activity.pk not in visible
    # The institution and the officer see both; Hunan sees neither.
    for user in (w.institution_user, w.officer):
        assert {on_problem.pk, on_activity.pk} <= set(
            Attachment.objects.visible_to(user).values_list("pk", flat=True)
        )
    assert not Attachment.objects.visible_to(w.hunan_officer).exists()


# --- Pages and API ----------------------------------------------------------------------------


def test_the_record_page_lists_its_files_and_uploads_one(client, d, w):
    client.force_login(w.institution_user)
    page = client.get(d.draft.get_absolute_url())
    attach = reverse("delivery:activity_attach", args=[d.draft.pk])
    assert attach.encode() in page.content
    form = client.get(attach)
    assert b'enctype="multipart/form-data"' in form.content
    response = client.post(
        attach, {"file": upload("签到表.pdf", PDF), "kind": "sign_in", "description": "上午场"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#attachments")
    f = Attachment.objects.get(name="签到表.pdf")
    page = client.get(d.draft.get_absolute_url())
    assert "签到表.pdf" in page.content.decode() and f.get_download_url().encode() in page.content
    download = client.get(f.get_download_url())
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == PDF


def test_a_bad_upload_on_the_page_names_the_file_field(client, d, w):
    client.force_login(w.institution_user)
    attach = reverse("delivery:activity_attach", args=[d.draft.pk])
    response = client.post(attach, {"file": upload("x.pdf", b"<script>alert(1)</script>"), "kind": "photo"})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not Attachment.objects.exists()


def test_a_frozen_record_offers_no_upload(client, d, w):
    client.force_login(w.institution_user)
    page = client.get(d.approved.get_absolute_url())
    assert reverse("delivery:activity_attach", args=[d.approved.pk]).encode() not in page.content
    response = client.post(
        reverse("delivery:activity_attach", args=[d.approved.pk]),
        {"file": upload("a.pdf", PDF), "kind": "photo"},
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not Attachment.objects.exists()


def test_download_out_of_scope_is_404(client, d, w):
    f = attachment_add(actor=None, parent=d.activity_out, file=upload("a.pdf", PDF), kind="photo")
    client.force_login(w.officer)
    assert client.get(f.get_download_url()).status_code == 404
    client.force_login(w.nobody)
    assert client.get(f.get_download_url()).status_code == 403


def test_api_attach_answers_the_file_and_downloads_it(client, d, w):
    client.force_login(w.institution_user)
    url = reverse("api:problem-attach", args=[d.problem.pk])
    response = client.post(url, {"file": upload("整改照片.png", PNG), "kind": "photo"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["record_type"] == "delivery.problem" and body["object_id"] == d.problem.pk
    assert body["media_type"] == "image/png"
    listed = client.get(
        reverse("api:attachment-list"), {"record": "delivery.problem", "object_id": d.problem.pk}
    )
    assert [r["id"] for r in listed.json()["results"]] == [body["id"]]
    download = client.get(reverse("api:attachment-download", args=[body["id"]]))
    assert b"".join(download.streaming_content) == PNG
    bad = client.post(url, {"file": upload("a.png", PDF), "kind": "photo"})
    assert bad.status_code == 400 and "file" in bad.json()


def test_api_remove_needs_a_reason(client, d, w):
    f = attachment_add(actor=w.institution_user, parent=d.draft, file=upload("a.pdf", PDF), kind="photo")
    client.force_login(w.institution_user)
    url = reverse("api:attachment-remove", args=[f.pk])
    assert client.post(url, {}, content_type="application/json").status_code == 400
    response = client.post(url, {"reason": "重复"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["removed_at"]


class TestAttachment(ViewTestCases, APITestCases):
    model = Attachment
    api_basename = "attachment"
    editable = False

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.d = DeliveryScenario(cls.w)
        cls.f_in = attachment_add(actor=None, parent=cls.d.draft, file=upload("in.pdf", PDF), kind="sign_in")
        cls.f_out = attachment_add(
            actor=None, parent=cls.d.activity_out, file=upload("out.pdf", PDF), kind="sign_in"
        )

    @classmethod
    def inside(cls, w):
        return cls.f_in

    @classmethod
    def outside(cls, w):
        return cls.f_out


def test_verify_finds_missing_and_altered_files(d, w):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    good = attachment_add(actor=None, parent=d.draft, file=upload("a.pdf", PDF), kind="photo")
    call_command("attachments", "verify", stdout=io.StringIO())
    own = sample_png(99)  # bytes no other test stores: the blob is shared by content
    altered = attachment_add(actor=None, parent=d.draft, file=upload("b.png", own), kind="photo")
    with altered.file.storage.open(altered.file.name, "wb") as f:
        f.write(own + b"tampered")
    with pytest.raises(CommandError, match="1 of 2"):
        call_command("attachments", "verify", stdout=io.StringIO(), stderr=io.StringIO())
    assert good.pk


def test_the_file_list_costs_the_same_with_more_files_and_kinds_of_record(client, d, w):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    attachment_add(actor=None, parent=d.draft, file=upload("a.pdf", PDF), kind="photo")
    client.force_login(w.officer)

    def queries():
        client.get("/files/")
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/files/").status_code == 200
        return len(ctx.captured_queries)

    before = queries()
    attachment_add(actor=None, parent=d.problem, file=upload("b.pdf", PDF), kind="photo")
    attachment_add(actor=None, parent=d.benefit, file=upload("c.pdf", PDF), kind="report")
    attachment_add(actor=None, parent=d.report, file=upload("d.pdf", PDF), kind="report")
    attachment_add(actor=None, parent=d.problem, file=upload("e.pdf", PDF), kind="photo")
    # One more query per kind of record (the prefetch), none per file.
    assert queries() == before + 3
