"""THE map from a user to what they may see and do.

Two questions are answered here and nowhere else:

* **What may this user do?** ``ROLE_PERMISSIONS`` gives each role its model permissions
  (``registry.view_enterprise``...); :class:`uplift.accounts.backends.RoleBackend` grants them.
* **Which rows may this user see?** ``SCOPES`` gives, per scoped model, a function from the user's
  :class:`Principal` to a ``Q`` filter. ``Model.objects.visible_to(user)`` applies it; the base
  views and viewsets call that for every read and re-check it after every write. A scoped model
  without a rule here raises, so no model is ever visible by omission.

Regions are a code tree (GB/T 2260): a bureau at region ``420100`` sees every row whose region code
starts with ``4201``. Superusers (a break-glass account for the Django admin) see everything;
the three administrator roles see no programme data at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q, QuerySet

from .choices import Role

# --- Permissions -------------------------------------------------------------------------------

VIEW, ADD, CHANGE = "view", "add", "change"
EDIT = (VIEW, ADD, CHANGE)

#: Every role's users issue and revoke their own API tokens (the row rule below keeps them to their
#: own; the security administrator sees and revokes everyone's, but issues only their own).
OWN_API_TOKENS = ("accounts", "apitoken", EDIT)
#: Every role's users read their own notifications (and mark them read); the row rule keeps them to
#: their own, administrators included.
OWN_NOTIFICATIONS = ("notifications", "notification", (VIEW,))

#: role -> [(app_label, model_name or "*", actions)]. Models of "*" are expanded at start-up.
ROLE_PERMISSIONS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    Role.OFFICER: [
        ("registry", "*", EDIT),
        ("programmes", "*", EDIT),
        ("procurement", "*", EDIT),
        ("delivery", "*", EDIT),
        ("inspection", "*", EDIT),
        ("indicators", "*", EDIT),
        ("excellence", "*", EDIT),
        ("servicedesk", "*", EDIT),
        ("core", "attachment", EDIT),
        ("core", "exportrun", (VIEW, ADD)),
        ("imports", "importrun", EDIT),
        OWN_API_TOKENS,
        OWN_NOTIFICATIONS,
    ],
    Role.INSTITUTION_STAFF: [
        ("procurement", "tender", (VIEW,)),
        ("procurement", "lot", (VIEW,)),
        ("procurement", "criterion", (VIEW,)),
        ("procurement", "clarification", (VIEW, ADD)),
        ("procurement", "bid", EDIT),
        ("procurement", "award", (VIEW,)),
        ("procurement", "contract", (VIEW,)),
        ("procurement", "milestone", (VIEW,)),
        ("procurement", "payment", (VIEW,)),
        ("delivery", "serviceproject", (VIEW, CHANGE)),
        ("delivery", "projectkpi", (VIEW,)),
        ("delivery", "activity", EDIT),
        ("delivery", "participation", EDIT),
        ("delivery", "qualitymethod", (VIEW,)),
        ("delivery", "graderecord", (VIEW,)),
        ("delivery", "problem", EDIT),
        ("delivery", "standard", (VIEW, ADD)),
        ("delivery", "standardwork", EDIT),
        ("delivery", "evaluationreport", EDIT),
        ("delivery", "benefit", EDIT),
        ("delivery", "acceptancecriterion", (VIEW,)),
        ("delivery", "acceptance", (VIEW,)),
        ("delivery", "acceptancescore", (VIEW,)),
        ("core", "attachment", EDIT),
        ("inspection", "samplinginspection", (VIEW,)),
        ("indicators", "economicindicator", (VIEW,)),
        ("excellence", "framework", (VIEW,)),
        ("excellence", "category", (VIEW,)),
        ("excellence", "item", (VIEW,)),
        ("registry", "region", (VIEW,)),
        ("registry", "industry", (VIEW,)),
        ("registry", "enterprise", (VIEW,)),
        ("registry", "industrialcluster", (VIEW,)),
        ("registry", "clustermembership", (VIEW,)),
        ("registry", "serviceinstitution", (VIEW, CHANGE)),
        ("programmes", "programme", (VIEW,)),
        ("programmes", "pilotproject", (VIEW,)),
        # The service requests routed to them or to the stations they operate, which they answer.
        ("servicedesk", "servicerequest", (VIEW, CHANGE)),
        ("servicedesk", "responsetarget", (VIEW,)),
        ("registry", "servicestation", (VIEW,)),
        # Their own runs, of the kinds their role may add (activities, participants, standards).
        ("imports", "importrun", EDIT),
        ("core", "exportrun", (VIEW, ADD)),
        OWN_API_TOKENS,
        OWN_NOTIFICATIONS,
    ],
    Role.ENTERPRISE_USER: [
        ("registry", "region", (VIEW,)),
        ("registry", "industry", (VIEW,)),
        ("registry", "enterprise", (VIEW, CHANGE)),
        ("registry", "industrialcluster", (VIEW,)),
        ("registry", "servicestation", (VIEW,)),
        ("delivery", "activity", (VIEW,)),
        ("delivery", "participation", (VIEW,)),
        ("delivery", "qualitymethod", (VIEW,)),
        ("delivery", "problem", (VIEW,)),
        ("delivery", "standard", (VIEW,)),
        ("delivery", "evaluationreport", (VIEW,)),
        ("delivery", "benefit", (VIEW,)),
        ("core", "attachment", (VIEW,)),
        ("inspection", "samplinginspection", (VIEW,)),
        ("indicators", "economicindicator", (VIEW,)),
        ("excellence", "framework", (VIEW,)),
        ("excellence", "category", (VIEW,)),
        ("excellence", "item", (VIEW,)),
        ("excellence", "selfassessment", EDIT),
        ("excellence", "selfassessmentitem", (VIEW, CHANGE)),
        ("excellence", "expertassessment", (VIEW,)),
        ("excellence", "consensusitem", (VIEW,)),
        ("excellence", "benchmark", (VIEW,)),
        # Their own service requests: file, withdraw, close with a rating.
        ("servicedesk", "servicerequest", EDIT),
        ("servicedesk", "responsetarget", (VIEW,)),
        ("core", "exportrun", (VIEW, ADD)),
        OWN_API_TOKENS,
        OWN_NOTIFICATIONS,
    ],
    Role.EXPERT: [
        ("procurement", "tender", (VIEW,)),
        ("procurement", "lot", (VIEW,)),
        ("procurement", "criterion", (VIEW,)),
        ("procurement", "clarification", (VIEW,)),
        ("procurement", "bid", (VIEW,)),
        ("procurement", "panelmember", (VIEW,)),
        ("procurement", "scoresheet", (VIEW, CHANGE)),
        ("procurement", "score", (VIEW,)),
        ("procurement", "award", (VIEW,)),
        ("registry", "region", (VIEW,)),
        ("registry", "industry", (VIEW,)),
        ("registry", "expert", (VIEW, CHANGE)),
        # The acceptance of the projects they are asked to review, and those projects' records.
        ("delivery", "acceptance", (VIEW,)),
        ("delivery", "acceptancecriterion", (VIEW,)),
        ("delivery", "acceptancescore", (VIEW,)),
        ("delivery", "acceptancereview", (VIEW, CHANGE)),
        ("delivery", "reviewscore", (VIEW,)),
        ("delivery", "serviceproject", (VIEW,)),
        ("delivery", "projectkpi", (VIEW,)),
        ("delivery", "activity", (VIEW,)),
        ("delivery", "participation", (VIEW,)),
        ("delivery", "qualitymethod", (VIEW,)),
        ("delivery", "problem", (VIEW,)),
        ("delivery", "standard", (VIEW,)),
        ("delivery", "standardwork", (VIEW,)),
        ("delivery", "evaluationreport", (VIEW,)),
        ("delivery", "benefit", (VIEW,)),
        ("core", "attachment", (VIEW,)),
        ("excellence", "framework", (VIEW,)),
        ("excellence", "category", (VIEW,)),
        ("excellence", "item", (VIEW,)),
        # The enterprises they are asked to assess: the self-assessment, their own review, and
        # the panel's consensus.
        ("excellence", "selfassessment", (VIEW,)),
        ("excellence", "selfassessmentitem", (VIEW,)),
        ("excellence", "expertassessment", (VIEW,)),
        ("excellence", "expertreview", (VIEW, CHANGE)),
        ("excellence", "expertitemscore", (VIEW,)),
        ("excellence", "consensusitem", (VIEW,)),
        # The service requests routed to them.
        ("servicedesk", "servicerequest", (VIEW, CHANGE)),
        ("servicedesk", "responsetarget", (VIEW,)),
        ("core", "exportrun", (VIEW, ADD)),
        OWN_API_TOKENS,
        OWN_NOTIFICATIONS,
    ],
    Role.SYSTEM_ADMIN: [OWN_API_TOKENS, OWN_NOTIFICATIONS],
    Role.SECURITY_ADMIN: [
        ("accounts", "user", EDIT),
        ("accounts", "organisation", EDIT),
        ("accounts", "membership", EDIT),
        ("registry", "region", (VIEW,)),
        ("core", "exportrun", (VIEW, ADD)),
        OWN_API_TOKENS,
        OWN_NOTIFICATIONS,
    ],
    Role.AUDIT_ADMIN: [
        ("core", "auditentry", (VIEW,)),
        ("core", "exportrun", (VIEW, ADD)),
        OWN_API_TOKENS,
        OWN_NOTIFICATIONS,
    ],
}


def permissions_for_roles(roles: Iterable[str]) -> set[str]:
    """The permission names (``app.action_model``) that ``roles`` grant together."""
    from django.apps import apps

    perms: set[str] = set()
    for role in roles:
        for app_label, model_name, actions in ROLE_PERMISSIONS.get(role, []):
            names = (
                [m._meta.model_name for m in apps.get_app_config(app_label).get_models()]
                if model_name == "*"
                else [model_name]
            )
            perms.update(f"{app_label}.{action}_{name}" for name in names for action in actions)
    return perms


# --- Principal ---------------------------------------------------------------------------------


def region_prefix(code: str) -> str:
    """The code prefix of a region's subtree: 420000 -> 42, 420100 -> 4201, 420102 -> 420102."""
    code = str(code)
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def in_subtree(lookup: str, prefix: str) -> Q:
    """Rows whose region code (reached by ``lookup``, e.g. ``region_id``) starts with ``prefix``.

    ``region_id`` is written ``region__code`` so Django accepts ``startswith`` on it; the join to
    the region table is trimmed (``code`` is its primary key), so the filter is on the local column.
    """
    if lookup.endswith("_id"):
        lookup = lookup[:-3] + "__code"
    return Q(**{f"{lookup}__startswith": prefix})


