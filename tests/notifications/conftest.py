import pytest

from uplift.accounts.access import is_visible
from uplift.notifications.models import Notification


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """``with committed():`` runs the block and then what it scheduled for after its commit (the
    tests' transaction never commits, so the hooks would not run otherwise)."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def told(kind, record, *, actor=None):
    """The notifications of ``kind`` about ``record``, checked: each about the record, by the
    actor, and openable by its recipient (who may see the record). Returns the recipients."""
    rows = list(Notification.objects.filter(kind=kind, object_id=record.pk).select_related("recipient"))
    for n in rows:
        assert n.title and n.url == record.get_absolute_url(), n
        assert n.actor_id == (actor.pk if actor is not None else None)
        assert is_visible(record, n.recipient), f"{n.recipient} cannot open {record}"
    recipients = [n.recipient for n in rows]
    assert len(recipients) == len(set(recipients)), "a recipient told twice"
    if actor is not None:
        assert actor not in recipients, "the actor is never told of their own step"
    return set(recipients)
