"""Who sees what: the rules of accounts/access.py through the database."""

import pytest
from django.core.exceptions import ValidationError

from uplift.accounts.access import principal_of, region_prefix
from uplift.accounts.choices import OrganisationKind, Role
from uplift.accounts.services import membership_create, organisation_create, user_create
from uplift.core.models import AuditEntry
from uplift.programmes.models import PilotProject, Programme
from uplift.registry.models import Enterprise, IndustrialCluster, ServiceInstitution, ServiceStation

pytestmark = pytest.mark.django_db


def visible(model, user):
    return set(model.objects.visible_to(user).values_list("pk", flat=True))


@pytest.mark.parametrize(
    "code, prefix", [("420000", "42"), ("420100", "4201"), ("420102", "420102"), ("429004", "429004")]
)
def test_region_prefix(code, prefix):
    assert region_prefix(code) == prefix


def test_province_officer_sees_the_province_only(w):
    assert visible(Enterprise, w.officer) == {w.ent_in.pk}
    assert visible(IndustrialCluster, w.officer) == {w.cluster_in.pk}
    assert visible(Programme, w.officer) == {w.programme_in.pk}
    assert visible(PilotProject, w.officer) == {w.pilot_in.pk}
    assert visible(Enterprise, w.hunan_officer) == {w.ent_out.pk}


def test_city_officer_sees_the_city_subtree_and_the_province_programme(w):
    city = organisation_create(actor=None, kind=OrganisationKind.BUREAU, name="武汉市局", region_id="420100")
    user = user_create(actor=None, username="wuhan")
    membership_create(actor=None, user=user, organisation=city, role=Role.OFFICER)
    assert visible(Enterprise, user) == set()  # the Hubei enterprise is in Xiantao
    assert visible(ServiceStation, user) == {w.station_in.pk}  # Jiang'an district, Wuhan
    assert visible(Programme, user) == {w.programme_in.pk}


def test_institution_sees_itself_and_the_enterprises_of_its_pilots(w):
    assert visible(ServiceInstitution, w.institution_user) == {w.inst_in.pk}
    assert visible(Enterprise, w.institution_user) == {w.ent_in.pk}
    assert visible(PilotProject, w.institution_user) == {w.pilot_in.pk}


def test_enterprise_user_sees_its_own_enterprise(w):
    assert visible(Enterprise, w.enterprise_user) == {w.ent_in.pk}
    assert visible(ServiceInstitution, w.enterprise_user) == set()


@pytest.mark.parametrize("who", ["security_admin", "audit_admin", "nobody"])
def test_administrators_and_role_less_users_see_no_programme_data(w, who):
    user = getattr(w, who)
    for model in (Enterprise, IndustrialCluster, ServiceInstitution, Programme, PilotProject):
        assert visible(model, user) == set(), model
    assert not user.has_perm("registry.view_enterprise")


def test_only_the_audit_admin_reads_the_audit_trail(w):
    assert visible(AuditEntry, w.audit_admin)
    assert visible(AuditEntry, w.officer) == set()
    assert visible(AuditEntry, w.security_admin) == set()


def test_no_account_holds_two_administrator_roles(w):
    with pytest.raises(ValidationError) as exc:
        membership_create(actor=None, user=w.security_admin, organisation=w.bureau, role=Role.AUDIT_ADMIN)
    assert "role" in exc.value.message_dict
    with pytest.raises(ValidationError):
        membership_create(actor=None, user=w.officer, organisation=w.bureau, role=Role.SECURITY_ADMIN)


def test_role_must_match_the_organisation_kind(w):
    with pytest.raises(ValidationError) as exc:
        membership_create(actor=None, user=w.nobody, organisation=w.bureau, role=Role.ENTERPRISE_USER)
    assert "role" in exc.value.message_dict


def test_principal_is_computed_once_per_user_object(w, django_assert_num_queries):
    principal_of(w.officer)
    with django_assert_num_queries(0):
        principal_of(w.officer)


def test_write_outside_scope_is_refused_and_rolled_back(w, client):
    from uplift.registry.demo import credit_code

    client.force_login(w.officer)
    before = Enterprise.objects.count()
    response = client.post(
        "/registry/enterprises/add/",
        {
            "credit_code": credit_code("91", "430102", 99),
            "name": "越界",
            "region": "430102",
            "industry": "36",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Enterprise.objects.count() == before
    response = client.post(
        "/api/registry/enterprises/",
        {
            "credit_code": credit_code("91", "430102", 98),
            "name": "越界",
            "region": "430102",
            "industry": "36",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert Enterprise.objects.count() == before


def test_scope_is_rechecked_after_the_write_and_rolled_back(w):
    """Even a service call that bypasses the form's choices cannot leave a record out of scope."""
    from django.core.exceptions import ValidationError

    from uplift.core.views import run_service
    from uplift.registry.demo import credit_code
    from uplift.registry.services import enterprise_create

    before = Enterprise.objects.count()
    with pytest.raises(ValidationError, match="outside the area"):
        run_service(
            enterprise_create,
            w.officer,
            credit_code=credit_code("91", "430102", 97),
            name="越界",
            region_id="430102",
            industry_id="36",
        )
    assert Enterprise.objects.count() == before


def test_cannot_attach_an_out_of_scope_enterprise_by_posting_its_id(w, client):
    from uplift.registry.models import ClusterMembership

    client.force_login(w.officer)
    before = ClusterMembership.objects.count()
    response = client.post(
        "/api/registry/cluster-memberships/",
        {"cluster": w.cluster_in.pk, "enterprise": w.ent_out.pk, "joined_on": "2018-05-01"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "enterprise" in response.json()
    assert ClusterMembership.objects.count() == before
