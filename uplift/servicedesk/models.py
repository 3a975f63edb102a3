"""The one-stop service (一站式服务, "服务零距离"): enterprises' requests, where they are routed and
how fast they are answered."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uplift.core.models import HasAttachments, RegionOfEnterprise, ScopedModel

from .choices import OPEN_STATES, Channel, RequestStatus, Topic

#: The targets used for a topic no bureau has set one for (the demo's defaults too).
DEFAULT_RESPONSE_HOURS = 24
DEFAULT_ANSWER_DAYS = 5

#: The fields naming whom a request (or a routing rule) goes to; at most one is set.
ASSIGNEE_FIELDS = ("station", "institution", "expert")


def service_area(region_code: str) -> str:
    """The code prefix of the area a station, institution or expert serves: its prefecture (the
    first four digits of its region), or its whole province when it is registered at the
    province (``420000``). A Wuhan institution (``420100``) serves Wuhan, not Xiantao."""
    code = str(region_code)
    return code[:2] if code.endswith("0000") else code[:4]


def _ancestors(code: str) -> list[str]:
    """The region codes whose subtree holds ``code`` (six digits, or a subtree's prefix): for
    ``420102``, 420000, 420100 and 420102; for ``4201``, 420000 and 420100."""
    found = [code[:2] + "0000"]
    if len(code) >= 4:
        found.append(code[:4] + "00")
    if len(code) >= 6:
        found.append(code[:6])
    return list(dict.fromkeys(found))


def serving_q(model: Any, region_code: str) -> Q:
    """The stations, institutions or experts (rows of ``model``) serving the region
    ``region_code`` (a six-digit code, or the prefix of a subtree), as one filter:

    * an expert, drawn from the province's pool, serves their whole province;
    * a station or an institution serves its area (:func:`service_area`): the province when it is
      registered at the province, else its prefecture;
    * an institution also serves the regions of the clusters of the pilot projects it delivers
      (the Wuhan institution delivering Xiantao's pilot serves Xiantao's enterprises too): a
      subquery, so a list of institutions is still one query.
    """
    from uplift.accounts.access import in_subtree

    code = str(region_code)
    nothing = Q(pk__in=[])
    if len(code) < 2:
        return nothing
    label = model._meta.label_lower
    if label == "registry.expert":
        return in_subtree("region_id", code[:2])
    # Registered at the province: serves the province; else its prefecture's four digits.
    area = Q(region_id=code[:2] + "0000")
    if len(code) >= 4:
        area |= in_subtree("region_id", code[:4]) & ~Q(region__code__endswith="0000")
    if label != "registry.serviceinstitution":
        return area
    from uplift.programmes.models import PilotProject

    pilots = PilotProject.objects.filter(cluster__region_id__in=_ancestors(code), institution__isnull=False)
    return area | Q(pk__in=pilots.values("institution_id"))


def serves(target: Any, region_code: str) -> bool:
    """Whether ``target`` (a station, institution or expert) serves the region ``region_code`` (a
    six-digit code, or the prefix of a subtree): :func:`serving_q`, asked of the one row."""
    model = type(target)
    return model._default_manager.filter(serving_q(model, region_code), pk=target.pk).exists()


def assignee_of(obj: Any) -> tuple[str, Any] | tuple[None, None]:
    """(field name, record) of whom a request or rule goes to, or (None, None)."""
    for name in ASSIGNEE_FIELDS:
        if getattr(obj, f"{name}_id"):
            return name, getattr(obj, name)
    return None, None


def _check_assignee(obj: Any, region_code: str | None, errors: dict[str, Any], *, message: Any) -> None:
    """At most one assignee, serving ``region_code``; errors are put on the assignee's field."""
    named = [n for n in ASSIGNEE_FIELDS if getattr(obj, f"{n}_id")]
    if len(named) > 1:
        errors[named[1]] = _("Choose one of station, institution or expert, not several.")
        return
    name, target = assignee_of(obj)
    if target is not None and region_code and not serves(target, region_code):
        errors[name] = message % {"target": target, "region": region_code}


def _assignee_fk(name: str, model: str, label: Any) -> models.ForeignKey:
    return models.ForeignKey(
        model, verbose_name=label, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )


class ResponseTarget(ScopedModel):
    """A bureau's service promise for one topic (服务时限): first response within so many hours,
    the answer within so many days of filing. A request takes the target of the most specific
    region above it (its county, city, then province); without one, 24 hours and 5 days."""

    region = models.ForeignKey(
        "registry.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    response_hours = models.PositiveIntegerField(
        _("hours to first response"), validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    answer_days = models.PositiveIntegerField(
        _("days to answer"), validators=[MinValueValidator(1), MaxValueValidator(365)]
    )

    class Meta:
        verbose_name = _("response target")
        verbose_name_plural = _("response targets")
        ordering = ["region_id", "topic"]
        constraints = [
            models.UniqueConstraint(fields=["region", "topic"], name="servicedesk_target_unique"),
            models.CheckConstraint(
                condition=Q(response_hours__gte=1) & Q(answer_days__gte=1), name="servicedesk_target_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} · {self.get_topic_display()}"


class RoutingRule(ScopedModel):
    """Where new requests go (分派规则): those of a region's subtree — of one topic or any, of one
    cluster or any — to a station, an institution or an expert. Of the active rules matching a
    request the most specific wins: a named cluster first, then the narrower region, then a named
    topic; ``priority`` (higher first) settles a tie. A rule's target must serve its region."""

    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Requests from this region and below (the province: any)."),
    )
    topic = models.CharField(
        _("topic"), max_length=20, choices=Topic.choices, blank=True, help_text=_("Empty: any topic.")
    )
    cluster = models.ForeignKey(
        "registry.IndustrialCluster",
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: any cluster, or none."),
    )
    station = _assignee_fk("station", "registry.ServiceStation", _("service station"))
    institution = _assignee_fk("institution", "registry.ServiceInstitution", _("service institution"))
    expert = _assignee_fk("expert", "registry.Expert", _("expert"))
    priority = models.IntegerField(
        _("priority"), default=0, help_text=_("Higher wins between equally specific rules.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["region_id", "-priority", "name", "id"]
        indexes = [models.Index(fields=["is_active", "region"], name="servicedesk_rule_active_idx")]

    def __str__(self) -> str:
        return self.name

    def specificity(self) -> tuple[int, int, int, int]:
        return (
            int(bool(self.cluster_id)),
            len(_prefix(self.region_id)),
            int(bool(self.topic)),
            self.priority,
        )

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not any(getattr(self, f"{n}_id") for n in ASSIGNEE_FIELDS):
            errors["institution"] = _("Choose where the requests go: a station, an institution or an expert.")
        elif self.region_id:
            _check_assignee(
                self,
                _prefix(self.region_id),
                errors,
                message=_("%(target)s serves outside the rule's region (%(region)s); choose one serving it."),
            )
        if (
            self.cluster_id
            and self.region_id
            and not self.cluster.region_id.startswith(_prefix(self.region_id))
        ):
            errors["cluster"] = _("This cluster lies outside the rule's region.")
        if errors:
            raise ValidationError(errors)


def _prefix(code: str) -> str:
    from uplift.accounts.access import region_prefix

    return region_prefix(code)


class ServiceRequest(HasAttachments, RegionOfEnterprise, ScopedModel):
    """An enterprise's request to the one-stop service (服务需求): a question about testing,
    certification, standards, metrology, quality management or labelling.

    Filed by the enterprise (or by an officer on its behalf, at a station's counter or on the
    phone), routed to a station, an institution or an expert — by the bureau's rules or by hand —
    then accepted (the first response), worked on, answered, and closed by the enterprise with its
    satisfaction (1–5). The due times come from the topic's :class:`ResponseTarget` when it is
    filed. A request may become a quality problem or an activity of a project (``problem``,
    ``activity``). ``region`` is the enterprise's, copied onto the row.
    """

    str_related = ("enterprise",)

    enterprise = models.ForeignKey(
        "registry.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        related_name="service_requests",
    )
    region = models.ForeignKey(
        "registry.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    cluster = models.ForeignKey(
        "registry.IndustrialCluster",
        verbose_name=_("cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the enterprise's cluster, if it belongs to one."),
    )
    topic = models.CharField(_("topic"), max_length=20, choices=Topic.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(
        _("description"), help_text=_("What the enterprise needs, in its own words.")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    filed_at = models.DateTimeField(_("filed at"), default=timezone.now, editable=False)
    station = _assignee_fk("station", "registry.ServiceStation", _("service station"))
    institution = _assignee_fk("institution", "registry.ServiceInstitution", _("service institution"))
    expert = _assignee_fk("expert", "registry.Expert", _("expert"))
    routed_by = models.ForeignKey(
        RoutingRule,
        verbose_name=_("routed by rule"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RequestStatus.choices,
        default=RequestStatus.SUBMITTED,
        editable=False,
    )
    response_due_at = models.DateTimeField(_("first response due"), editable=False)
    answer_due_at = models.DateTimeField(_("answer due"), editable=False)
    accepted_at = models.DateTimeField(
        _("accepted at (first response)"), null=True, blank=True, editable=False
    )
    started_at = models.DateTimeField(_("work started at"), null=True, blank=True, editable=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True, editable=False)
    answer = models.TextField(_("answer"), blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (1–5)"),
        null=True,
        blank=True,
        editable=False,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("enterprise's comment"), blank=True, editable=False)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True, editable=False)
    problem = models.ForeignKey(
        "delivery.Problem",
        verbose_name=_("became quality problem"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    activity = models.ForeignKey(
        "delivery.Activity",
        verbose_name=_("became activity"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        ordering = ["-filed_at", "-id"]
        indexes = [
            models.Index(fields=["-filed_at", "-id"], name="servicedesk_recent_idx"),
            models.Index(fields=["region", "filed_at"], name="servicedesk_region_idx"),
            models.Index(fields=["status", "answer_due_at"], name="servicedesk_overdue_idx"),
            models.Index(fields=["status", "response_due_at"], name="servicedesk_unanswered_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="servicedesk_satisfaction_1_5",
            ),
            models.CheckConstraint(
                condition=(
                    Q(station__isnull=True, institution__isnull=True)
                    | Q(station__isnull=True, expert__isnull=True)
                    | Q(institution__isnull=True, expert__isnull=True)
                ),
                name="servicedesk_one_assignee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.title}"

    @property
    def assignee(self) -> Any:
        return assignee_of(self)[1]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATES

    @property
    def is_overdue(self) -> bool:
        """Still unanswered past its answer time, or not yet accepted past its response time."""
        now = timezone.now()
        if not self.is_open:
            return False
        late_response = self.status == RequestStatus.SUBMITTED and self.response_due_at < now
        return late_response or self.answer_due_at < now

    @property
    def answered_on_time(self) -> bool | None:
        return None if self.answered_at is None else self.answered_at <= self.answer_due_at

    @property
    def hours_to_first_response(self) -> float | None:
        if self.accepted_at is None:
            return None
        return round((self.accepted_at - self.filed_at).total_seconds() / 3600, 1)

    def attachments_open(self) -> bool:
        """Photos of a label, a test report: until the request is closed or withdrawn."""
        return self.status not in (RequestStatus.CLOSED, RequestStatus.WITHDRAWN)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.description is not None and not self.description.strip():
            errors["description"] = _("Describe what the enterprise needs.")
        if self.region_id:
            _check_assignee(
                self,
                self.region_id,
                errors,
                message=_(
                    "%(target)s serves outside the enterprise's region (%(region)s); choose one serving it."
                ),
            )
        if self.cluster_id and self.enterprise_id:
            from uplift.registry.models import ClusterMembership

            if not ClusterMembership.objects.filter(
                cluster_id=self.cluster_id, enterprise_id=self.enterprise_id
            ).exists():
                errors["cluster"] = _("%(name)s is not a member of this cluster.") % {"name": self.enterprise}
        if errors:
            raise ValidationError(errors)
