"""Exports of long lists, written in the background: queued from the list with its filters, written
by the worker with the owner's scope, downloaded by the owner only."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from python_calamine import CalamineWorkbook

from uplift.core.exports import export_run, export_start
from uplift.core.models import ExportRun, ExportStatus
from uplift.core.tasks import run_export
from uplift.core.testing import APITestCases, ViewTestCases
from uplift.registry.models import Enterprise


def _rows(response) -> list[list]:
    body = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(body)).get_sheet_by_index(0).to_python()


class TestExportRun(ViewTestCases, APITestCases):
    model = ExportRun
    api_basename = "exportrun"
    editable = False  # an export is started from a list, not by a form of its fields
    test_api_read_only_refuses_writes = None  # POST starts an export (below)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.w
        common = {"list_name": "registry:enterprise_list", "query": "", "title": "企业", "language": "en"}
        cls.run_in = export_start(actor=w.officer, **common)
        cls.run_out = export_start(actor=w.hunan_officer, **common)

    @classmethod
    def inside(cls, w):
        return cls.run_in

    @classmethod
    def outside(cls, w):
        return cls.run_out


@pytest.fixture
def long_lists(settings):
    settings.UPLIFT_EXPORT_INLINE_ROWS = 0  # every list with a row is "long"


def _queue(client, url, query, capture):
    with capture(execute=True):  # the task is enqueued once the request's transaction commits
        response = client.get(url, {**query, "export": "xlsx"})
    assert response.status_code == 302, response
    return ExportRun.objects.latest("pk"), response


def test_a_long_list_is_exported_in_the_background_with_its_filters_and_the_owners_scope(
    w, client, long_lists, django_capture_on_commit_callbacks
):
    client.force_login(w.officer)
    for n in range(3):
        from uplift.registry import services as registry

        registry.enterprise_create(
            actor=None,
            credit_code=w.code("420102", 40 + n),
            name=f"武汉导出测试{n}",
            region_id="420102",
            industry_id="18",
        )
    run, response = _queue(
        client,
        reverse("registry:enterprise_list"),
        {"q": "导出测试", "page": "2"},
        django_capture_on_commit_callbacks,
    )
    assert response["Location"] == run.get_absolute_url()
    assert (run.status, run.created_by, run.query, run.list_name) == (
        ExportStatus.QUEUED,
        w.officer,
        "q=%E5%AF%BC%E5%87%BA%E6%B5%8B%E8%AF%95",
        "registry:enterprise_list",
    )
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["kwargs"] == {"run_id": run.pk}
    page = client.get(run.get_absolute_url())
    assert "Waiting for the background worker" in page.content.decode()
    # What the worker does with the task.
    assert run_export.call(run_id=run.pk) == ExportStatus.DONE
    run.refresh_from_db()
    assert (run.rows, run.expected) == (3, 3) and run.size > 0
    download = client.get(reverse("core:exportrun_download", args=[run.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="enterprise-')
    rows = _rows(download)
    assert sorted(c for r in rows[1:] for c in r if str(c).startswith("武汉导出测试")) == [
        f"武汉导出测试{n}" for n in range(3)
    ]
    assert client.get(reverse("core:exportrun_progress", args=[run.pk]))["HX-Refresh"] == "true"
    assert run_export.call(run_id=run.pk) is None  # an export is written once
    # Nobody else reads it, not even an officer above the owner.
    client.force_login(w.hunan_officer)
    assert client.get(reverse("core:exportrun_download", args=[run.pk])).status_code == 404
    assert client.get(run.get_absolute_url()).status_code == 404


def test_the_worker_writes_only_what_the_owner_may_see_then(
    w, client, long_lists, django_capture_on_commit_callbacks
):
    client.force_login(w.institution_user)
    run, _ = _queue(client, reverse("registry:enterprise_list"), {}, django_capture_on_commit_callbacks)
    export_run(run_id=run.pk)
    run.refresh_from_db()
    visible = Enterprise.objects.visible_to(w.institution_user).count()
    assert run.status == ExportStatus.DONE and run.rows == visible < Enterprise.objects.count()


def test_an_owner_who_lost_the_list_gets_nothing(w, client, long_lists, django_capture_on_commit_callbacks):
    client.force_login(w.officer)
    run, _ = _queue(client, reverse("registry:enterprise_list"), {}, django_capture_on_commit_callbacks)
    w.officer.is_active = False
    w.officer.save()
    export_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == ExportStatus.FAILED and "no longer read this list" in run.message
    assert not run.file


def test_the_running_export_shows_how_far_it_is(w, client, long_lists, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from uplift.core.exports import _progress_key
    from uplift.core.progress import progress

    client.force_login(w.officer)
    run, _ = _queue(client, reverse("registry:enterprise_list"), {}, django_capture_on_commit_callbacks)
    ExportRun.objects.filter(pk=run.pk).update(status=ExportStatus.RUNNING)
    cache.set(_progress_key(run.pk), progress(250_000, 50.0, 1_000_000))
    card = client.get(reverse("core:exportrun_progress", args=[run.pk])).content.decode()
    assert "25.0%" in card and "250,000 of about 1,000,000 rows" in card and "about 150 s left" in card


def test_a_short_list_is_still_written_at_once(w, client):
    client.force_login(w.officer)
    response = client.get(reverse("registry:enterprise_list"), {"export": "xlsx"})
    assert response.status_code == 200 and not ExportRun.objects.exists()


def test_an_unknown_list_is_refused(w):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="No list is called"):
        export_start(actor=w.officer, list_name="registry:nothing", query="", title="x", language="en")


@override_settings(UPLIFT_EXPORT_INLINE_ROWS=0)
def test_the_detail_page_offers_the_file_once_written(w, client):
    run = export_start(
        actor=w.officer, list_name="registry:industry_list", query="", title="行业", language="en"
    )
    export_run(run_id=run.pk)
    client.force_login(w.officer)
    page = client.get(run.get_absolute_url()).content.decode()
    assert reverse("core:exportrun_download", args=[run.pk]) in page
    assert "Only you can download this file" in page

    def test_api_starts_an_export_then_offers_its_file(self):
        self.login()
        url = reverse("api:exportrun-list")
        bad = self.client.post(url, {"list_name": "registry:nothing"}, content_type="application/json")
        self.assertEqual(bad.status_code, 400)
        self.assertIn("list_name", bad.json())
        refused = self.client.post(
            url, {"list_name": "core:auditentry_list"}, content_type="application/json"
        )
        self.assertEqual(refused.status_code, 400)  # an officer does not read the audit trail
        made = self.client.post(
            url,
            {"list_name": "registry:enterprise_list", "query": "region=420100"},
            content_type="application/json",
        )
        self.assertEqual(made.status_code, 201, made.content)
        self.assertEqual(made.json()["status"], "queued")
        download = reverse("api:exportrun-download", args=[made.json()["id"]])
        self.assertEqual(self.client.get(download).status_code, 404)  # not written yet
        export_run(run_id=made.json()["id"])
        answer = self.client.get(download)
        self.assertEqual(answer.status_code, 200)
        rows = _rows(answer)
        self.assertEqual(len(rows) - 1, Enterprise.objects.filter(region_id__startswith="4201").count())
