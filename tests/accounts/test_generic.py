"""Generic page tests of accounts: only the security administrator manages them."""

from django.urls import reverse

from uplift.accounts.choices import OrganisationKind, Role
from uplift.accounts.models import Membership, Organisation, User
from uplift.core.models import AuditEntry
from uplift.core.testing import ViewTestCases


class TestOrganisation(ViewTestCases):
    model = Organisation
    actor = "security_admin"

    @classmethod
    def inside(cls, w):
        return w.bureau

    sees_everything = True  # the security admin sees every organisation; an officer sees none

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

    sees_everything = True

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


class TestUser(ViewTestCases):
    model = User
    actor = "security_admin"

    @classmethod
    def inside(cls, w):
        return w.officer

    sees_everything = True  # the security admin sees every account; others only their own

    def create_data(self, w):
        return {
            "username": "new.officer",
            "display_name": "新科员",
            "password": "First-pass-2018",
            "is_active": True,
        }

    def update_data(self, w, obj):
        return {
            "username": obj.username,
            "display_name": "王处长",
            "email": "wang@example.cn",
            "is_active": True,
        }

    def invalid_data(self, w):
        return {"username": "weak", "password": "weakweakweak", "is_active": True}, "password"

    def test_others_see_only_themselves(self):
        self.client.force_login(self.w.officer)
        self.assertEqual(self.client.get("/accounts/users/").status_code, 403)
        self.assertEqual(User.objects.visible_to(self.w.officer).get(), self.w.officer)

    def test_created_account_must_change_its_initial_password(self):
        self.client.force_login(self.w.security_admin)
        self._post(reverse("accounts:user_add"), self.create_data(self.w))
        user = User.objects.get(username="new.officer")
        self.assertTrue(user.must_change_password)
        entry = AuditEntry.objects.filter(action="accounts.user.create").order_by("-seq").first()
        self.assertNotIn("password", entry.after)

    def test_reset_password(self):
        self.client.force_login(self.w.security_admin)
        url = reverse("accounts:user_password_reset", args=[self.w.officer.pk])
        self.assertEqual(self.client.post(url, {"password": "weak"}).status_code, 200)
        response = self.client.post(url, {"password": "Reset-pass-2018"})
        self.assertEqual(response.status_code, 302)
        self.w.officer.refresh_from_db()
        self.assertTrue(self.w.officer.must_change_password)
        self.assertTrue(self.w.officer.check_password("Reset-pass-2018"))
        self.client.force_login(self.w.enterprise_user)
        self.assertEqual(
            self.client.post(url, {"password": "Other-pass-2018"}).status_code, 404
        )  # not theirs

    def test_viewing_a_user_does_not_change_who_is_signed_in_on_the_page(self):
        self.client.force_login(self.w.security_admin)
        response = self.client.get(self.w.officer.get_absolute_url())
        self.assertEqual(response.context["user"], self.w.security_admin)
        self.assertEqual(response.context["object"], self.w.officer)