@dataclass(frozen=True)
class Principal:
    """What one user acts for, derived from their active memberships."""

    user_id: int | None
    is_superuser: bool = False
    roles: frozenset[str] = frozenset()
    region_prefixes: tuple[str, ...] = ()  # bureaus where the user is an officer
    institution_ids: frozenset[int] = frozenset()
    enterprise_ids: frozenset[int] = frozenset()
    expert_ids: frozenset[int] = frozenset()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def is_officer(self) -> bool:
        return bool(self.region_prefixes)

    def officer_for(self, region_code: Any) -> bool:
        """Whether the user is an officer of a bureau whose area holds ``region_code`` (a code,
        or the prefix of a subtree): where their steps on the region's records are theirs."""
        return str(region_code).startswith(self.region_prefixes) if self.region_prefixes else False


ANONYMOUS = Principal(user_id=None)


def principal_of(user: Any) -> Principal:
    """The user's principal, computed once per user object (i.e. once per request)."""
    if not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    cached = getattr(user, "_uplift_principal", None)
    if cached is not None:
        return cached
    from uplift.registry.models import Expert

    from .models import Membership

    rows = list(
        Membership.objects.filter(user=user, is_active=True).values_list(
            "role", "organisation__region_id", "organisation__institution_id", "organisation__enterprise_id"
        )
    )
    roles = frozenset(r[0] for r in rows)
    prefixes = sorted({region_prefix(r[1]) for r in rows if r[0] == Role.OFFICER and r[1]})
    # A prefix inside another adds nothing: keep the widest.
    prefixes = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
    principal = Principal(
        user_id=user.pk,
        is_superuser=user.is_superuser,
        roles=roles,
        region_prefixes=tuple(prefixes),
        institution_ids=frozenset(r[2] for r in rows if r[0] == Role.INSTITUTION_STAFF and r[2]),
        enterprise_ids=frozenset(r[3] for r in rows if r[0] == Role.ENTERPRISE_USER and r[3]),
        expert_ids=frozenset(
            Expert.objects.filter(user=user).values_list("pk", flat=True) if Role.EXPERT in roles else []
        ),
    )
    user._uplift_principal = principal
    return principal


