"""Hash-chain the audit trail: sequence numbers, roles, each entry's hash and its predecessor's.

Entries written before this migration are chained in the order they were written (time, id).
"""

from django.db import migrations, models

from uplift.core.models import GENESIS_HASH, chain_hash, entry_content


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("core", "AuditEntry")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    prev, seq = GENESIS_HASH, 0
    for entry in AuditEntry.objects.order_by("at", "id").iterator(chunk_size=2000):
        seq += 1
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = chain_hash(prev, entry_content(entry))
        # The historical model has none of AuditEntry's write guards: this is the one rewrite.
        AuditEntry.objects.filter(pk=entry.pk).update(seq=seq, prev_hash=prev, hash=entry.hash)
        prev = entry.hash
    AuditChainHead.objects.update_or_create(pk=1, defaults={"seq": seq, "hash": prev})


class Migration(migrations.Migration):
    dependencies = [("core", "0002_ordering_and_labels"), ("accounts", "0003_ordering_and_labels")]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(default=GENESIS_HASH, max_length=64)),
            ],
            options={"verbose_name": "audit chain head"},
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="sequence"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="actor_roles",
            field=models.CharField(blank=True, default="", max_length=200, verbose_name="roles"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="previous hash"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="hash"),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, unique=True, verbose_name="sequence"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="hash"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(db_index=True, editable=False, verbose_name="time"),
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={"ordering": ["-seq"], "verbose_name": "audit entry", "verbose_name_plural": "audit entries"},
        ),
    ]
