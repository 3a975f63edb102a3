"""Reference data: GB/T 19580-2012 with its categories, items, points and scoring bands, from
``uplift/excellence/data/gbt19580-2012.json``. Another framework or version is another data file
loaded the same way (:func:`load_framework`)."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load_framework(apps, filename):
    Framework = apps.get_model("excellence", "Framework")
    Category = apps.get_model("excellence", "Category")
    Item = apps.get_model("excellence", "Item")
    data = json.loads((DATA / filename).read_text(encoding="utf-8"))
    points = sum(i["points"] for c in data["categories"] for i in c["items"])
    if points != data["total_points"]:
        raise ValueError(f"{filename}: the items carry {points} points, not {data['total_points']}")
    framework, _ = Framework.objects.update_or_create(
        code=data["code"],
        defaults={
            "name": data["name"],
            "name_en": data.get("name_en", ""),
            "total_points": data["total_points"],
            "step": data.get("step", 5),
            "bands": data["bands"],
        },
    )
    for c_order, c in enumerate(data["categories"], 1):
        if c["points"] != sum(i["points"] for i in c["items"]):
            raise ValueError(f"{filename}: category {c['code']} does not carry the sum of its items")
        category, _ = Category.objects.update_or_create(
            framework=framework,
            code=c["code"],
            defaults={"name": c["name"], "name_en": c.get("name_en", ""), "points": c["points"], "order": c_order},
        )
        for i_order, i in enumerate(c["items"], 1):
            Item.objects.update_or_create(
                category=category,
                code=i["code"],
                defaults={
                    "name": i["name"],
                    "name_en": i.get("name_en", ""),
                    "points": i["points"],
                    "kind": i["kind"],
                    "guidance": i.get("guidance", ""),
                    "guidance_en": i.get("guidance_en", ""),
                    "order": i_order,
                },
            )


def load(apps, schema_editor):
    load_framework(apps, "gbt19580-2012.json")


class Migration(migrations.Migration):
    dependencies = [("excellence", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
