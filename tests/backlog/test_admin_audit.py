"""Staff in the Django admin: every look at a patient's data is in that patient's access log,
and health data changes only with a written reason."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from advice.services import episode_log
from backlog.models import AccessEvent
from clinic import services
from episodes.models import Episode

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(make_user):
    return make_user("admin@example.com", is_staff=True, is_superuser=True, second_factor=True)


@pytest.fixture
def episode(patient, make_episode):
    return make_episode(
        patient, started_at=datetime(2025, 3, 1, 8, 0, tzinfo=UTC), notes="private note"
    )


def change_data(episode, **overrides) -> dict:
    """The admin change form as a browser posts it, unchanged unless overridden."""
    data = {
        "started_at_0": "2025-03-01",
        "started_at_1": "08:00:00",
        "ended_at_0": "",
        "ended_at_1": "",
        "intensity": str(episode.intensity),
        "side": episode.side,
        "spread": episode.spread,
        "leg": episode.leg,
        "trigger": episode.trigger,
        "notes": episode.notes,
        "remedies-TOTAL_FORMS": "0",
        "remedies-INITIAL_FORMS": "0",
        "remedies-MIN_NUM_FORMS": "0",
        "remedies-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def sharing_text(client, patient) -> str:
    client.force_login(patient)
    html = client.get(reverse("sharing")).content.decode()
    return " ".join(html.replace("<", " <").split())


def test_staff_opening_a_flare_up_in_the_admin_is_in_the_patients_access_log(
    client, staff, patient, episode
):
    client.force_login(staff)
    response = client.get(reverse("admin:episodes_episode_change", args=[episode.pk]))
    assert response.status_code == 200
    assert "private note" in response.content.decode()
    event = AccessEvent.objects.get()
    assert (event.actor_email, event.actor_role, event.patient_ref, event.allowed) == (
        "admin@example.com",
        "staff",
        patient.pk,
        True,
    )
    assert event.action == "admin view episode"
    assert "admin@example.com · one of your flare-ups, opened in the admin · allowed" in (
        sharing_text(client, patient)
    )


def test_the_admin_list_of_flare_ups_logs_one_read_per_patient_shown(
    client, staff, patient, other_patient, make_episode
):
    for person in (patient, patient, other_patient):
        make_episode(person)
    client.force_login(staff)
    assert client.get(reverse("admin:episodes_episode_changelist")).status_code == 200
    events = AccessEvent.objects.order_by("patient_ref")
    assert [(e.patient_ref, e.action) for e in events] == [
        (patient.pk, "admin list episode"),
        (other_patient.pk, "admin list episode"),
    ]


def test_a_change_without_a_reason_is_refused_and_nothing_changes(client, staff, patient, episode):
    client.force_login(staff)
    url = reverse("admin:episodes_episode_change", args=[episode.pk])
    response = client.post(url, change_data(episode, notes="rewritten"))
    assert response.status_code == 200
    assert "Say why you are changing this patient" in response.content.decode()
    episode.refresh_from_db()
    assert episode.notes == "private note"
    assert not AccessEvent.objects.filter(action="admin change episode").exists()


def test_a_change_with_a_reason_is_saved_and_the_patient_sees_who_why_and_when(
    client, staff, patient, episode
):
    client.force_login(staff)
    url = reverse("admin:episodes_episode_change", args=[episode.pk])
    reason = "Patient asked by phone to remove a mistyped note."
    response = client.post(url, change_data(episode, notes="", reason=reason))
    assert response.status_code == 302
    episode.refresh_from_db()
    assert episode.notes == ""
    change = AccessEvent.objects.get(action="admin change episode")
    assert (change.patient_ref, change.reason, change.actor_email) == (
        patient.pk,
        reason,
        "admin@example.com",
    )
    text = sharing_text(client, patient)
    assert "one of your flare-ups, changed in the admin" in text
    assert f"Reason given: {reason}" in text


def test_the_admins_history_of_changes_names_a_flare_up_without_its_health_detail(
    client, staff, patient, episode
):
    from django.contrib.admin.models import LogEntry

    client.force_login(staff)
    url = reverse("admin:episodes_episode_change", args=[episode.pk])
    reason = "Patient asked by phone to correct the pain score."
    client.post(url, change_data(episode, intensity="9", reason=reason))
    entry = LogEntry.objects.get(object_id=str(episode.pk))
    assert entry.object_repr == f"Flare-up {episode.pk}"
    assert "/10" not in client.get(reverse("admin:index")).content.decode()


def test_the_admin_cannot_add_or_delete_a_patients_flare_up(client, staff, episode):
    client.force_login(staff)
    assert client.get(reverse("admin:episodes_episode_add")).status_code == 403
    delete = reverse("admin:episodes_episode_delete", args=[episode.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Episode.objects.filter(pk=episode.pk).exists()


def test_staff_who_may_only_view_see_no_reason_field_and_cannot_change(
    client, make_user, patient, episode
):
    viewer = make_user("viewer@example.com", is_staff=True, second_factor=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_episode"))
    client.force_login(viewer)
    url = reverse("admin:episodes_episode_change", args=[episode.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="reason"' not in page.content.decode()
    assert (
        client.post(url, change_data(episode, notes="x", reason="a long enough reason")).status_code
        == 403
    )
    episode.refresh_from_db()
    assert episode.notes == "private note"
    assert AccessEvent.objects.filter(actor_ref=viewer.pk, action="admin view episode").count() == 2


def test_reading_advice_or_shares_in_the_admin_is_logged_too(client, staff, patient, clinician):
    _, prompts = episode_log(patient=patient, intensity=8, side="both", spread="foot", leg="both")
    share = services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(staff)
    pages = [
        reverse("admin:advice_prompt_changelist"),
        reverse("admin:advice_prompt_change", args=[prompts[0].pk]),
        reverse("admin:clinic_share_changelist"),
        reverse("admin:clinic_share_change", args=[share.pk]),
        reverse("admin:episodes_episode_history", args=[prompts[0].episode_id]),
    ]
    for url in pages:
        assert client.get(url).status_code == 200
    actions = list(AccessEvent.objects.order_by("id").values_list("action", "patient_ref"))
    assert actions == [
        ("admin list prompt", patient.pk),
        ("admin view prompt", patient.pk),
        ("admin list share", patient.pk),
        ("admin view share", patient.pk),
        ("admin view episode", patient.pk),
    ]
