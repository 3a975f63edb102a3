"""Reference data: the quality methods a training can cover (advanced ones are counted)."""

from django.db import migrations

METHODS = [
    # code, name, English name, advanced
    ("excellence", "卓越绩效", "Excellence Performance (GB/T 19580)", True),
    ("six-sigma", "六西格玛", "Six Sigma", True),
    ("qc-circle", "QC小组", "QC circles", True),
    ("lean", "精益管理", "Lean management", True),
    ("spc", "统计过程控制", "Statistical process control", True),
    ("qfd", "质量功能展开", "Quality function deployment", True),
    ("fmea", "失效模式与影响分析", "FMEA", True),
    ("reliability", "可靠性工程", "Reliability engineering", True),
    ("iso9001", "质量管理体系", "Quality management systems (ISO 9001)", False),
    ("standards", "标准化", "Standardisation", False),
    ("metrology", "计量管理", "Metrology", False),
    ("labelling", "产品标识标注", "Product labelling", False),
    ("inspection", "检验检测", "Testing and inspection", False),
]


def load(apps, schema_editor):
    QualityMethod = apps.get_model("delivery", "QualityMethod")
    for code, name, name_en, advanced in METHODS:
        QualityMethod.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "advanced": advanced}
        )


class Migration(migrations.Migration):
    dependencies = [("delivery", "0003_activities")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
