"""Shares moved from the backlog app to clinic: an existing database migrates with its shares
intact, because only Django's record of the model moved, never the table or its rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_THE_MOVE = [("backlog", "0003_access_event_actor_role"), ("clinic", None)]


def migrate(targets):
    """Migrate to `targets` and return the models as they stand there."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    nodes = [target for target in targets if target[1] is not None]
    return executor.loader.project_state(nodes).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_shares_made_before_the_move_are_intact_after_it():
    old = migrate(BEFORE_THE_MOVE)
    User = old.get_model("backlog", "User")
    OldShare = old.get_model("backlog", "Share")
    patient = User.objects.create(email="before@example.com", role="patient", password="!")
    clinician = User.objects.create(email="doc-before@example.com", role="clinician", password="!")
    made = OldShare.objects.create(patient=patient, clinician=clinician)
    code = OldShare.objects.create(patient=patient, code_hash="a" * 64)

    new = migrate(latest())

    Share = new.get_model("clinic", "Share")
    moved = {share.pk: share for share in Share.objects.all()}
    assert set(moved) == {made.pk, code.pk}
    assert (moved[made.pk].patient_id, moved[made.pk].clinician_id) == (patient.pk, clinician.pk)
    assert moved[code.pk].code_hash == "a" * 64


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_the_table_and_its_constraints():
    migrate(latest())
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        constraints = connection.introspection.get_constraints(cursor, "backlog_share")
    assert "backlog_share" in tables
    assert {"share_has_clinician_or_code", "share_not_with_oneself"} <= set(constraints)