# --- Row scopes --------------------------------------------------------------------------------

NOTHING = Q(pk__in=[])
EVERYTHING = Q()

Rule = Callable[[Principal], Q]
SCOPES: dict[str, Rule] = {}


def scope(label: str) -> Callable[[Rule], Rule]:
    """Register the row rule of the model ``label`` (``app_label.modelname``)."""

    def register(fn: Rule) -> Rule:
        SCOPES[label] = fn
        return fn

    return register


def in_regions(lookup: str, p: Principal) -> Q:
    """Rows whose region code (reached by ``lookup``) is in one of the officer's subtrees."""
    return any_of(*(in_subtree(lookup, prefix) for prefix in p.region_prefixes))


def any_of(*parts: Q) -> Q:
    """The union of ``parts``; NOTHING when every part is NOTHING (so no query is needed)."""
    q = NOTHING
    for part in parts:
        if part is NOTHING:
            continue
        q = part if q is NOTHING else q | part
    return q


def _ids(lookup: str, ids: frozenset[int]) -> Q:
    return Q(**{f"{lookup}__in": sorted(ids)}) if ids else NOTHING


def restrict(qs: QuerySet, user: Any) -> QuerySet:
    """``qs`` narrowed to the rows ``user`` may see (the body of ``visible_to``)."""
    label = qs.model._meta.label_lower
    rule = SCOPES.get(label)
    if rule is None:
        raise ImproperlyConfigured(f"No access rule for {label}: declare one in uplift/accounts/access.py")
    p = principal_of(user)
    if p.user_id is None:
        return qs.none()
    if p.is_superuser:
        return qs
    q = rule(p)
    return qs.none() if q is NOTHING else qs.filter(q)


