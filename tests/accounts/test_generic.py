"""Generic page tests of accounts: only the security administrator manages them."""

from uplift.accounts.choices import OrganisationKind, Role
from uplift.accounts.models import Membership, Organisation
from uplift.core.testing import ViewTestCases


class TestOrganisation(ViewTestCases):
    model = Organisation
    actor = "security_admin"

    @classmethod
    def inside(cls, w):
        return w.bureau

    @classmethod
    def outside(cls, w):  # the security admin sees every organisation; an officer sees none
        return w.bureau

    test_list_shows_in_scope_rows_only = None
    test_detail_out_of_scope_is_404 = None
    test_edit_out_of_scope_is_404 = None

    def test_officer_cannot_see_accounts(self):
        self.client.force_login(self.w.officer)
        self.assertEqual(self.client.get("/accounts/organisations/").status_code, 403)

    def create_data(self, w):
        return {
            "kind": OrganisationKind.INSTITUTION,
            "name": "湖北标准化院",
            "institution": w.inst_out.credit_code,
        }

    def update_data(self, w, obj):
        return {"kind": obj.kind, "name": obj.name + "（本部）", "region": obj.region_id}

    def invalid_data(self, w):
        return {"kind": OrganisationKind.BUREAU, "name": "无区域的局"}, "region"


class TestMembership(ViewTestCases):
    model = Membership
    actor = "security_admin"

    @classmethod
    def inside(cls, w):
        return Membership.objects.get(user=w.officer)

    outside = inside
    test_list_shows_in_scope_rows_only = None
    test_detail_out_of_scope_is_404 = None
    test_edit_out_of_scope_is_404 = None

    def create_data(self, w):
        return {"user": w.nobody, "organisation": w.bureau, "role": Role.OFFICER, "is_active": True}

    def update_data(self, w, obj):
        return {"user": obj.user, "organisation": obj.organisation, "role": obj.role, "is_active": False}

    def invalid_data(self, w):
        # Separation of duties: the audit admin cannot also be an officer.
        return {
            "user": w.audit_admin,
            "organisation": w.bureau,
            "role": Role.OFFICER,
            "is_active": True,
        }, "role"
