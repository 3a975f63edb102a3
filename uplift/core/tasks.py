"""Core's background task: a long list's export (see :mod:`uplift.core.exports`).

Tasks use the Django Tasks API through django-tasks and its database backend (settings.TASKS),
run by ``uplift db_worker``; on Django 6 the import below becomes ``from django.tasks import task``.
"""

from __future__ import annotations

from django_tasks import task


@task()
def run_export(run_id: int) -> str | None:
    """Write the queued export ``run_id``; its status afterwards (None if it was not queued)."""
    from .exports import export_run

    run = export_run(run_id=run_id)
    return run.status if run is not None else None
