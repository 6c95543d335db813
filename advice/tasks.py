"""Background tasks (Django's tasks API, run by `manage.py db_worker`)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import followups


def sweep_pending() -> bool:
    """True when a sweep is already waiting in the queue (so another is not added)."""
    from django_tasks.backends.database.models import DBTaskResult
    from django_tasks.base import TaskResultStatus

    return DBTaskResult.objects.filter(
        task_path=deliver_due_followups.module_path, status=TaskResultStatus.READY
    ).exists()


def sweep_enqueue(*, delay: timedelta | None = None) -> None:
    """Queue the next sweep unless one is waiting already. A duplicate from a race is harmless:
    delivery claims each follow-up before sending it."""
    if not deliver_due_followups.get_backend().supports_defer:
        return  # a backend that runs tasks at once (tests): nothing to schedule for later
    if sweep_pending():
        return
    run_after = timezone.now() + delay if delay else None
    runner = (
        deliver_due_followups.using(run_after=run_after) if run_after else deliver_due_followups
    )
    runner.enqueue()


@task()
def deliver_due_followups() -> int:
    """Plan the weekly check-ins, email what is due, then queue the next sweep. Everything it
    needs is in the database, so a sweep lost with a killed worker costs nothing: the next
    worker to start queues one (advice's db_worker) and finds the same follow-ups."""
    try:
        followups.checkins_plan()
        return followups.deliver_due()
    finally:
        sweep_enqueue(delay=timedelta(seconds=settings.FOLLOWUP_SWEEP_SECONDS))