def is_visible(obj: Any, user: Any) -> bool:
    """Whether ``user`` may see ``obj`` (used to re-check scope after a write)."""
    return type(obj)._default_manager.filter(pk=obj.pk).visible_to(user).exists()


# Reference data: everyone signed in sees it.
for _label in ("registry.region", "registry.industry"):
    SCOPES[_label] = lambda p: EVERYTHING if p.roles else NOTHING


def _rows(label: str, lookup: str, ids: frozenset[int] | Q, column: str) -> Q | QuerySet:
    """The ``column`` values of ``label`` rows matching ``lookup__in=ids`` (or a Q), as a subquery.

    Multi-valued relations are reached through such subqueries rather than joins, so a scoped
    list never repeats a row and never needs DISTINCT.
    """
    from django.apps import apps

    if isinstance(ids, Q):
        if ids is NOTHING:
            return NOTHING
        return apps.get_model(label).objects.filter(ids).values(column)
    if not ids:
        return NOTHING
    return apps.get_model(label).objects.filter(**{f"{lookup}__in": sorted(ids)}).values(column)


def _in(lookup: str, subquery: Q | QuerySet) -> Q:
    return NOTHING if subquery is NOTHING else Q(**{f"{lookup}__in": subquery})


def _pilot_clusters(p: Principal) -> Q | QuerySet:
    """The clusters of the pilots the user's institutions deliver."""
    return _rows("programmes.PilotProject", "institution_id", p.institution_ids, "cluster_id")


def _pilot_cluster_members(p: Principal) -> Q | QuerySet:
    """The enterprises in those clusters."""
    return _rows(
        "registry.ClusterMembership", "cluster_id", _in("cluster_id", _pilot_clusters(p)), "enterprise_id"
    )


@scope("registry.enterprise")
def _enterprise(p: Principal) -> Q:
    # Institutions see the enterprises in the clusters of the pilots they deliver.
    return any_of(
        in_regions("region_id", p), _ids("pk", p.enterprise_ids), _in("pk", _pilot_cluster_members(p))
    )


@scope("registry.industrialcluster")
def _cluster(p: Principal) -> Q:
    return any_of(
        in_regions("region_id", p),
        _in("pk", _pilot_clusters(p)),
        _in("pk", _rows("registry.ClusterMembership", "enterprise_id", p.enterprise_ids, "cluster_id")),
    )


@scope("registry.clustermembership")
def _membership(p: Principal) -> Q:
    return any_of(
        in_regions("cluster__region_id", p),
        _in("cluster_id", _pilot_clusters(p)),
        _ids("enterprise_id", p.enterprise_ids),
    )


@scope("registry.serviceinstitution")
def _institution(p: Principal) -> Q:
    # Officers see the institutions registered in their region and those delivering pilots there.
    pilots_here = in_regions("cluster__region_id", p)
    return any_of(
        in_regions("region_id", p),
        _in("pk", _rows("programmes.PilotProject", "", pilots_here, "institution_id")),
        _ids("pk", p.institution_ids),
    )


@scope("registry.expert")
def _expert(p: Principal) -> Q:
    return any_of(in_regions("region_id", p), _ids("pk", p.expert_ids))


@scope("registry.servicestation")
def _station(p: Principal) -> Q:
    # Enterprise users see the stations of their province: where they can take a request.
    enterprise_q = NOTHING
    if p.enterprise_ids:
        from uplift.registry.models import Enterprise

        codes = Enterprise.objects.filter(pk__in=p.enterprise_ids).values_list("region_id", flat=True)
        enterprise_q = any_of(*(Q(region__code__startswith=c[:2]) for c in sorted(set(codes))))
    # Institutions see the stations they operate (whose requests they answer).
    return any_of(in_regions("region_id", p), enterprise_q, _ids("operator_id", p.institution_ids))


def _lineage(lookup: str, p: Principal) -> Q:
    """Rows at a region in the officer's subtree or at one of its ancestors (e.g. the province's
    programme is visible to a city officer, who works on its city's share)."""
    ancestors = set()
    for prefix in p.region_prefixes:
        ancestors |= {prefix[:2] + "0000"} | ({prefix[:4] + "00"} if len(prefix) > 4 else set())
    return any_of(in_regions(lookup, p), Q(**{f"{lookup}__in": sorted(ancestors)}) if ancestors else NOTHING)


