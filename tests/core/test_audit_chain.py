"""The audit trail is tamper-evident: hash-chained, verified end to end, never changed by the app."""

import datetime
import decimal
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from uplift.core import audit
from uplift.core.models import AuditEntry
from uplift.registry.services import enterprise_update


def verify_output():
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_every_write_extends_the_chain_and_the_chain_verifies(w):
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert all(b.prev_hash == a.hash for a, b in zip(entries, entries[1:], strict=False))
    assert f"{len(entries)} entries verified" in verify_output()


def test_values_of_every_kind_hash_the_same_after_a_round_trip_through_the_database(w):
    audit.record(
        actor=w.officer,
        action="test.kinds",
        before={"d": datetime.date(2018, 6, 1), "n": decimal.Decimal("1.10"), "s": "蕲艾 <b>&"},
        after={"list": [3, 1, 2], "none": None, "float": 0.1, "nested": {"z": 1, "a": [True, False]}},
    )
    checked, problem = audit.verify()
    assert problem is None and checked == AuditEntry.objects.count()
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.actor_roles == "officer"


def test_an_altered_entry_is_reported(w):
    raw("UPDATE core_auditentry SET object_repr = %s WHERE seq = 3", ["tampered"])
    with pytest.raises(CommandError, match="entry #3 was altered"):
        verify_output()


def test_a_removed_entry_is_reported(w):
    raw("DELETE FROM core_auditentry WHERE seq = 4")
    with pytest.raises(CommandError, match="entry #4 is missing"):
        verify_output()


def test_removing_the_latest_entries_is_reported(w):
    last = AuditEntry.objects.order_by("-seq").first().seq
    raw("DELETE FROM core_auditentry WHERE seq = %s", [last])
    with pytest.raises(CommandError, match="missing"):
        verify_output()


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link(w):
    entry = AuditEntry.objects.get(seq=2)
    entry.object_repr = "forged"
    raw(
        "UPDATE core_auditentry SET object_repr = %s, hash = %s WHERE seq = 2",
        ["forged", entry.compute_hash()],
    )
    with pytest.raises(CommandError, match="entry #3 does not link to entry #2"):
        verify_output()


def test_the_application_cannot_change_or_delete_entries(w):
    entry = AuditEntry.objects.order_by("seq").first()
    entry.object_repr = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="x")
    with pytest.raises(PermissionError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert audit.verify()[1] is None


def test_a_refused_write_leaves_no_entry(w):
    from django.core.exceptions import ValidationError

    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        enterprise_update(actor=w.officer, instance=w.ent_in, credit_code="not a code")
    assert AuditEntry.objects.count() == before
    assert audit.verify()[1] is None
