"""The registries: regions, industries and the actors of a programme.

Regions and industries are reference data loaded from the standards. Enterprises, clusters,
institutions, experts and service stations are the programme's actors; each carries the GB/T 2260
code of its region in ``region_id`` (regions are keyed by code), so scoping by a region's subtree
is a prefix match on an indexed column and never walks the tree.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import ScopedModel

from .choices import IndustryLevel, RegionLevel, SizeClass
from .validators import normalise_credit_code, validate_credit_code


class Region(ScopedModel):
    """An administrative division of China (GB/T 2260): province, prefecture or county.

    The six-digit code is the primary key, so every foreign key to a region *is* its code and a
    subtree is a code prefix (province ``42``, city ``4201``, county ``420102``).
    """

    code = models.CharField(
        _("code"),
        max_length=6,
        primary_key=True,
        validators=[RegexValidator(r"^\d{6}$", _("A region code has six digits."))],
    )
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=12, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def prefix(self) -> str:
        from uplift.accounts.access import region_prefix

        return region_prefix(self.code)


class Industry(ScopedModel):
    """A section (A–T) or division (01–97) of GB/T 4754-2017, the national industry classification."""

    code = models.CharField(_("code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=IndustryLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CreditCodeField(models.CharField):
    """A unified social credit code: normalised (upper case, half-width) and check-validated."""

    default_validators = [validate_credit_code]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 18)
        kwargs.setdefault("verbose_name", _("unified social credit code"))
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return normalise_credit_code(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            setattr(model_instance, self.attname, normalise_credit_code(value))
        return super().pre_save(model_instance, add)


def _region_fk(**kwargs) -> models.ForeignKey:
    return models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+", **kwargs
    )


class Enterprise(ScopedModel):
    """A firm the programme serves, identified by its unified social credit code.

    Whether it adopted the excellence model or is a quality benchmark is not stored here: each
    programme's adoption rule derives the first from the records, and the bureau's approvals
    (:class:`uplift.excellence.models.Benchmark`) record the second.
    """

    credit_code = CreditCodeField(unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    region = _region_fk(db_index=True)
    industry = models.ForeignKey(
        Industry,
        verbose_name=_("industry"),
        on_delete=models.PROTECT,
        related_name="enterprises",
        limit_choices_to={"level": IndustryLevel.DIVISION},
    )
    size_class = models.CharField(_("size class"), max_length=10, choices=SizeClass.choices, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(
        _("annual revenue (yuan)"),
        max_digits=16,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not self.industry_id:
            return
        try:
            industry = self.industry
        except Industry.DoesNotExist:
            return  # the field's own validation says the industry does not exist
        if industry.level != IndustryLevel.DIVISION:
            raise ValidationError({"industry": _("Choose an industry division (two digits), not a section.")})


class IndustrialCluster(ScopedModel):
    """A regional industrial cluster (产业集群): a region, a lead industry and member enterprises."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    region = _region_fk(db_index=True)
    lead_industry = models.ForeignKey(
        Industry,
        verbose_name=_("lead industry"),
        on_delete=models.PROTECT,
        related_name="clusters",
        limit_choices_to={"level": IndustryLevel.DIVISION},
    )
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        Enterprise,
        through="ClusterMembership",
        related_name="clusters",
        verbose_name=_("members"),
        blank=True,
    )

    class Meta:
        verbose_name = _("industrial cluster")
        verbose_name_plural = _("industrial clusters")
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name


class ClusterMembership(ScopedModel):
    """An enterprise's membership of a cluster, from the date it joined."""

    cluster = models.ForeignKey(
        IndustrialCluster, verbose_name=_("cluster"), on_delete=models.PROTECT, related_name="memberships"
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("enterprise"), on_delete=models.PROTECT, related_name="cluster_memberships"
    )
    joined_on = models.DateField(_("joined on"))

    class Meta:
        verbose_name = _("cluster membership")
        verbose_name_plural = _("cluster memberships")
        ordering = ["cluster_id", "enterprise_id"]
        constraints = [
            models.UniqueConstraint(fields=["cluster", "enterprise"], name="cluster_membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.cluster}"


class ServiceInstitution(ScopedModel):
    """A quality-service institution (品质技术服务机构) that bids for and delivers projects."""

    credit_code = CreditCodeField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    region = _region_fk(db_index=True)
    cma_number = models.CharField(
        _("CMA certificate number"),
        max_length=40,
        blank=True,
        help_text=_("Inspection-body qualification (检验检测机构资质认定)."),
    )
    cnas_number = models.CharField(
        _("CNAS accreditation number"),
        max_length=40,
        blank=True,
        validators=[
            RegexValidator(
                r"^CNAS\s?[A-Z]{1,2}\d{3,5}$", _("Write it as on the certificate, e.g. CNAS L1234.")
            )
        ],
    )
    services = models.TextField(_("services offered"), blank=True)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("service institution")
        verbose_name_plural = _("service institutions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Expert(ScopedModel):
    """An expert the bureau can call on to score bids, grade acceptances and assess enterprises."""

    name = models.CharField(_("name"), max_length=50)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    title = models.CharField(_("professional title"), max_length=50, blank=True)
    region = _region_fk(db_index=True)
    specialties = models.CharField(
        _("specialties"),
        max_length=255,
        blank=True,
        help_text=_("For example: 卓越绩效, 六西格玛, 标准化, 计量."),
    )
    industries = models.ManyToManyField(
        Industry,
        verbose_name=_("industries"),
        blank=True,
        related_name="+",
        limit_choices_to={"level": IndustryLevel.DIVISION},
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expert",
    )

    class Meta:
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ServiceStation(ScopedModel):
    """A one-stop quality service station (品质服务站) where enterprises bring their requests.

    ``operator`` is the service institution running the station: its staff accept and answer the
    requests routed to the station (:mod:`uplift.servicedesk`); without one, the bureau does.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    region = _region_fk(db_index=True)
    cluster = models.ForeignKey(
        IndustrialCluster,
        verbose_name=_("cluster served"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    opened_on = models.DateField(_("opened on"), null=True, blank=True)
    operator = models.ForeignKey(
        ServiceInstitution,
        verbose_name=_("operated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="stations_operated",
        help_text=_("The institution whose staff answer the service requests brought to the station."),
    )

    class Meta:
        verbose_name = _("service station")
        verbose_name_plural = _("service stations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
