from django.db import migrations


def add_email_addresses(apps, schema_editor):
    """allauth keeps each account's address, and whether it was verified, in EmailAddress.
    Accounts made before allauth get theirs, primary and not yet verified (nobody ever
    proved these addresses): they log in as before, and verify to share."""
    User = apps.get_model("backlog", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    have = set(EmailAddress.objects.values_list("user_id", flat=True))
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user_id=pk, email=email, primary=True, verified=False)
            for pk, email in User.objects.values_list("pk", "email").order_by("pk")
            if pk not in have
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("backlog", "0006_email_lower_case_and_privacy_consent"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(add_email_addresses, migrations.RunPython.noop)]