@scope("programmes.programme")
def _programme(p: Principal) -> Q:
    return any_of(
        _lineage("region_id", p),
        _in("pk", _rows("programmes.PilotProject", "institution_id", p.institution_ids, "programme_id")),
    )


@scope("programmes.target")
def _target(p: Principal) -> Q:
    return _lineage("region_id", p)


@scope("programmes.pilotproject")
def _pilot(p: Principal) -> Q:
    return any_of(
        in_regions("cluster__region_id", p),
        _ids("institution_id", p.institution_ids),
        _in(
            "cluster_id", _rows("registry.ClusterMembership", "enterprise_id", p.enterprise_ids, "cluster_id")
        ),
    )


@scope("imports.importrun")
def _import_run(p: Principal) -> Q:
    # The importer's own runs, and the runs of the bureaus in the officer's area.
    return any_of(Q(created_by_id=p.user_id), in_regions("region_id", p))


@scope("core.exportrun")
def _export_run(p: Principal) -> Q:
    # An export holds what its owner could see: nobody else reads it, whatever their role.
    return Q(created_by_id=p.user_id)


@scope("notifications.notification")
def _notification(p: Principal) -> Q:
    # A user's news is theirs alone, whatever their role.
    return Q(recipient_id=p.user_id)


@scope("core.auditentry")
def _audit(p: Principal) -> Q:
    return EVERYTHING if Role.AUDIT_ADMIN in p.roles else NOTHING


@scope("accounts.organisation")
def _organisation(p: Principal) -> Q:
    return EVERYTHING if Role.SECURITY_ADMIN in p.roles else NOTHING


@scope("accounts.user")
def _user(p: Principal) -> Q:
    return EVERYTHING if Role.SECURITY_ADMIN in p.roles else Q(pk=p.user_id)


@scope("accounts.membership")
def _account_membership(p: Principal) -> Q:
    return EVERYTHING if Role.SECURITY_ADMIN in p.roles else Q(user_id=p.user_id)


@scope("accounts.apitoken")
def _api_token(p: Principal) -> Q:
    # Each user their own; the security administrator everyone's (to revoke a leaked one). The
    # key itself nobody sees: only its hash is stored.
    return EVERYTHING if Role.SECURITY_ADMIN in p.roles else Q(user_id=p.user_id)


# --- Procurement -------------------------------------------------------------------------------
#
# A tender is public once published: every signed-in officer, institution and expert sees its
# notice, lots, criteria, answered questions and awards. Bids are another matter: before the
# opening only the bureau (that a bid exists) and the bidder (its own) see one, and the price is
# sealed for both; after it, the bidders of the tender and its panel see the opened bids.

PUBLIC_READERS = frozenset({Role.OFFICER, Role.INSTITUTION_STAFF, Role.EXPERT})


def _public(p: Principal, status_lookup: str) -> Q:
    """Published tenders' rows (``status_lookup`` reaches the tender's status): a draft cancelled
    before its publication never was public."""
    from uplift.procurement.choices import PUBLIC_STATES

    if not p.roles & PUBLIC_READERS:
        return NOTHING
    published = status_lookup.removesuffix("status") + "published_at__isnull"
    return Q(**{f"{status_lookup}__in": PUBLIC_STATES, published: False})


def _tender_rule(prefix: str) -> Rule:
    def rule(p: Principal) -> Q:
        return any_of(in_regions(f"{prefix}programme__region_id", p), _public(p, f"{prefix}status"))

    return rule


for _label, _prefix in (
    ("procurement.tender", ""),
    ("procurement.lot", "tender__"),
    ("procurement.criterion", "tender__"),
):
    SCOPES[_label] = _tender_rule(_prefix)


def _panel_tenders(p: Principal) -> Q | QuerySet:
    return _rows("procurement.PanelMember", "expert_id", p.expert_ids, "tender_id")


def _bid_tenders(p: Principal) -> Q | QuerySet:
    return _rows("procurement.Bid", "institution_id", p.institution_ids, "lot__tender_id")


@scope("procurement.clarification")
def _clarification(p: Principal) -> Q:
    return any_of(
        in_regions("tender__programme__region_id", p),
        _public(p, "tender__status") & Q(answered_at__isnull=False) if p.roles & PUBLIC_READERS else NOTHING,
        _ids("asked_by_id", p.institution_ids),
    )


@scope("procurement.bid")
def _bid(p: Principal) -> Q:
    opened = Q(lot__tender__opened_at__isnull=False)
    return any_of(
        in_regions("lot__tender__programme__region_id", p),
        _ids("institution_id", p.institution_ids),
        # After the opening, the opening record is published to the bidders and the panel.
        _in("lot__tender_id", _bid_tenders(p)) & opened if p.institution_ids else NOTHING,
        _in("lot__tender_id", _panel_tenders(p)) & opened if p.expert_ids else NOTHING,
    )


