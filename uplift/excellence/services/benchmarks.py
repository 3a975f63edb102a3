"""Quality benchmark enterprises: a programme's rules, the bureau's approval (with an override
reason when a rule is missed) and revocation."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from uplift.accounts.access import is_visible, principal_of
from uplift.core import audit
from uplift.core.services import (
    create_object,
    is_system,
    locked,
    require_officer,
    require_state,
    save_step,
    update_object,
)
from uplift.registry.models import ClusterMembership

from .. import selectors
from ..choices import BenchmarkStatus
from ..models import Benchmark, BenchmarkRule

refused = audit.refusals_recorded


def _require_programme_officer(actor: Any, programme: Any, message: str) -> None:
    require_officer(actor, message)
    if not is_system(actor) and not principal_of(actor).officer_for(programme.region_id):
        raise ValidationError({"programme": _("This programme is outside your region.")})


@refused("excellence.benchmarkrule.create")
@transaction.atomic
def benchmark_rule_create(*, actor: Any, **data: Any) -> BenchmarkRule:
    """Set a programme's own benchmark rules (in place of the defaults)."""
    if data.get("programme") is not None:
        _require_programme_officer(
            actor, data["programme"], _("Only a bureau officer sets the benchmark rules.")
        )
    return create_object(BenchmarkRule, actor=actor, data=data)


@refused("excellence.benchmarkrule.update")
@transaction.atomic
def benchmark_rule_update(*, actor: Any, instance: BenchmarkRule, **data: Any) -> BenchmarkRule:
    """Change a programme's benchmark rules; decisions already taken keep the rules they missed."""
    _require_programme_officer(
        actor, instance.programme, _("Only a bureau officer sets the benchmark rules.")
    )
    if "programme" in data and data["programme"] != instance.programme:
        raise ValidationError({"programme": _("A rule stays with its programme.")})
    return update_object(instance, actor=actor, data=data)


def _check_cluster(enterprise: Any, cluster: Any) -> None:
    if (
        cluster is not None
        and not ClusterMembership.objects.filter(cluster=cluster, enterprise=enterprise).exists()
    ):
        raise ValidationError(
            {
                "cluster": _("%(enterprise)s is not a member of %(cluster)s.")
                % {"enterprise": enterprise, "cluster": cluster}
            }
        )


@refused("excellence.benchmark.approve")
@transaction.atomic
def benchmark_approve(
    *,
    actor: Any,
    programme: Any,
    enterprise: Any,
    reason: str,
    cluster: Any = None,
    override_reason: str = "",
    on: datetime.date | None = None,
) -> Benchmark:
    """Name ``enterprise`` a quality benchmark of ``programme``, checked against the programme's
    rules on the day. One that misses a rule is refused, naming the rules, unless an override
    reason is given; the rules missed are then kept with the decision."""
    message = _("Only a bureau officer approves benchmark enterprises.")
    if programme is None:
        raise ValidationError({"programme": _("Choose the programme.")})
    _require_programme_officer(actor, programme, message)
    if enterprise is None:
        raise ValidationError({"enterprise": _("Choose the enterprise.")})
    if not is_system(actor) and not is_visible(enterprise, actor):
        raise ValidationError({"enterprise": _("%(name)s is outside your region.") % {"name": enterprise}})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the enterprise is a benchmark.")})
    _check_cluster(enterprise, cluster)
    on = on or timezone.localdate()
    candidate = selectors.candidates(programme, on, ids=[enterprise.pk])[0]
    missed = [c.label for c in candidate.missed]
    override_reason = (override_reason or "").strip()
    if missed and not override_reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "%(enterprise)s misses: %(rules)s. Give an override reason to approve it anyway."
                )
                % {"enterprise": enterprise, "rules": "; ".join(str(m) for m in missed)}
            }
        )
    if not missed:
        override_reason = ""
    return create_object(
        Benchmark,
        actor=actor,
        data={
            "programme": programme,
            "enterprise": enterprise,
            "cluster": cluster,
            "assessment": candidate.assessment,
            "approved_on": on,
            "approved_by": actor if getattr(actor, "is_authenticated", False) else None,
            "reason": reason.strip(),
            "missed": [str(m) for m in missed],
            "override_reason": override_reason,
        },
        verb="approve",
    )


@refused("excellence.benchmark.update")
@transaction.atomic
def benchmark_update(*, actor: Any, instance: Benchmark, **data: Any) -> Benchmark:
    """Correct the reason or the cluster of an approval."""
    _require_programme_officer(
        actor, instance.programme, _("Only a bureau officer approves benchmark enterprises.")
    )
    require_state(instance, (BenchmarkStatus.APPROVED,), what=_("benchmark"))
    for fixed in ("programme", "enterprise"):
        if fixed in data and data[fixed] != getattr(instance, fixed):
            raise ValidationError({fixed: _("Revoke this decision and approve again instead.")})
    data.pop("override_reason", None)
    _check_cluster(instance.enterprise, data.get("cluster", instance.cluster))
    return update_object(instance, actor=actor, data=data)


@refused("excellence.benchmark.revoke")
@transaction.atomic
def benchmark_revoke(*, actor: Any, benchmark: Benchmark, reason: str) -> Benchmark:
    """Withdraw a benchmark title (a severe problem found since, say): it no longer counts nor
    appears on the public list; the decision and its revocation stay on record."""
    benchmark = locked(benchmark)
    _require_programme_officer(actor, benchmark.programme, _("Only a bureau officer revokes a benchmark."))
    require_state(benchmark, (BenchmarkStatus.APPROVED,), what=_("benchmark"))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the title is withdrawn.")})
    before = audit.snapshot(benchmark)
    benchmark.status = BenchmarkStatus.REVOKED
    benchmark.revoked_reason = reason.strip()
    save_step(benchmark, actor=actor, verb="revoke", before=before)
    return benchmark
