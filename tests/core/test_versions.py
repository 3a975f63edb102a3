"""No lost updates: two writers based on the same version, exactly one wins, the other is told."""

import pytest

from uplift.core.models import AuditEntry
from uplift.core.services import ConflictError
from uplift.registry.models import Enterprise
from uplift.registry.services import enterprise_update


def test_two_edits_from_the_same_version_one_wins(w):
    mine = Enterprise.objects.get(pk=w.ent_in.pk)
    theirs = Enterprise.objects.get(pk=w.ent_in.pk)
    enterprise_update(actor=w.officer, instance=theirs, employees=120)
    audits = AuditEntry.objects.count()
    with pytest.raises(ConflictError) as info:
        enterprise_update(actor=w.officer, instance=mine, employees=80)
    assert info.value.current.employees == 120 and info.value.current.version == 2
    stored = Enterprise.objects.get(pk=w.ent_in.pk)
    assert (stored.employees, stored.version) == (120, 2)
    assert AuditEntry.objects.count() == audits


def test_an_explicit_stale_version_is_refused_even_on_a_fresh_instance(w):
    enterprise_update(actor=w.officer, instance=Enterprise.objects.get(pk=w.ent_in.pk), employees=5)
    with pytest.raises(ConflictError):
        enterprise_update(
            actor=w.officer, instance=Enterprise.objects.get(pk=w.ent_in.pk), employees=6, version=1
        )


def test_the_audit_entry_records_the_version_step(w):
    enterprise_update(
        actor=w.officer, instance=Enterprise.objects.get(pk=w.ent_in.pk), employees=7, version=1
    )
    entry = AuditEntry.objects.order_by("-seq").first()
    changed = {c["field"]: (c["before"], c["after"]) for c in entry.changed_fields()}
    assert changed["version"] == (1, 2)
    assert changed["employees"][1] == 7


def test_a_refused_edit_does_not_consume_a_version(w):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        enterprise_update(actor=w.officer, instance=Enterprise.objects.get(pk=w.ent_in.pk), credit_code="bad")
    assert Enterprise.objects.get(pk=w.ent_in.pk).version == 1
