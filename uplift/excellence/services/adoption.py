"""A programme's adoption rule: who counts as having adopted the excellence model."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from uplift.accounts.access import principal_of
from uplift.core import audit
from uplift.core.services import create_object, is_system, require_officer, update_object

from ..models import AdoptionRule

refused = audit.refusals_recorded


# --- Adoption rules ------------------------------------------------------------------------------

#: The rollups that read the adoption rule: recounted whole when it changes.
ADOPTION_METRICS = ("excellence_adopters", "served_adopters", "adopting_benchmarks")


def _recount(programme: Any) -> None:
    from uplift.programmes import rollups

    rollups.rebuild(programme, metrics=ADOPTION_METRICS)


def _require_programme_officer(actor: Any, programme: Any) -> None:
    require_officer(actor, _("Only a bureau officer sets when an enterprise has adopted the model."))
    if not is_system(actor) and not principal_of(actor).officer_for(programme.region_id):
        raise ValidationError({"programme": _("This programme is outside your region.")})


@refused("excellence.adoptionrule.create")
@transaction.atomic
def adoption_rule_create(*, actor: Any, **data: Any) -> AdoptionRule:
    """Set a programme's own adoption rule (in place of the default); its adopters are recounted."""
    if data.get("programme") is not None:
        _require_programme_officer(actor, data["programme"])
    rule = create_object(AdoptionRule, actor=actor, data=data)
    _recount(rule.programme)
    return rule


@refused("excellence.adoptionrule.update")
@transaction.atomic
def adoption_rule_update(*, actor: Any, instance: AdoptionRule, **data: Any) -> AdoptionRule:
    """Change a programme's adoption rule; its adopters are recounted."""
    _require_programme_officer(actor, instance.programme)
    if "programme" in data and data["programme"] != instance.programme:
        raise ValidationError({"programme": _("A rule stays with its programme.")})
    rule = update_object(instance, actor=actor, data=data)
    _recount(rule.programme)
    return rule
