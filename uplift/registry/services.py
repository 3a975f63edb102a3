"""Every write to the registries.

Plain creates and updates share :mod:`uplift.core.services`; what is particular to a record
(loading reference data, bulk creation for the demo and imports) is here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from uplift.core import audit
from uplift.core.services import create_object, update_object
from uplift.core.signals import bulk_saved

from .choices import IndustryLevel
from .models import (
    ClusterMembership,
    Enterprise,
    Expert,
    IndustrialCluster,
    Industry,
    Region,
    ServiceInstitution,
    ServiceStation,
)

# --- Enterprises -------------------------------------------------------------------------------


def enterprise_create(*, actor: Any, **data: Any) -> Enterprise:
    return create_object(Enterprise, actor=actor, data=data)


def enterprise_update(*, actor: Any, instance: Enterprise, **data: Any) -> Enterprise:
    return update_object(instance, actor=actor, data=data)


@transaction.atomic
def enterprise_bulk_create(*, actor: Any, rows: Iterable[dict[str, Any]], batch_size: int = 2000) -> int:
    """Create many enterprises at once, each validated like a single one; all or nothing.

    Validation errors are keyed ``"row N.field"`` (N from 1). One audit entry records the batch.
    """
    objs: list[Enterprise] = []
    errors: dict[str, Any] = {}
    seen: set[str] = set()
    regions = set(Region.objects.values_list("code", flat=True))
    divisions = set(Industry.objects.filter(level=IndustryLevel.DIVISION).values_list("code", flat=True))
    for i, data in enumerate(rows, start=1):
        obj = Enterprise(**data)
        row_errors: dict[str, list[str]] = {}
        try:
            # Foreign keys are checked against the sets above rather than one query per row.
            obj.full_clean(exclude=["region", "industry"], validate_unique=False)
        except ValidationError as exc:
            row_errors.update(exc.message_dict)
        if obj.region_id not in regions:
            row_errors["region"] = [f"Unknown region code {obj.region_id!r}."]
        if obj.industry_id not in divisions:
            row_errors["industry"] = [f"Unknown industry division {obj.industry_id!r}."]
        if obj.credit_code in seen:
            row_errors["credit_code"] = ["Repeated in this batch."]
        if row_errors:
            errors.update({f"row {i}.{name}": msgs for name, msgs in row_errors.items()})
            continue
        seen.add(obj.credit_code)
        objs.append(obj)
    duplicates = set(Enterprise.objects.filter(credit_code__in=seen).values_list("credit_code", flat=True))
    if duplicates:
        errors["credit_code"] = [f"Already registered: {', '.join(sorted(duplicates)[:10])}"]
    if errors:
        raise ValidationError(errors)
    Enterprise.objects.bulk_create(objs, batch_size=batch_size)
    bulk_saved.send(sender=Enterprise, instances=objs)
    audit.record(
        actor=actor,
        action="registry.enterprise.bulk_create",
        object_type="registry.enterprise",
        object_repr=f"{len(objs)} enterprises",
        after={"created": len(objs)},
    )
    return len(objs)


# --- Clusters ----------------------------------------------------------------------------------


def cluster_create(*, actor: Any, **data: Any) -> IndustrialCluster:
    return create_object(IndustrialCluster, actor=actor, data=data)


def cluster_update(*, actor: Any, instance: IndustrialCluster, **data: Any) -> IndustrialCluster:
    return update_object(instance, actor=actor, data=data)


def cluster_membership_create(*, actor: Any, **data: Any) -> ClusterMembership:
    return create_object(ClusterMembership, actor=actor, data=data)


def cluster_membership_update(*, actor: Any, instance: ClusterMembership, **data: Any) -> ClusterMembership:
    return update_object(instance, actor=actor, data=data)


@transaction.atomic
def cluster_add_members(
    *, actor: Any, cluster: IndustrialCluster, enterprise_ids: Iterable[int], joined_on: datetime.date
) -> int:
    """Add many enterprises to ``cluster`` at once (existing members are left as they are)."""
    ids = set(enterprise_ids)
    ids -= set(ClusterMembership.objects.filter(cluster=cluster).values_list("enterprise_id", flat=True))
    created = ClusterMembership.objects.bulk_create(
        [ClusterMembership(cluster=cluster, enterprise_id=i, joined_on=joined_on) for i in sorted(ids)],
        batch_size=5000,
    )
    bulk_saved.send(sender=ClusterMembership, instances=created)
    audit.record(
        actor=actor,
        action="registry.clustermembership.bulk_create",
        obj=cluster,
        after={"added": len(ids), "joined_on": joined_on.isoformat()},
    )
    return len(ids)


# --- Institutions, experts, stations -----------------------------------------------------------


def institution_create(*, actor: Any, **data: Any) -> ServiceInstitution:
    return create_object(ServiceInstitution, actor=actor, data=data)


def institution_update(*, actor: Any, instance: ServiceInstitution, **data: Any) -> ServiceInstitution:
    return update_object(instance, actor=actor, data=data)


def expert_create(*, actor: Any, **data: Any) -> Expert:
    return create_object(Expert, actor=actor, data=data)


def expert_update(*, actor: Any, instance: Expert, **data: Any) -> Expert:
    return update_object(instance, actor=actor, data=data)


def station_create(*, actor: Any, **data: Any) -> ServiceStation:
    return create_object(ServiceStation, actor=actor, data=data)


def station_update(*, actor: Any, instance: ServiceStation, **data: Any) -> ServiceStation:
    return update_object(instance, actor=actor, data=data)
