"""django-tasks' database worker, which first queues a follow-up sweep: a worker killed in the
middle of one leaves its task marked as running for good, and this is how the follow-ups it
had not delivered are found again (advice comes before django_tasks in INSTALLED_APPS, so
this command is the one `manage.py db_worker` runs)."""

from django_tasks.backends.database.management.commands import db_worker

from advice.tasks import sweep_enqueue


class Command(db_worker.Command):
    help = "Run the background worker (queues a follow-up sweep first)"

    def handle(self, *args, **options) -> None:
        sweep_enqueue()
        super().handle(*args, **options)
