"""The import pipeline through the database: dry runs, all or nothing, partial imports,
idempotence, updates, reverts, scope, rollups, the CLI, the template and the error report."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from python_calamine import CalamineWorkbook

from uplift.core.models import AuditEntry
from uplift.imports import services
from uplift.imports.choices import RunStatus
from uplift.imports.kinds import KINDS
from uplift.imports.models import ImportChange, ImportRun
from uplift.imports.workbooks import write_template
from uplift.registry import services as registry
from uplift.registry.models import Enterprise

HEADER = KINDS["enterprises"].headers(
    "credit_code", "name", "region", "industry", "size_class", "employees", "annual_revenue"
)


def rows_csv(rows: list[list[object]], header: list[str] = HEADER, title: str | None = None) -> io.BytesIO:
    out = io.StringIO()
    if title:
        out.write(title + "\n")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(out.getvalue().encode("utf-8-sig"))


def firm(w, serial: int, region: str = "420984", **changes) -> list[object]:
    row = {
        "code": w.code(region, serial),
        "name": f"汉川测试企业{serial}",
        "region": region,
        "industry": "24",
        "size": "小型",
        "employees": "1,200",
        "revenue": "12,800,000",
    }
    row.update(changes)
    return list(row.values())


def run(w, rows, user=None, **kwargs) -> ImportRun:
    return services.import_file(
        actor=user or w.officer, kind="enterprises", file=rows_csv(rows), name="firms.csv", **kwargs
    )


def test_an_import_creates_the_records_with_their_values_and_audits_the_file(w):
    result = run(w, [firm(w, 101), firm(w, 102)])
    assert (result.status, result.rows, result.created, result.rejected) == (RunStatus.IMPORTED, 2, 2, 0)
    made = Enterprise.objects.get(credit_code=w.code("420984", 101))
    assert (made.name, made.region_id, made.industry_id, made.size_class) == (
        "汉川测试企业101",
        "420984",
        "24",
        "small",
    )
    assert (made.employees, made.annual_revenue) == (1200, 12_800_000)
    assert result.header_row == 1 and len(result.sha256) == 64 and result.region_id == "420000"
    entry = AuditEntry.objects.filter(action="imports.importrun.import").latest("seq")
    assert entry.after["sha256"] == result.sha256 and entry.after["created"] == 2
    assert entry.actor == w.officer


def test_a_dry_run_says_what_would_happen_and_writes_nothing(w):
    before = Enterprise.objects.count()
    result = run(w, [firm(w, 101), firm(w, 102, region="999999")], dry_run=True)
    assert (result.status, result.created, result.rejected) == (RunStatus.CHECKED, 1, 1)
    assert Enterprise.objects.count() == before
    assert not ImportChange.objects.exists()
    assert [(p.row, p.field) for p in result.problems.all()] == [(3, "region")]


def test_any_rejected_row_rejects_the_whole_file(w):
    before = Enterprise.objects.count()
    result = run(w, [firm(w, 101), firm(w, 102, code="91420984MA49A1B2C0")])
    assert result.status == RunStatus.REJECTED and result.rejected == 1
    assert Enterprise.objects.count() == before
    problem = result.problems.get()
    assert (problem.row, problem.field) == (3, "credit_code")
    assert "check character" in problem.message


def test_a_failure_late_in_the_file_leaves_nothing_of_the_batches_before(w, monkeypatch):
    """Batches are written as the file is read; a bad row after them undoes them all."""
    monkeypatch.setattr(type(KINDS["enterprises"]), "batch_size", 2)
    before = Enterprise.objects.count()
    rows = [firm(w, 100 + i) for i in range(7)] + [firm(w, 200, industry="XX")]
    result = run(w, rows)
    assert result.status == RunStatus.REJECTED
    assert (result.rows, result.created, result.rejected) == (8, 7, 1)
    assert Enterprise.objects.count() == before
    assert not ImportChange.objects.exists()


def test_partial_imports_the_valid_rows_only_when_asked(w):
    result = run(w, [firm(w, 101), firm(w, 102, employees="many")], partial=True)
    assert (result.status, result.created, result.rejected) == (RunStatus.IMPORTED, 1, 1)
    assert Enterprise.objects.filter(credit_code=w.code("420984", 101)).exists()
    assert not Enterprise.objects.filter(credit_code=w.code("420984", 102)).exists()


def test_importing_the_same_file_twice_changes_nothing_the_second_time(w):
    rows = [firm(w, 101), firm(w, 102)]
    run(w, rows)
    snapshot = list(Enterprise.objects.order_by("pk").values())
    again = run(w, rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(Enterprise.objects.order_by("pk").values()) == snapshot


def test_a_registered_code_updates_only_what_changed_and_bumps_the_version(w):
    ent = w.ent_in
    rows = [[ent.credit_code, ent.name, ent.region_id, ent.industry_id, "中型", "300", ""]]
    result = run(w, rows)
    assert (result.created, result.updated) == (0, 1)
    ent.refresh_from_db()
    assert (ent.size_class, ent.employees, ent.version) == ("medium", 300, 2)
    change = result.changes.get()
    assert change.before == {"size_class": "", "employees": None}


def test_a_row_repeating_a_key_of_the_file_is_rejected_naming_the_first(w):
    result = run(w, [firm(w, 101), firm(w, 101, name="又一家")], dry_run=True)
    problem = result.problems.get()
    assert problem.row == 3 and "row 2" in problem.message


def test_an_officer_imports_only_inside_their_area(w):
    outside = run(w, [firm(w, 101, region="430102")])
    assert outside.problems.get().field == "region"
    # A registered enterprise of another province cannot be changed through an import either.
    theirs = w.ent_out
    rows = [[theirs.credit_code, "改名", "420984", "24", "", "", ""]]
    result = run(w, rows)
    assert result.status == RunStatus.REJECTED
    assert "outside your bureau" in result.problems.get(field="credit_code").message
    theirs.refresh_from_db()
    assert theirs.name == "长沙远大机械有限公司"


def test_an_unreadable_file_fails_with_a_message_and_writes_nothing(w):
    before = Enterprise.objects.count()
    result = services.import_file(
        actor=w.officer, kind="enterprises", file=io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"\0" * 64), name="a.csv"
    )
    assert result.status == RunStatus.FAILED and "not a spreadsheet" in result.message
    assert Enterprise.objects.count() == before


def test_a_sheet_without_the_required_columns_names_them(w):
    file = rows_csv([["x", "y"]], header=["企业名称", "地址"])
    result = services.import_file(actor=w.officer, kind="enterprises", file=file, name="a.csv")
    assert result.status == RunStatus.FAILED and "统一社会信用代码" in result.message


def test_a_title_row_above_the_header_is_skipped(w):
    file = rows_csv([firm(w, 101)], title="2018年汉川市企业名单")
    result = services.import_file(actor=w.officer, kind="enterprises", file=file, name="a.csv")
    assert (result.header_row, result.created) == (2, 1)


def test_a_user_without_the_permission_cannot_import(w):
    with pytest.raises(ValidationError):
        run(w, [firm(w, 101)], user=w.institution_user)
    with pytest.raises(ValidationError):
        services.import_file(actor=w.officer, kind="nothing", file=rows_csv([]), name="a.csv")


def test_revert_deletes_what_the_import_created_and_restores_what_it_changed(w):
    ent = w.ent_in
    result = run(w, [firm(w, 101), [ent.credit_code, "新名称", ent.region_id, ent.industry_id, "", "", ""]])
    assert (result.created, result.updated) == (1, 1)
    services.import_revert(actor=w.officer, run=result)
    assert not Enterprise.objects.filter(credit_code=w.code("420984", 101)).exists()
    ent.refresh_from_db()
    assert ent.name == "仙桃华美服饰有限公司"
    result.refresh_from_db()
    assert result.status == RunStatus.REVERTED and result.reverted_at is not None
    with pytest.raises(ValidationError, match="Only an import"):
        services.import_revert(actor=w.officer, run=result)


def test_revert_is_refused_when_a_record_was_changed_since(w):
    result = run(w, [firm(w, 101)])
    made = Enterprise.objects.get(credit_code=w.code("420984", 101))
    registry.enterprise_update(actor=w.officer, instance=made, name="后来改的名字", version=made.version)
    with pytest.raises(ValidationError, match="changed since"):
        services.import_revert(actor=w.officer, run=result)
    assert Enterprise.objects.filter(pk=made.pk, name="后来改的名字").exists()


def test_revert_is_refused_when_a_created_record_is_used_by_others(w):
    result = run(w, [firm(w, 101)])
    made = Enterprise.objects.get(credit_code=w.code("420984", 101))
    registry.cluster_membership_create(
        actor=None, cluster=w.cluster_in, enterprise=made, joined_on=datetime.date(2018, 5, 1)
    )
    with pytest.raises(ValidationError, match="used by others"):
        services.import_revert(actor=w.officer, run=result)
    assert Enterprise.objects.filter(pk=made.pk).exists()


def test_rollups_follow_an_import_that_moves_a_served_enterprise(w, d):
    from uplift.programmes import rollups

    ent = w.ent_in
    result = run(w, [[ent.credit_code, ent.name, "420984", ent.industry_id, "", "", ""]])
    assert result.updated == 1
    assert rollups.differences(w.programme_in) == []
    services.import_revert(actor=w.officer, run=result)
    assert rollups.differences(w.programme_in) == []


def test_the_template_filled_in_as_shown_imports_cleanly(w, tmp_path: Path):
    path = tmp_path / "template.xlsx"
    write_template(KINDS["enterprises"], str(path))
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names[1] == "Instructions"
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][0] == "统一社会信用代码*"
    with path.open("rb") as f:
        result = services.import_file(
            actor=w.officer, kind="enterprises", file=f, name=path.name, dry_run=True
        )
    assert (result.status, result.created, result.rejected) == (RunStatus.CHECKED, 1, 0), list(
        result.problems.values_list("row", "field", "message")
    )


def test_the_cli_exits_non_zero_with_an_error_report_marking_the_bad_cells(w, tmp_path: Path):
    path = tmp_path / "firms.csv"
    path.write_bytes(rows_csv([firm(w, 101), firm(w, 102, region="999999")]).getvalue())
    with pytest.raises(CommandError, match="1 rows rejected"):
        call_command(
            "import",
            "enterprises",
            str(path),
            "--user",
            "officer",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    report = Path(f"{path}.errors.xlsx")
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_index(0).to_python()
    assert rows[0][-1] == "Problems"
    assert "Unknown region 999999" in rows[2][-1] and rows[1][-1] in ("", None)
    assert not Enterprise.objects.filter(credit_code=w.code("420984", 101)).exists()
    out = io.StringIO()
    call_command("import", "enterprises", "--template", str(tmp_path / "t.xlsx"), stdout=out)
    assert (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_has_a_template_its_own_reader_accepts(name, tmp_path: Path):
    from uplift.imports.reading import open_sheet

    kind = KINDS[name]
    path = tmp_path / f"{name}.xlsx"
    write_template(kind, str(path))
    with path.open("rb") as f:
        sheet = open_sheet(f, path.name, kind.columns)
        assert sheet.header_row == 1
        assert set(sheet.columns) == {f.name for f in kind.fields}
        assert len(list(sheet.rows())) == 1  # the example row


# Outside a test transaction (the worker takes the task in its own), with the reference data put
# back afterwards for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_queued_import_is_run_by_the_worker(tmp_path: Path):
    """The real path: the upload commits, the task row is enqueued, `uplift db_worker` runs it."""
    from uplift.core.testing import World
    from uplift.imports.services import import_queue

    w = World()
    run = import_queue(actor=w.officer, kind="enterprises", file=rows_csv([firm(w, 401)]), name="q.csv")
    assert run.status == RunStatus.QUEUED
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    run.refresh_from_db()
    assert (run.status, run.created) == (RunStatus.IMPORTED, 1)
    assert Enterprise.objects.filter(credit_code=w.code("420984", 401)).exists()


def test_the_stored_file_is_named_by_its_digest_whatever_the_upload_was_called(w):
    result = services.import_file(
        actor=w.officer, kind="enterprises", file=rows_csv([firm(w, 501)]), name="x.c/../../sv", dry_run=True
    )
    assert result.file.name == f"imports/{result.sha256[:2]}/{result.sha256}.sv"  # no path from the name
    assert result.file_name == "x.c/../../sv"  # kept as given, shown escaped
