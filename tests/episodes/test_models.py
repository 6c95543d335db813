from datetime import timedelta

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from episodes.models import Episode, Remedy


def rejects(update: dict, episode) -> bool:
    """True when the database refuses the update (a constraint, or a value too long)."""
    try:
        with transaction.atomic():
            Episode.objects.filter(pk=episode.pk).update(**update)
    except DatabaseError:
        return True
    return False


@pytest.mark.parametrize("intensity", [-1, 11, 100])
def test_intensity_outside_0_to_10_is_rejected_by_the_database(make_episode, patient, intensity):
    episode = make_episode(patient)
    assert rejects({"intensity": intensity}, episode)
    episode.refresh_from_db()
    assert episode.intensity == 5


def test_end_before_start_is_rejected_by_the_database(make_episode, patient):
    episode = make_episode(patient)
    assert rejects({"ended_at": episode.started_at - timedelta(minutes=1)}, episode)


def test_end_equal_to_start_is_allowed(make_episode, patient):
    episode = make_episode(patient)
    assert not rejects({"ended_at": episode.started_at}, episode)


@pytest.mark.parametrize(
    "update",
    [
        {"spread": "thigh", "leg": ""},
        {"spread": "none", "leg": "left"},
        {"leg": "middle", "spread": "foot"},
        {"side": "front"},
        {"spread": "knee"},
        {"trigger": "weather"},
        {"notes": "x" * 2001},
    ],
)
def test_inconsistent_or_unknown_values_are_rejected_by_the_database(make_episode, patient, update):
    episode = make_episode(patient)
    assert rejects(update, episode)


def test_a_raw_insert_with_intensity_twelve_is_rejected(patient):
    table = Episode._meta.db_table
    now = timezone.now()
    sql = (
        f"INSERT INTO {table} (patient_id, started_at, intensity, side, spread, leg, "
        "numbness, leg_weakness, saddle_numbness, bladder_bowel, fever, injury, spasm, "
        "trigger, notes, created_at, updated_at) "
        "VALUES (%s, %s, 12, 'left', 'none', '', false, false, false, false, false, false, "
        "false, '', '', %s, %s)"
    )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [patient.pk, now, now, now])
    assert not Episode.objects.exists()


def test_a_remedy_with_an_unknown_effect_is_rejected(make_episode, patient):
    episode = make_episode(patient, remedies={"walking": "yes"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Remedy.objects.filter(episode=episode).update(helped="maybe")


def test_the_same_remedy_cannot_be_recorded_twice_for_one_flare_up(make_episode, patient):
    episode = make_episode(patient, remedies={"walking": "yes"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Remedy.objects.create(episode=episode, code="walking", helped="no")


def test_tried_lists_remedy_codes_in_form_order(make_episode, patient):
    episode = make_episode(patient, remedies={"heat": "yes", "ibuprofen": "somewhat"})
    assert episode.tried == ["ibuprofen", "heat"]
