"""The audit trail is the audit administrator's alone."""

from uplift.core.models import AuditEntry
from uplift.core.testing import ViewTestCases


class TestAuditEntry(ViewTestCases):
    model = AuditEntry
    actor = "audit_admin"
    editable = False

    @classmethod
    def inside(cls, w):
        return AuditEntry.objects.order_by("seq").first()

    sees_everything = True  # the audit admin sees the whole trail

    def test_list_shows_in_scope_rows_only(self):
        self.client.force_login(self.w.audit_admin)
        entry = self.inside(self.w)
        response = self.client.get("/audit/entries/", {"q": entry.object_repr})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, entry.get_absolute_url())

    def test_officer_cannot_read_the_audit_trail(self):
        self.client.force_login(self.w.officer)
        self.assertEqual(self.client.get("/audit/entries/").status_code, 403)
        entry = self.inside(self.w)
        self.assertEqual(self.client.get(f"/audit/entries/{entry.pk}/").status_code, 403)

    def test_audit_admin_sees_no_programme_data(self):
        self.client.force_login(self.w.audit_admin)
        self.assertEqual(self.client.get("/registry/enterprises/").status_code, 403)
        self.assertEqual(self.client.get("/api/registry/enterprises/").status_code, 403)


def test_entries_read_as_words_not_code(w):
    """The history shows "Created enterprise" and field names as people know them."""
    entry = AuditEntry.objects.filter(object_type="registry.enterprise", object_id=str(w.ent_in.pk)).get()
    assert entry.action == "registry.enterprise.create"
    assert entry.action_label() == "Created enterprise"
    labels = {c["field"]: c["label"] for c in entry.changed_fields()}
    assert labels["region_id"] == "region"
    assert labels["credit_code"] == "unified social credit code"


def test_entry_of_a_removed_model_still_reads(db):
    entry = AuditEntry(
        action="gone.thing.frobnicate", object_type="gone.thing", before={"a": 1}, after={"a": 2}
    )
    assert entry.action_label() == "frobnicate"
    assert entry.changed_fields() == [{"field": "a", "label": "a", "before": 1, "after": 2}]