@scope("procurement.panelmember")
def _panel_member(p: Principal) -> Q:
    return any_of(in_regions("tender__programme__region_id", p), _ids("expert_id", p.expert_ids))


def _sheet_rule(prefix: str) -> Rule:
    """An expert sees their own sheets, and others' for a lot once their own for it is submitted;
    the bureau sees submitted sheets. Scores are independent until each expert commits."""

    def rule(p: Principal) -> Q:
        from uplift.procurement.choices import SheetStatus

        submitted = Q(**{f"{prefix}status": SheetStatus.SUBMITTED})
        own_submitted_lots = _rows(
            "procurement.ScoreSheet",
            "",
            Q(member__expert_id__in=sorted(p.expert_ids), status=SheetStatus.SUBMITTED)
            if p.expert_ids
            else NOTHING,
            "lot_id",
        )
        return any_of(
            in_regions(f"{prefix}lot__tender__programme__region_id", p) & submitted
            if p.is_officer
            else NOTHING,
            _ids(f"{prefix}member__expert_id", p.expert_ids),
            _in(f"{prefix}lot_id", own_submitted_lots) & submitted if p.expert_ids else NOTHING,
        )

    return rule


SCOPES["procurement.scoresheet"] = _sheet_rule("")
SCOPES["procurement.score"] = _sheet_rule("sheet__")


@scope("procurement.award")
def _award(p: Principal) -> Q:
    return any_of(in_regions("lot__tender__programme__region_id", p), _public(p, "lot__tender__status"))


def _contract_rule(prefix: str) -> Rule:
    def rule(p: Principal) -> Q:
        return any_of(
            in_regions(f"{prefix}award__lot__tender__programme__region_id", p),
            _ids(f"{prefix}institution_id", p.institution_ids),
        )

    return rule


SCOPES["procurement.contract"] = _contract_rule("")
SCOPES["procurement.milestone"] = _contract_rule("contract__")
SCOPES["procurement.payment"] = _contract_rule("contract__")


def _reviewed_projects(p: Principal) -> Q | QuerySet:
    """The projects whose acceptance the user, as an expert, is reviewing (not withdrawn)."""
    if not p.expert_ids:
        return NOTHING
    return _rows(
        "delivery.AcceptanceReview",
        "",
        Q(expert_id__in=sorted(p.expert_ids), status__in=("assigned", "submitted")),
        "acceptance__project_id",
    )


def _project_rule(prefix: str) -> Rule:
    """Projects and what hangs off them: the bureau of the pilot's region, the institution, and
    the experts reviewing the project's acceptance (who judge it on its records)."""

    def rule(p: Principal) -> Q:
        return any_of(
            in_regions(f"{prefix}pilot__cluster__region_id", p),
            _ids(f"{prefix}institution_id", p.institution_ids),
            _in(f"{prefix}pk", _reviewed_projects(p)),
        )

    return rule


SCOPES["delivery.serviceproject"] = _project_rule("")
SCOPES["delivery.projectkpi"] = _project_rule("project__")
SCOPES["delivery.qualitymethod"] = lambda p: EVERYTHING if p.roles else NOTHING
# Acceptance: the bureau of the pilot's region and the institution graded; the rubric is public.
SCOPES["delivery.acceptance"] = _project_rule("project__")
SCOPES["delivery.acceptancescore"] = _project_rule("acceptance__project__")
SCOPES["delivery.acceptancecriterion"] = lambda p: EVERYTHING if p.roles else NOTHING


def _review_rule(
    prefix: str,
    *,
    officers_once_submitted: bool,
    reviews: str = "delivery.AcceptanceReview",
    parent: str = "acceptance",
    region: str = "acceptance__project__pilot__cluster__region_id",
) -> Rule:
    """Expert reviews are independent: an expert reads their own, and the others' submitted ones
    of the same ``parent`` (an acceptance, an expert assessment) only once theirs is submitted. The
    bureau of the ``region`` sees who is on the panel and where each stands, and reads an expert's
    scores once submitted (``officers_once_submitted``). Nobody else reads them (an acceptance's
    institution reads only the panel's agreed scores)."""

    def rule(p: Principal) -> Q:
        submitted = Q(**{f"{prefix}status": "submitted"})
        officers = in_regions(f"{prefix}{region}", p)
        own_submitted = _rows(
            reviews,
            "",
            Q(expert_id__in=sorted(p.expert_ids), status="submitted") if p.expert_ids else NOTHING,
            f"{parent}_id",
        )
        return any_of(
            officers & submitted if officers_once_submitted and officers is not NOTHING else officers,
            _ids(f"{prefix}expert_id", p.expert_ids),
            _in(f"{prefix}{parent}_id", own_submitted) & submitted if p.expert_ids else NOTHING,
        )

    return rule


