"""Delivery's import kinds: activities (by their external id in their project), the enterprises
taking part in them, and standards (by number).

Activities and participants are imported as their institution enters them one by one: into a
service project in progress that the importer delivers (an institution) or oversees (an officer,
inside their bureau's area), as drafts to be submitted for approval, and changed only while the
activity is a draft or has been returned for correction — an approved activity counts in the
figures, and a submitted one is being judged. Participants are a separate file, imported once
their activities are recorded.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from uplift.imports.kinds import Context, Field, ImportKind, RowProblems
from uplift.imports.reading import parse_choice, parse_date, parse_int, parse_text
from uplift.registry.imports import (
    cluster_named,
    code_cell,
    credit_code,
    enterprise_named,
    load_clusters,
    load_enterprises,
)
from uplift.registry.models import Enterprise, IndustrialCluster, Region
from uplift.registry.validators import (
    normalise_standard_number,
    standard_level,
    validate_credit_code,
    validate_standard_number,
)

from .choices import ActivityKind, ProjectStatus, StandardLevel, StandardStatus
from .models import Activity, Participation, ServiceProject, Standard
from .services.activities import EDITABLE
from .services.standards import ORDER

#: The demo's project in progress (Qichun's supplementary agreement, December 2018 to June 2019)
#: and one of its cluster's enterprises: the templates' example rows are valid against the demo.
EXAMPLE_PROJECT = "蕲春蕲艾企业标准提升服务（补充服务协议）"
EXAMPLE_ACTIVITY = "QCBC-2019-01"


# --- Cells ---------------------------------------------------------------------------------------


def _activity_kind(value: Any) -> str | None:
    return parse_choice(value, ActivityKind)


def _level(value: Any) -> str | None:
    return parse_choice(value, StandardLevel)


def _standard_status(value: Any) -> str | None:
    return parse_choice(value, StandardStatus)


def _external_id(value: Any) -> str | None:
    return parse_text(value, max_length=Activity._meta.get_field("external_id").max_length)


def _standard_number(value: Any) -> str | None:
    """A standard number, normalised as the registry stores it (``gb/t19580—2012`` →
    ``GB/T 19580-2012``); its form is checked by the model."""
    text = parse_text(value)
    if not text:
        return None
    return parse_text(
        normalise_standard_number(text), max_length=Standard._meta.get_field("number").max_length
    )


def _enterprise_named(code: str, ctx: Context, problems: dict[str, str]) -> Any:
    """The registered enterprise of ``code``; when there is none, a malformed code is said to be
    malformed (a typo in the check character) rather than unregistered."""
    if code not in ctx.data["enterprises"]:
        try:
            validate_credit_code(code)
        except ValidationError as exc:
            problems["enterprise"] = exc.messages[0]
            return None
    return enterprise_named(code, ctx, problems)


def _options(choices: Any) -> Any:
    return lambda: [str(label) for label in choices.labels]


# --- Projects, and who may record in them ------------------------------------------------------


def _name_key(text: str) -> str:
    """A name as cells are compared to it: width folded (a cell's （） is read as ()), no spaces, any case."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def load_projects(ctx: Context) -> None:
    """Every service project by its contract number and by its title, once per run (a province has
    tens of them a year, not thousands)."""
    by_contract: dict[str, ServiceProject] = {}
    by_title: dict[str, list[ServiceProject]] = defaultdict(list)
    for project in ServiceProject.objects.select_related("pilot__cluster", "contract").order_by("pk"):
        if project.contract_id:
            by_contract[_name_key(project.contract.reference)] = project
        by_title[_name_key(project.title)].append(project)
    ctx.data.update(projects_by_contract=by_contract, projects_by_title=dict(by_title))


def project_named(name: str, ctx: Context, problems: dict[str, str], field: str = "project") -> Any:
    """The project whose contract number or title is ``name`` (loaded by :func:`load_projects`), or
    None with the problem said under ``field``."""
    key = _name_key(name)
    project = ctx.data["projects_by_contract"].get(key)
    if project is not None:
        return project
    titled = ctx.data["projects_by_title"].get(key, [])
    if len(titled) == 1:
        return titled[0]
    if titled:
        problems[field] = _("Several service projects are titled %(title)s: give its contract number.") % {
            "title": name
        }
    else:
        problems[field] = _("No service project has the contract number or the title %(name)s.") % {
            "name": name
        }
    return None


def project_refused(project: ServiceProject, ctx: Context, *, new: bool = False) -> str | None:
    """Why the importer may not record in ``project`` (a ``new`` activity, or changes to its
    activities), or None when they may: an institution's staff record in the projects their
    institution delivers, an officer in those of their bureau's area, the system anywhere; and
    only while the project is in progress."""
    p = ctx.principal
    if not (
        p is None
        or p.is_superuser
        or project.institution_id in p.institution_ids
        or (p.is_officer and ctx.in_area(project.pilot.cluster.region_id))
    ):
        if p.is_officer:
            return _("%(name)s is outside your bureau's area.") % {"name": project}
        return _("You do not deliver this project.")
    if project.status != ProjectStatus.IN_PROGRESS:
        status = {"status": project.get_status_display()}
        if new:
            return (
                _("Activities are recorded while a project is in progress; this one is %(status)s.") % status
            )
        return _("The project is %(status)s; its activities no longer change.") % status
    return None


def activity_frozen(activity: Activity, changes: list[str] | None = None) -> str | None:
    """Why ``activity`` no longer changes through an import, or None: only a draft, or an activity
    returned for correction, changes (a submitted one is being judged, an approved one counts)."""
    if activity.status in EDITABLE:
        return None
    message = _(
        "Activity %(id)s is %(status)s; an import changes an activity and who took part in it "
        "only while it is a draft or has been returned for correction."
    ) % {"id": activity.external_id, "status": activity.get_status_display()}
    if changes:
        message += " " + _("This row would change: %(columns)s.") % {"columns": ", ".join(changes)}
    return message


def _changed_columns(kind: ImportKind, obj: Any, existing: Any) -> list[str]:
    """The headers of the kind's columns whose value the row changes in ``existing``."""
    out = []
    for f in kind.fields:
        name = obj._meta.get_field(f.name).attname
        if getattr(obj, name) != getattr(existing, name):
            out.append(f.header)
    return out


# --- Activities --------------------------------------------------------------------------------


class ActivityImport(ImportKind):
    """Activities of service projects, matched by their external id (the institution's own number)
    in their project. The programme, cluster and institution are the project's, the place by
    default the cluster's region, as when an activity is entered on its page. New activities are
    drafts; an activity changes only while it is a draft or has been returned."""

    name = "activities"
    label = pgettext_lazy("import kind", "Activities")
    model = Activity
    # External ids are unique within a programme (the model's constraint): within one project they
    # name one activity, and a project is in one programme. An id used by another project of the
    # same programme is refused by check(), not met as a database error.
    key = ("external_id", "project")
    permissions = ("delivery.add_activity", "delivery.change_activity")
    checked_here = ("programme", "project", "cluster", "region", "institution", "submitted_by", "approved_by")
    fields = [
        Field(
            "external_id",
            ("活动编号", "External id", "Activity number", "活动编码"),
            _external_id,
            required=True,
            example=EXAMPLE_ACTIVITY,
            help=gettext_lazy(
                "The activity's number in your own records, unique in the programme: a row with a "
                "number already recorded in the project updates that activity, while it is a draft "
                "or has been returned. New activities are recorded as drafts, as if entered one by "
                "one: submit them for approval on their pages."
            ),
        ),
        Field(
            "project",
            ("服务项目", "Service project", "Project", "项目名称", "项目"),
            required=True,
            example=EXAMPLE_PROJECT,
            help=gettext_lazy(
                "The project's contract number (HBHT-2018-07) or its title; a project in progress "
                "that you deliver (or, for a bureau, inside its area)."
            ),
        ),
        Field(
            "kind",
            ("活动类型", "Kind", "Activity kind", "类型"),
            _activity_kind,
            required=True,
            example="培训",
            options=_options(ActivityKind),
        ),
        Field(
            "held_on",
            ("活动日期", "Date", "Held on", "日期"),
            parse_date,
            required=True,
            example="2019-01-08",
            help=gettext_lazy("Within the project's period and not in the future: 2019-01-08, 2019/1/8."),
        ),
        Field(
            "place",
            ("活动地点", "Place", "地点"),
            required=True,
            example="蕲春县市场监督管理局培训中心",
        ),
        Field(
            "topic",
            ("活动主题", "Topic", "主题"),
            required=True,
            example="企业标准自我声明公开辅导（第四场）",
        ),
        Field("description", ("活动内容", "Description", "内容")),
        Field(
            "delivered_by",
            ("实施人员", "Delivered by", "主讲人"),
            example="蕲春县蕲艾产业品质技术服务中心标准化部",
            help=gettext_lazy("The people or team who ran it."),
        ),
        Field(
            "cluster",
            ("产业集群", "Cluster", "Industrial cluster"),
            example="蕲春蕲艾",
            help=gettext_lazy("May be left empty: an activity of a project is in the project's cluster."),
        ),
        Field(
            "region",
            ("活动地区代码", "Region code", "Region", "地区代码"),
            code_cell,
            example="421126",
            help=gettext_lazy(
                "Where it was held, a six-digit GB/T 2260 code; left empty, the cluster's region."
            ),
        ),
    ]

    def prepare(self, ctx: Context) -> None:
        load_projects(ctx)
        load_clusters(ctx)
        ctx.data.update(regions=set(Region.objects.values_list("code", flat=True)), claimed=set())

    def load(self, rows: list[dict[str, Any]], ctx: Context) -> None:
        # The activities already numbered as the batch's rows in the programmes of their projects:
        # to know a row's place (a new activity takes its cluster's region) and to refuse an id
        # another project of the programme uses. One query per batch.
        programmes = set()
        for r in rows:
            project = project_named(r["project"], ctx, {}) if r.get("project") else None
            if project is not None:
                programmes.add(project.pilot.programme_id)
        ids = {r["external_id"] for r in rows if r.get("external_id")}
        ctx.data["numbered"] = {
            (a.programme_id, a.external_id): a
            for a in Activity._base_manager.filter(programme_id__in=programmes, external_id__in=ids).only(
                "pk", "programme_id", "project_id", "external_id"
            )
        }

    def values(self, parsed: dict[str, Any], ctx: Context) -> dict[str, Any]:
        problems: dict[str, str] = {}
        out = dict(parsed)
        project = project_named(parsed["project"], ctx, problems)
        name = out.pop("cluster", None)
        cluster = cluster_named(name, ctx, problems) if name else None
        code = out.pop("region", None)
        if code and code not in ctx.data["regions"]:
            problems["region"] = _("Unknown region %(code)s: give a six-digit GB/T 2260 code.") % {
                "code": code
            }
        if project is None:
            raise RowProblems(problems)
        pilot = project.pilot
        if cluster is not None and cluster != pilot.cluster:
            problems["cluster"] = _(
                "The project %(project)s serves the cluster %(cluster)s; its activities are placed there."
            ) % {"project": project, "cluster": pilot.cluster}
        external_id = parsed["external_id"]
        # The same activity named twice in the file (once by the project's title, once by its
        # contract number, say): the generic check compares the cells as written.
        claim = (pilot.programme_id, external_id)
        if claim in ctx.data["claimed"]:
            problems["external_id"] = _(
                "Repeated: another row of this file has the external id %(id)s in the same programme."
            ) % {"id": external_id}
        if problems:
            raise RowProblems(problems)
        ctx.data["claimed"].add(claim)
        out.update(
            project=project,
            programme_id=pilot.programme_id,
            cluster=pilot.cluster,
            institution_id=project.institution_id,
        )
        stored = ctx.data["numbered"].get(claim)
        known = stored is not None and stored.project_id == project.pk
        if code:
            out["region_id"] = code
        elif "region" in parsed or not known:
            # Empty, or a new activity without the column: the cluster's region (as the form does).
            out["region_id"] = pilot.cluster.region_id
        return out

    def existing(self, keys: set[tuple]) -> dict[tuple, Any]:
        # On both columns of the key: the project's index narrows it, the ids pick the rows.
        qs = Activity._base_manager.filter(
            external_id__in={k[0] for k in keys}, project_id__in={k[1] for k in keys}
        ).select_related("project")
        return {key: a for a in qs if (key := (a.external_id, a.project_id)) in keys}

    def check(self, obj: Any, existing: Any, ctx: Context) -> dict[str, str]:
        problems: dict[str, str] = {}
        refused = project_refused(obj.project, ctx, new=existing is None)
        if refused:
            problems["project"] = refused
        if existing is None:
            stored = ctx.data["numbered"].get((obj.programme_id, obj.external_id))
            if stored is not None:
                problems["external_id"] = _(
                    "Another activity of this programme already has the external id %(id)s "
                    "(external ids are unique within a programme)."
                ) % {"id": obj.external_id}
        else:
            frozen = activity_frozen(existing, _changed_columns(self, obj, existing))
            if frozen:
                problems["external_id"] = frozen
        if obj.region_id and ctx.principal is not None and ctx.principal.is_officer:
            if not ctx.in_area(obj.region_id) and "project" not in problems:
                problems["region"] = _("Region %(code)s is outside your bureau's area.") % {
                    "code": obj.region_id
                }
        return problems

    def revert_refused(self, records: list[Any], created: list[Any]) -> str | None:
        # An activity submitted or approved since is being judged or counted; one created by the
        # import that has participants now would take them with it (they cascade).
        return _frozen_since(records) or _with_participants(created)


def _frozen_since(activities: Any) -> str | None:
    """Why a revert must leave these activities alone: those of them no longer a draft (or
    returned), named (five at most)."""
    frozen = [a for a in activities if a.status not in EDITABLE][:5]
    if not frozen:
        return None
    return _(
        "Activities this import wrote have been submitted or approved since (%(activities)s): "
        "reverting would change what is being judged or counted. Return them for correction first."
    ) % {"activities": "; ".join(f"{a.external_id} ({a.get_status_display()})" for a in frozen)}


def _with_participants(created: list[Any]) -> str | None:
    """Why a revert must not delete these new activities: those with participants now."""
    used = list(
        Activity._base_manager.filter(pk__in=[a.pk for a in created], participations__isnull=False)
        .distinct()
        .values_list("external_id", flat=True)[:5]
    )
    if not used:
        return None
    return _(
        "Activities this import created have participants now (%(activities)s); reverting would "
        "delete them too. Revert the import of the participants first, or remove them by hand."
    ) % {"activities": "; ".join(used)}


# --- Participations ------------------------------------------------------------------------------


class ParticipationImport(ImportKind):
    """The enterprises taking part in activities already recorded: one row per enterprise in an
    activity (named by its external id in its project), with its headcount of quality managers.
    Who took part changes only while the activity is a draft or has been returned."""

    name = "participations"
    label = pgettext_lazy("import kind", "Activity participants")
    model = Participation
    key = ("activity", "enterprise")
    permissions = ("delivery.add_participation", "delivery.change_participation")
    checked_here = ("activity", "enterprise", "region")
    fields = [
        Field(
            "activity",
            ("活动编号", "External id", "Activity number", "活动编码"),
            required=True,
            example=EXAMPLE_ACTIVITY,
            help=gettext_lazy(
                "The activity's external id, as recorded (import the activities first); it must be "
                "a draft or returned for correction."
            ),
        ),
        Field(
            "project",
            ("服务项目", "Service project", "Project", "项目名称", "项目"),
            required=True,
            example=EXAMPLE_PROJECT,
            help=gettext_lazy("The activity's project: its contract number or its title."),
        ),
        Field(
            "enterprise",
            ("统一社会信用代码", "Unified social credit code", "Credit code", "USCC"),
            credit_code,
            required=True,
            example="914211261000542094",
            help=gettext_lazy("The enterprise that took part, registered already and within your scope."),
        ),
        Field(
            "managers",
            ("质量管理人员数", "Quality managers", "Managers", "参加人数"),
            parse_int,
            example=2,
            help=gettext_lazy("How many of its quality managers took part (1 when left empty)."),
        ),
        Field("note", ("备注", "Note")),
    ]

    @property
    def key_fields(self) -> tuple[str, ...]:
        # Rows repeat when they name the same activity — its external id *in its project* — and
        # enterprise: two projects may both number an activity "001".
        return ("activity", "project", "enterprise")

    def key_of(self, values: dict[str, Any]) -> tuple:
        return (values["activity"].pk, values["enterprise"].pk)

    def existing(self, keys: set[tuple]) -> dict[tuple, Any]:
        qs = Participation._base_manager.filter(activity_id__in={k[0] for k in keys})
        return {key: p for p in qs if (key := (p.activity_id, p.enterprise_id)) in keys}

    def prepare(self, ctx: Context) -> None:
        load_projects(ctx)
        ctx.data["claimed"] = set()

    def load(self, rows: list[dict[str, Any]], ctx: Context) -> None:
        load_enterprises(rows, ctx)
        projects = {
            project.pk
            for r in rows
            if r.get("project") and (project := project_named(r["project"], ctx, {})) is not None
        }
        ids = {r["activity"] for r in rows if r.get("activity")}
        ctx.data["activities"] = {
            (a.project_id, a.external_id): a
            for a in Activity._base_manager.filter(project_id__in=projects, external_id__in=ids)
        }
        # The enterprises the importer may record (an officer's area, an institution's clusters).
        found = [e.pk for e in ctx.data["enterprises"].values()]
        ctx.data["recordable"] = (
            None
            if ctx.principal is None or ctx.principal.is_superuser
            else set(
                Enterprise.objects.visible_to(ctx.actor).filter(pk__in=found).values_list("pk", flat=True)
            )
        )

    def values(self, parsed: dict[str, Any], ctx: Context) -> dict[str, Any]:
        problems: dict[str, str] = {}
        project = project_named(parsed["project"], ctx, problems)
        enterprise = _enterprise_named(parsed["enterprise"], ctx, problems)
        activity = None
        if project is not None:
            activity = ctx.data["activities"].get((project.pk, parsed["activity"]))
            if activity is None:
                problems["activity"] = _(
                    "The project %(project)s has no activity with the external id %(id)s."
                ) % {
                    "project": project,
                    "id": parsed["activity"],
                }
        if activity is not None and enterprise is not None:
            if (activity.pk, enterprise.pk) in ctx.data["claimed"]:
                problems["enterprise"] = _(
                    "Repeated: another row of this file has this enterprise in activity %(id)s."
                ) % {"id": activity.external_id}
        if problems:
            raise RowProblems(problems)
        activity.project = project  # loaded once per run, with its pilot
        ctx.data["claimed"].add((activity.pk, enterprise.pk))
        out = {**parsed, "activity": activity, "enterprise": enterprise, "region_id": enterprise.region_id}
        out.pop("project")
        if "managers" in out and out["managers"] is None:
            out["managers"] = 1  # as the sign-in sheet form reads a line without a number
        return out

    def check(self, obj: Any, existing: Any, ctx: Context) -> dict[str, str]:
        problems: dict[str, str] = {}
        activity = obj.activity
        refused = project_refused(activity.project, ctx)
        if refused:
            problems["project"] = refused
        frozen = activity_frozen(activity)
        if frozen:
            problems["activity"] = frozen
        recordable = ctx.data["recordable"]
        if existing is None and recordable is not None and obj.enterprise_id not in recordable:
            problems["enterprise"] = _("%(name)s is outside your scope; you cannot record it.") % {
                "name": obj.enterprise
            }
        return problems

    def revert_refused(self, records: list[Any], created: list[Any]) -> str | None:
        # Who took part in an activity submitted or approved since is no longer the import's.
        ids = {p.activity_id for p in records}
        return _frozen_since(Activity._base_manager.filter(pk__in=ids).exclude(status__in=EDITABLE)[:5])


# --- Standards ---------------------------------------------------------------------------------


class StandardImport(ImportKind):
    """Standards of the registry, matched by their number (normalised as the registry writes it).
    The level may be left for the number to say; a standard's status only moves forward. Whoever
    may add standards imports new ones; changing one already registered needs the right to
    change standards (the bureau's)."""

    name = "standards"
    label = pgettext_lazy("import kind", "Standards")
    model = Standard
    key = "number"
    permissions = ("delivery.add_standard",)
    # The number is registered once: the model's clean() looks for a twin among the batch's
    # numbers, read once (:meth:`supply`), so its unique constraint is not asked again row by row;
    # the cluster is checked against the clusters loaded once.
    checked_here = ("number", "cluster")
    fields = [
        Field(
            "number",
            ("标准编号", "Number", "Standard number", "标准号"),
            _standard_number,
            required=True,
            example="DB42/T 1466-2018",
            help=gettext_lazy(
                "Like GB/T 19580-2012, DB42/T 1234-2019, T/ABC 001-2019 or Q/ABC 001-2019; a "
                "number already in the registry updates that standard."
            ),
        ),
        Field(
            "level",
            ("标准级别", "Level", "标准类别"),
            _level,
            example="地方标准（DB）",
            options=_options(StandardLevel),
            help=gettext_lazy("Left empty, the level the number's prefix says."),
        ),
        Field("title", ("标准名称", "Title", "名称"), required=True, example="蕲艾 艾绒"),
        Field(
            "status",
            ("标准状态", "Status", "状态"),
            _standard_status,
            required=True,
            example="已发布",
            options=_options(StandardStatus),
            help=gettext_lazy("Only moves forward: drafting, consultation, approved, published, withdrawn."),
        ),
        Field(
            "issued_by",
            ("发布机构", "Issued by", "发布单位"),
            example="湖北省市场监督管理局",
        ),
        Field(
            "cluster",
            ("服务产业集群", "Cluster served", "产业集群", "Cluster"),
            example="蕲春蕲艾",
            help=gettext_lazy("The cluster the standard serves, by name (optional)."),
        ),
        Field(
            "approved_on",
            ("批准日期", "Approved on"),
            parse_date,
            example="2018-11-02",
            help=gettext_lazy("Needed from approval on."),
        ),
        Field(
            "published_on",
            ("发布日期", "Published on"),
            parse_date,
            example="2018-11-20",
            help=gettext_lazy("Needed once published."),
        ),
        Field(
            "effective_on", ("实施日期", "In force from", "Effective on"), parse_date, example="2019-02-20"
        ),
        Field(
            "withdrawn_on",
            ("废止日期", "Withdrawn on"),
            parse_date,
            help=gettext_lazy("Needed once withdrawn."),
        ),
    ]

    def prepare(self, ctx: Context) -> None:
        load_clusters(ctx)
        ctx.data["regions"] = set(Region.objects.values_list("code", flat=True))
        actor = ctx.actor
        everything = ctx.principal is None or ctx.principal.is_superuser
        ctx.data.update(
            visible_clusters=None
            if everything
            else set(IndustrialCluster.objects.visible_to(actor).values_list("pk", flat=True)),
            may_change=actor is None or actor.has_perm("delivery.change_standard"),
        )

    def load(self, rows: list[dict[str, Any]], ctx: Context) -> None:
        # The standards already registered under the batch's numbers, for the model's check that a
        # number is registered once (one query per batch, not one per row).
        numbers = {r["number"] for r in rows if r.get("number")}
        ctx.data["numbers"] = {s.number: s for s in Standard._base_manager.filter(number__in=numbers)}

    def supply(self, obj: Any, ctx: Context) -> None:
        obj.known_numbers = ctx.data["numbers"]
        obj.known_regions = ctx.data["regions"]

    def values(self, parsed: dict[str, Any], ctx: Context) -> dict[str, Any]:
        problems: dict[str, str] = {}
        out = dict(parsed)
        if "cluster" in parsed:  # a column the file does not have leaves the field as it is
            out["cluster"] = cluster_named(parsed["cluster"], ctx, problems) if parsed["cluster"] else None
        if problems:
            raise RowProblems(problems)
        if not out.get("level"):
            level = standard_level(out["number"])
            if level is None:  # nothing to read a level from: say what is wrong with the number
                try:
                    validate_standard_number(out["number"])
                except ValidationError as exc:
                    raise RowProblems({"number": exc.messages[0]}) from None
            out["level"] = level
        return out

    def check(self, obj: Any, existing: Any, ctx: Context) -> dict[str, str]:
        problems: dict[str, str] = {}
        if existing is not None:
            if not ctx.data["may_change"]:
                problems["number"] = _(
                    "%(number)s is already in the registry; you may add standards, the bureau changes them."
                ) % {"number": existing.number}
            if obj.status in ORDER and ORDER.index(obj.status) < ORDER.index(existing.status):
                problems["status"] = _("A standard that is %(old)s cannot go back to %(new)s.") % {
                    "old": existing.get_status_display(),
                    "new": obj.get_status_display(),
                }
        visible = ctx.data["visible_clusters"]
        moved = obj.cluster_id != (existing.cluster_id if existing is not None else None)
        if obj.cluster_id and moved and visible is not None and obj.cluster_id not in visible:
            problems["cluster"] = _("%(name)s is outside your scope; you cannot record it.") % {
                "name": obj.cluster
            }
        return problems
