"""Imports run in the background: the task a page's large upload enqueues.

Tasks use the Django Tasks API through django-tasks and its database backend (settings.TASKS);
a worker runs them: ``uplift db_worker`` beside the web server (``uplift demo`` starts one). On
Django 6 the import below becomes ``from django.tasks import task``: this module is the one place.
"""

from __future__ import annotations

from django_tasks import task


@task()
def run_import(run_id: int) -> str | None:
    """Run the queued import ``run_id``; its status afterwards (None if it was not queued)."""
    from .services import import_run_queued

    run = import_run_queued(run_id=run_id)
    return run.status if run is not None else None