SCOPES["delivery.acceptancereview"] = _review_rule("", officers_once_submitted=False)
SCOPES["delivery.reviewscore"] = _review_rule("review__", officers_once_submitted=True)


def _approved_and(q: Q, prefix: str = "", status: str = "approved") -> Q:
    """``q`` narrowed to approved (or verified...) rows: what an enterprise may see of them."""
    return NOTHING if q is NOTHING else q & Q(**{f"{prefix}status": status})


@scope("delivery.activity")
def _activity(p: Principal) -> Q:
    # Officers: activities held in their region. Institutions: their own (in their projects or
    # not). Enterprises: the approved activities they took part in.
    # Experts reviewing a project's acceptance: its activities.
    taken_part = _in("pk", _rows("delivery.Participation", "enterprise_id", p.enterprise_ids, "activity_id"))
    return any_of(
        in_regions("region_id", p),
        _ids("institution_id", p.institution_ids),
        _approved_and(taken_part),
        _in("project_id", _reviewed_projects(p)),
    )


@scope("delivery.participation")
def _participation(p: Principal) -> Q:
    return any_of(
        in_regions("activity__region_id", p),
        _ids("activity__institution_id", p.institution_ids),
        _approved_and(_ids("enterprise_id", p.enterprise_ids), "activity__"),
        _in("activity__project_id", _reviewed_projects(p)),
    )


SCOPES["delivery.standard"] = lambda p: EVERYTHING if p.roles else NOTHING  # a public registry


def _result_rule(enterprise_sees: str | None) -> Rule:
    """Problems, standard work, evaluation reports, benefits: officers by the enterprise's (or the
    work's) region, institutions their own, experts those of the projects they review; an
    enterprise its own, once in ``enterprise_sees`` status (any status when ""; never when None)."""

    def rule(p: Principal) -> Q:
        own = NOTHING
        if enterprise_sees is not None and p.enterprise_ids:
            own = _ids("enterprise_id", p.enterprise_ids)
            own = _approved_and(own, status=enterprise_sees) if enterprise_sees else own
        return any_of(
            in_regions("region_id", p),
            _ids("institution_id", p.institution_ids),
            own,
            _in("project_id", _reviewed_projects(p)),
        )

    return rule


SCOPES["delivery.problem"] = _result_rule("")
SCOPES["delivery.standardwork"] = _result_rule(None)
SCOPES["delivery.evaluationreport"] = _result_rule("")
SCOPES["delivery.benefit"] = _result_rule("verified")


@scope("delivery.graderecord")
def _grade(p: Principal) -> Q:
    # Grades are published in bulletins: officers read every institution's in their region.
    return any_of(in_regions("institution__region_id", p), _ids("institution_id", p.institution_ids))


@scope("inspection.samplinginspection")
def _inspection(p: Principal) -> Q:
    """Officers: batches of enterprises in their region. Institutions: those of the clusters of
    the pilots they deliver (whose pass rates they are judged on). Enterprises: their own."""
    return any_of(
        in_regions("region_id", p),
        _in("cluster_id", _pilot_clusters(p)),
        _ids("enterprise_id", p.enterprise_ids),
    )


@scope("indicators.economicindicator")
def _indicator(p: Principal) -> Q:
    """Officers: figures of their region's subtree. Institutions: of the clusters of their pilots
    and those clusters' enterprises. Enterprises: their own."""
    return any_of(
        in_regions("region_id", p),
        _in("cluster_id", _pilot_clusters(p)),
        _in("enterprise_id", _pilot_cluster_members(p)),
        _ids("enterprise_id", p.enterprise_ids),
    )


# --- Excellence model ---------------------------------------------------------------------------
# Frameworks are reference data. A self-assessment is the enterprise's and the bureau's of its
# region: it tells how the firm is run, so institutions and other firms never read it.

for _label in ("excellence.framework", "excellence.category", "excellence.item"):
    SCOPES[_label] = lambda p: EVERYTHING if p.roles else NOTHING


def _panels(p: Principal) -> Q | QuerySet:
    """The expert assessments the user, as an expert, is on the panel of (not withdrawn)."""
    if not p.expert_ids:
        return NOTHING
    return _rows(
        "excellence.ExpertReview",
        "",
        Q(expert_id__in=sorted(p.expert_ids), status__in=("assigned", "submitted")),
        "assessment_id",
    )


