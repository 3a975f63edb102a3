"""Writing many records at once (imports): COPY on PostgreSQL, the ORM's bulk methods elsewhere —
the same rows either way."""

from __future__ import annotations

import datetime

from uplift.core.bulk import create_objects, update_objects
from uplift.imports.models import ImportChange, ImportRun
from uplift.registry.models import Enterprise


def test_created_objects_get_their_keys_and_timestamps_and_read_back_the_same(w):
    firms = [
        Enterprise(
            credit_code=w.code("420102", 500 + n), name=f"武汉批量{n}", region_id="420102", industry_id="18"
        )
        for n in range(5)
    ]
    made = create_objects(Enterprise, firms)
    assert [f.pk for f in made] == sorted(f.pk for f in made) and all(f.pk for f in made)
    assert all(f.created_at and f.updated_at for f in made) and not made[0]._state.adding
    stored = Enterprise.objects.in_bulk([f.pk for f in made])
    assert [(stored[f.pk].credit_code, stored[f.pk].name, stored[f.pk].version) for f in made] == [
        (f.credit_code, f.name, 1) for f in made
    ]
    more = create_objects(
        Enterprise,
        [
            Enterprise(
                credit_code=w.code("420102", 520), name="武汉批量后", region_id="420102", industry_id="18"
            )
        ],
    )
    assert more[0].pk > made[-1].pk  # the sequence moved on: the ORM's next insert does not clash
    Enterprise.objects.create(
        credit_code=w.code("420102", 521), name="武汉单个", region_id="420102", industry_id="18"
    )


def test_updated_objects_change_only_the_named_fields(w):
    firms = create_objects(
        Enterprise,
        [
            Enterprise(
                credit_code=w.code("420102", 530 + n),
                name=f"武汉更新{n}",
                region_id="420102",
                industry_id="18",
            )
            for n in range(3)
        ],
    )
    for f in firms:
        f.name = f.name + "（新）"
        f.version = 2
        f.updated_at = datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC)
        f.region_id = "420103"  # changed on the object but not named: not written
    update_objects(Enterprise, firms, ["name", "version", "updated_at"])
    stored = list(Enterprise.objects.filter(pk__in=[f.pk for f in firms]).order_by("pk"))
    assert [(s.name, s.version, s.region_id, s.updated_at.year) for s in stored] == [
        (f"武汉更新{n}（新）", 2, "420102", 2019) for n in range(3)
    ]


def test_json_values_are_written_as_json(w):
    import io

    from uplift.imports.services import import_file

    run = import_file(
        actor=w.officer,
        kind="enterprises",
        file=io.BytesIO("企业名称\n".encode()),
        name="x.csv",
        dry_run=True,
    )
    run = ImportRun.objects.get(pk=run.pk)
    changes = create_objects(
        ImportChange,
        [ImportChange(run=run, object_id=1, row=2, before={"name": "旧名", "n": 3}, version=2)],
    )
    assert ImportChange.objects.get(pk=changes[0].pk).before == {"name": "旧名", "n": 3}
