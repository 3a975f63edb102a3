"""Load the GB/T 2260 regions and GB/T 4754-2017 industries shipped in uplift/registry/data."""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
LEVELS = {"province": 0, "prefecture": 1, "county": 2, "section": 0, "division": 1}


def load(apps, schema_editor):
    Region = apps.get_model("registry", "Region")
    Industry = apps.get_model("registry", "Industry")
    with open(DATA / "regions_cn.csv", encoding="utf-8") as fh:
        regions = sorted(csv.DictReader(fh), key=lambda r: (LEVELS[r["level"]], r["code"]))
    Region.objects.bulk_create(
        [
            Region(code=r["code"], name=r["name"], level=r["level"], parent_id=r["parent_code"] or None,
                   longitude=Decimal(r["longitude"]) if r["longitude"] else None,
                   latitude=Decimal(r["latitude"]) if r["latitude"] else None)
            for r in regions
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    with open(DATA / "industries_gbt4754_2017.csv", encoding="utf-8") as fh:
        industries = sorted(csv.DictReader(fh), key=lambda r: (LEVELS[r["level"]], r["code"]))
    Industry.objects.bulk_create(
        [
            Industry(code=r["code"], name=r["name_zh"], name_en=r["name_en"], level=r["level"],
                     parent_id=r["parent_code"] or None)
            for r in industries
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
