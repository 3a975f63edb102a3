import django_tables2 as tables

from uplift.core.tables import BaseTable, NumberColumn

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


class RegionTable(BaseTable):
    code = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Region
        fields = ("code", "name", "level", "parent")


class IndustryTable(BaseTable):
    code = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Industry
        fields = ("code", "name", "name_en", "level", "parent")


class EnterpriseTable(BaseTable):
    name = tables.Column(linkify=True)
    employees = NumberColumn()

    class Meta(BaseTable.Meta):
        model = Enterprise
        fields = (
            "name",
            "credit_code",
            "region",
            "industry",
            "size_class",
            "employees",
        )


class ClusterTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = IndustrialCluster
        fields = ("name", "region", "lead_industry")


class ClusterMembershipTable(BaseTable):
    enterprise = tables.Column(linkify=True)
    cluster = tables.Column(linkify=True)
    detail = tables.Column(
        linkify=lambda record: record.get_absolute_url(),
        accessor="joined_on",
        verbose_name="",
        orderable=False,
        exclude_from_export=True,
    )

    class Meta(BaseTable.Meta):
        model = ClusterMembership
        fields = ("enterprise", "cluster", "joined_on")


class ServiceInstitutionTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ServiceInstitution
        fields = (
            "name",
            "credit_code",
            "region",
            "cma_number",
            "cnas_number",
            "contact_person",
            "contact_phone",
        )


class ExpertTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = Expert
        fields = ("name", "employer", "title", "region", "specialties")


class ServiceStationTable(BaseTable):
    name = tables.Column(linkify=True)

    class Meta(BaseTable.Meta):
        model = ServiceStation
        fields = ("name", "region", "cluster", "address", "phone", "opened_on")
