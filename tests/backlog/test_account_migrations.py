"""Accounts made before allauth: their addresses are stored lower-cased, they get allauth's
EmailAddress rows, and they log in with the password they had."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

BEFORE_ALLAUTH = [("backlog", "0005_access_event_reason"), ("account", None)]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    nodes = [target for target in targets if target[1] is not None]
    return executor.loader.project_state(nodes).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_people_from_before_allauth_log_in_with_their_old_password_afterwards():
    old = migrate(BEFORE_ALLAUTH)
    User = old.get_model("backlog", "User")
    argon2 = make_password(PASSWORD)
    assert argon2.startswith("argon2$")
    User.objects.create(email="Mixed.Case@Example.com", password=argon2, role="patient")
    User.objects.create(email="doc@example.org", password=argon2, role="clinician")

    new = migrate(latest())

    users = dict(new.get_model("backlog", "User").objects.values_list("email", "pk"))
    assert set(users) == {"mixed.case@example.com", "doc@example.org"}
    EmailAddress = new.get_model("account", "EmailAddress")
    rows = set(EmailAddress.objects.values_list("user_id", "email", "primary", "verified"))
    assert rows == {
        (users["mixed.case@example.com"], "mixed.case@example.com", True, False),
        (users["doc@example.org"], "doc@example.org", True, False),
    }
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": "MIXED.case@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    # Logged in; asked first to agree to the privacy notice, which did not exist before.
    assert client.get(reverse("history"))["Location"].startswith(reverse("privacy_agree"))


@pytest.mark.django_db(transaction=True)
def test_addresses_that_differ_only_in_case_stop_the_migration_and_change_nothing():
    old = migrate(BEFORE_ALLAUTH)
    User = old.get_model("backlog", "User")
    User.objects.create(email="Same@Example.com", password="!", role="patient")
    User.objects.create(email="same@example.com", password="!", role="patient")

    with pytest.raises(RuntimeError, match=r"differ only in case: 'Same@Example\.com'"):
        migrate([("backlog", "0006_email_lower_case_and_privacy_consent")])

    emails = sorted(User.objects.values_list("email", flat=True))
    assert emails == ["Same@Example.com", "same@example.com"]
    # Put right by hand, as the message says, the migration then goes through.
    User.objects.filter(email="Same@Example.com").update(email="other@example.com")
    migrate(latest())


@pytest.mark.django_db
def test_a_log_in_looks_the_address_up_by_exact_match_on_the_unique_index(
    patient, django_assert_num_queries
):
    from backlog.models import User

    with django_assert_num_queries(1) as queries:
        User.objects.get_by_natural_key("  PAT@Example.com ")
    sql = queries.captured_queries[0]["sql"]
    assert "UPPER(" not in sql.upper()
    assert "LIKE" not in sql.upper()


@pytest.mark.django_db
def test_addresses_are_stored_lower_case_and_the_database_refuses_any_other(patient):
    from django.db import IntegrityError, transaction

    from backlog.models import User

    user = User.objects.create(email=" New.Person@Example.COM ", password="!")
    assert User.objects.get(pk=user.pk).email == "new.person@example.com"
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=patient.pk).update(email="PAT@example.com")
