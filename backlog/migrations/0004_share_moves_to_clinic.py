# Shares moved to the clinic app. Only Django's record of the models changes: the table
# (backlog_share) and every row in it stay where they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("backlog", "0003_access_event_actor_role"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Share")],
            database_operations=[],
        ),
    ]
