"""Pages and API of imports: the generic checks (scope, permissions, export) and the upload,
dry-run-then-import, error report, template and revert journeys."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from uplift.core.testing import APITestCases, ViewTestCases
from uplift.imports.choices import RunStatus
from uplift.imports.models import ImportRun
from uplift.imports.services import import_file
from uplift.registry.models import Enterprise

from .test_services import firm, rows_csv


def _upload(w, rows, name="firms.csv"):
    return SimpleUploadedFile(name, rows_csv(rows).getvalue(), content_type="text/csv")


class TestImportRun(ViewTestCases, APITestCases):
    model = ImportRun
    api_basename = "importrun"
    editable = False  # runs are made by uploading a file, not by a form of their fields

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        w = cls.w
        cls.run_in = import_file(
            actor=w.officer,
            kind="enterprises",
            file=rows_csv([firm(w, 301), firm(w, 302, region="999999")]),
            name="hubei.csv",
            dry_run=True,
        )
        cls.run_out = import_file(
            actor=w.hunan_officer,
            kind="enterprises",
            file=rows_csv([firm(w, 303, region="430102")]),
            name="hunan.csv",
            dry_run=True,
        )

    @classmethod
    def inside(cls, w):
        return cls.run_in

    @classmethod
    def outside(cls, w):
        return cls.run_out

    # An import is added by uploading a file (below), not through a form of the run's fields.
    test_read_only_has_no_add_page = None
    test_api_read_only_refuses_writes = None

    def test_the_upload_page_checks_a_file_and_shows_each_problem(self):
        self.login()
        page = self.client.get(reverse("imports:importrun_add"))
        self.assertContains(page, reverse("imports:template", args=["enterprises"]))
        response = self.client.post(
            reverse("imports:importrun_add"),
            {
                "kind": "enterprises",
                "file": _upload(self.w, [firm(self.w, 311, industry="XX")]),
                "dry_run": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        run = ImportRun.objects.latest("pk")
        self.assertEqual((run.status, run.rejected), (RunStatus.CHECKED, 1))
        detail = self.client.get(response["Location"])
        self.assertContains(detail, "Unknown industry division XX")
        report = self.client.get(reverse("imports:error_report", args=[run.pk]))
        self.assertEqual(report.status_code, 200)
        rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content)))
        self.assertIn("Unknown industry division XX", rows.get_sheet_by_index(0).to_python()[1][-1])

    def test_an_unreadable_upload_is_reported_on_the_run(self):
        self.login()
        bad = SimpleUploadedFile(
            "firms.xlsx", b"<script>alert(1)</script>' OR 1=1 --", content_type="text/plain"
        )
        response = self.client.post(reverse("imports:importrun_add"), {"kind": "enterprises", "file": bad})
        self.assertEqual(response.status_code, 302)
        run = ImportRun.objects.latest("pk")
        self.assertEqual(run.status, RunStatus.FAILED)
        page = self.client.get(response["Location"])
        self.assertNotContains(page, "<script>alert(1)</script>")

    def test_a_checked_file_is_imported_from_its_page_then_reverted(self):
        self.login()
        checked = import_file(
            actor=self.w.officer,
            kind="enterprises",
            file=rows_csv([firm(self.w, 321)]),
            name="ok.csv",
            dry_run=True,
        )
        response = self.client.post(reverse("imports:importrun_commit", args=[checked.pk]), {})
        self.assertEqual(response.status_code, 302)
        run = ImportRun.objects.latest("pk")
        self.assertEqual((run.status, run.created, run.dry_run), (RunStatus.IMPORTED, 1, False))
        self.assertTrue(Enterprise.objects.filter(credit_code=self.w.code("420984", 321)).exists())
        # Reverting asks for a confirmation first.
        url = reverse("imports:importrun_revert", args=[run.pk])
        self.assertEqual(self.client.post(url, {}).status_code, 200)
        self.assertEqual(self.client.post(url, {"confirm": "on"}).status_code, 302)
        self.assertFalse(Enterprise.objects.filter(credit_code=self.w.code("420984", 321)).exists())

    def test_the_template_and_the_error_report_follow_scope_and_permissions(self):
        self.login(self.w.institution_user)
        self.assertEqual(self.client.get(reverse("imports:template", args=["enterprises"])).status_code, 404)
        self.login()
        template = self.client.get(reverse("imports:template", args=["enterprises"]))
        self.assertEqual(template.status_code, 200)
        self.assertEqual(self.client.get(reverse("imports:template", args=["nothing"])).status_code, 404)
        out = reverse("imports:error_report", args=[self.run_out.pk])
        self.assertEqual(self.client.get(out).status_code, 404)

    def test_api_upload_then_problems_then_import(self):
        self.api_login()
        response = self.client.post(
            self.url(),
            {
                "kind": "enterprises",
                "file": _upload(self.w, [firm(self.w, 331), firm(self.w, 332, size="巨型")]),
                "dry_run": "true",
            },
        )
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertEqual((body["status"], body["created"], body["rejected"]), ("checked", 1, 1))
        problems = self.client.get(reverse("api:importrun-problems", args=[body["id"]])).json()["results"]
        self.assertEqual([(p["row"], p["field"]) for p in problems], [(3, "size_class")])
        commit = self.client.post(
            reverse("api:importrun-commit", args=[body["id"]]),
            {"partial": True},
            content_type="application/json",
        )
        self.assertEqual(commit.status_code, 200, commit.content)
        self.assertTrue(Enterprise.objects.filter(credit_code=self.w.code("420984", 331)).exists())

    def test_api_bad_upload_is_400_naming_the_field_and_runs_cannot_be_edited(self):
        self.api_login()
        response = self.client.post(self.url(), {"kind": "nothing", "file": _upload(self.w, [])})
        self.assertEqual(response.status_code, 400)
        self.assertIn("kind", response.json())
        patch = self.client.patch(self.url(self.run_in), {}, content_type="application/json")
        self.assertEqual(patch.status_code, 405)

    def test_a_large_upload_runs_in_the_background_and_its_page_follows_it(self):
        from django.test import override_settings
        from django_tasks_db.models import DBTaskResult

        from uplift.imports.tasks import run_import

        self.login()
        with override_settings(UPLIFT_IMPORT_INLINE_BYTES=10), self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("imports:importrun_add"),
                {"kind": "enterprises", "file": _upload(self.w, [firm(self.w, 341), firm(self.w, 342)])},
            )
        self.assertEqual(response.status_code, 302)
        run = ImportRun.objects.latest("pk")
        self.assertEqual(run.status, RunStatus.QUEUED)
        task = DBTaskResult.objects.get()
        self.assertEqual(task.args_kwargs["kwargs"], {"run_id": run.pk})
        page = self.client.get(response["Location"])
        self.assertContains(page, reverse("imports:progress", args=[run.pk]))
        self.assertContains(page, "Waiting for the background worker")
        self.assertEqual(self.client.get(reverse("imports:progress", args=[run.pk])).status_code, 200)
        # While it runs: the share done and the time left, from the file's row count.
        from django.core.cache import cache

        from uplift.core.progress import progress as _progress
        from uplift.imports.services import _progress_key

        ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
        cache.set(_progress_key(run.pk), _progress(30_000, 10.0, 120_000))
        running = self.client.get(reverse("imports:progress", args=[run.pk]))
        self.assertContains(running, "25.0%")
        self.assertContains(running, "30,000 of about 120,000 rows")
        self.assertContains(running, "about 30 s left")
        ImportRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED)
        # What the worker does with the task.
        self.assertEqual(run_import.call(run_id=run.pk), RunStatus.IMPORTED)
        run.refresh_from_db()
        self.assertEqual((run.status, run.created), (RunStatus.IMPORTED, 2))
        done = self.client.get(reverse("imports:progress", args=[run.pk]))
        self.assertEqual((done.status_code, done["HX-Refresh"]), (204, "true"))
        self.assertIsNone(run_import.call(run_id=run.pk))  # a run is executed once