def _self_assessment_rule(prefix: str) -> Rule:
    """The enterprise's own users, the officers of its region, and the experts assessing it (who
    start from its self-assessment)."""

    def rule(p: Principal) -> Q:
        panels = _panels(p)
        assessed = (
            NOTHING
            if panels is NOTHING
            else _rows("excellence.ExpertAssessment", "", Q(pk__in=panels), "self_assessment_id")
        )
        return any_of(
            in_regions(f"{prefix}region_id", p),
            _ids(f"{prefix}enterprise_id", p.enterprise_ids),
            _in(f"{prefix}pk" if not prefix else f"{prefix}id", assessed),
        )

    return rule


SCOPES["excellence.selfassessment"] = _self_assessment_rule("")
SCOPES["excellence.selfassessmentitem"] = _self_assessment_rule("assessment__")
# A programme's adoption and benchmark rules: the officers who see the programme.
SCOPES["excellence.adoptionrule"] = lambda p: _lineage("programme__region_id", p)
SCOPES["excellence.benchmarkrule"] = lambda p: _lineage("programme__region_id", p)


def _expert_assessment_rule(prefix: str) -> Rule:
    """Officers of the enterprise's region, the experts on its panel, and the enterprise itself
    once completed (the consensus is its feedback)."""

    def rule(p: Principal) -> Q:
        own = _ids(f"{prefix}enterprise_id", p.enterprise_ids)
        return any_of(
            in_regions(f"{prefix}region_id", p),
            _in(f"{prefix}pk" if not prefix else f"{prefix}id", _panels(p)),
            NOTHING if own is NOTHING else own & Q(**{f"{prefix}status": "completed"}),
        )

    return rule


SCOPES["excellence.expertassessment"] = _expert_assessment_rule("")
SCOPES["excellence.consensusitem"] = _expert_assessment_rule("assessment__")


#: Experts score an enterprise independently, as they score a project at its acceptance.
_EXCELLENCE_REVIEWS = {
    "reviews": "excellence.ExpertReview",
    "parent": "assessment",
    "region": "assessment__region_id",
}
SCOPES["excellence.expertreview"] = _review_rule("", officers_once_submitted=False, **_EXCELLENCE_REVIEWS)
SCOPES["excellence.expertitemscore"] = _review_rule(
    "review__", officers_once_submitted=True, **_EXCELLENCE_REVIEWS
)


@scope("excellence.benchmark")
def _benchmark(p: Principal) -> Q:
    # Officers: benchmarks of their region; an enterprise its own. The public list shows the
    # approved ones to everyone (uplift.reports).
    return any_of(in_regions("region_id", p), _ids("enterprise_id", p.enterprise_ids))


# --- One-stop service -----------------------------------------------------------------------------


@scope("servicedesk.servicerequest")
def _service_request(p: Principal) -> Q:
    """Officers: requests of enterprises in their region. Enterprises: their own. Institutions:
    those routed to them or to a station they operate. Experts: those routed to them."""
    return any_of(
        in_regions("region_id", p),
        _ids("enterprise_id", p.enterprise_ids),
        _ids("institution_id", p.institution_ids),
        _in("station_id", _rows("registry.ServiceStation", "operator_id", p.institution_ids, "pk")),
        _ids("expert_id", p.expert_ids),
    )


# Service promises are public to every role; officers of the region (and those below it, whom
# they bind) see a bureau's own.
SCOPES["servicedesk.responsetarget"] = lambda p: (
    _lineage("region_id", p) if p.is_officer else EVERYTHING if p.roles else NOTHING
)
# Routing rules are the bureau's: its officers, and those below who are routed by them.
SCOPES["servicedesk.routingrule"] = lambda p: _lineage("region_id", p)


@scope("core.attachment")
def _attachment(p: Principal) -> Q:
    """Whoever sees a record sees its files; enterprises not those of records whose model says
    ``attachments_for_enterprises = False`` (an activity's sign-in sheet names other firms' people).
    """
    from django.contrib.contenttypes.models import ContentType

    from uplift.core.models import attachable_models

    parts = []
    for model in attachable_models():
        rule = SCOPES[model._meta.label_lower]
        q = rule(p if model.attachments_for_enterprises else replace(p, enterprise_ids=frozenset()))
        if q is NOTHING:
            continue
        parents = model._default_manager.filter(q).values("pk")
        parts.append(Q(content_type_id=ContentType.objects.get_for_model(model).pk, object_id__in=parents))
    return any_of(*parts)


def pickable(qs: QuerySet, user: Any) -> QuerySet:
    """The rows ``user`` may choose in a form's or serializer's related field.

    Anything they may see; regions, which everyone sees, are narrowed to an officer's subtree so a
    Wuhan officer picks among Wuhan's districts rather than 3,400 divisions of China.
    """
    qs = restrict(qs, user)
    p = principal_of(user)
    if qs.model._meta.label_lower == "registry.region" and p.is_officer and not p.is_superuser:
        qs = qs.filter(in_regions("code", p))
    return qs
