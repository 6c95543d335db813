"""Who may read what: the access matrix over every URL that takes a patient or episode id."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backlog.models import AccessEvent
from clinic import services
from clinic.models import Share
from episodes.models import Episode
from tests.factories import quick_log_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, make_episode):
    """A patient with one flare-up, and everyone who might try to read it."""
    patient = make_user("owner@example.com")
    episode = make_episode(patient, notes="private note")
    people = {
        "patient": patient,
        "shared_clinician": make_user("shared@example.com", role="clinician"),
        "unshared_clinician": make_user("unshared@example.com", role="clinician"),
        "revoked_clinician": make_user("revoked@example.com", role="clinician"),
        "expired_clinician": make_user("expired@example.com", role="clinician"),
        "other_patient": make_user("someone@example.com"),
    }
    services.share_with_clinician(
        patient=patient, clinician=people["shared_clinician"], expires_on=None
    )
    revoked = services.share_with_clinician(
        patient=patient, clinician=people["revoked_clinician"], expires_on=None
    )
    services.share_revoke(share=revoked)
    Share.objects.create(
        patient=patient,
        clinician=people["expired_clinician"],
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    return people, episode


READ_URLS = {
    "episode": lambda patient, episode: reverse("episode_detail", args=[episode.pk]),
    "shared episode": lambda patient, episode: reverse(
        "clinician_episode", args=[patient.pk, episode.pk]
    ),
    "summary": lambda patient, episode: reverse("patient_summary", args=[patient.pk]),
    "summary pdf": lambda patient, episode: reverse("patient_summary_pdf", args=[patient.pk]),
    "history": lambda patient, episode: reverse("clinician_history", args=[patient.pk]),
    "export csv": lambda patient, episode: reverse("patient_export", args=[patient.pk, "csv"]),
    "export json": lambda patient, episode: reverse("patient_export", args=[patient.pk, "json"]),
    "export fhir": lambda patient, episode: reverse("patient_export", args=[patient.pk, "fhir"]),
}
CHANGE_URLS = {
    "edit": lambda patient, episode: reverse("episode_edit", args=[episode.pk]),
    "delete": lambda patient, episode: reverse("episode_delete", args=[episode.pk]),
}
READERS = {"patient": 200, "shared_clinician": 200}
# The patient reads their own flare-up on their own page; a clinician on the clinic's.
ONLY_READER = {"episode": "patient", "shared episode": "shared_clinician"}


def expected_status(page: str, who: str) -> int:
    if page in ONLY_READER:
        return 200 if ONLY_READER[page] == who else 404
    return READERS.get(who, 404)


ALL_PEOPLE = [
    "patient",
    "shared_clinician",
    "unshared_clinician",
    "revoked_clinician",
    "expired_clinician",
    "other_patient",
]


@pytest.mark.parametrize("who", ALL_PEOPLE)
@pytest.mark.parametrize("page", sorted(READ_URLS))
def test_reading_pages_answer_200_to_the_patient_and_a_live_share_and_404_to_everyone_else(
    client, world, who, page
):
    people, episode = world
    client.force_login(people[who])
    response = client.get(READ_URLS[page](people["patient"], episode))
    assert response.status_code == expected_status(page, who)


@pytest.mark.parametrize("who", [p for p in ALL_PEOPLE if p != "patient"])
@pytest.mark.parametrize("page", sorted(CHANGE_URLS))
def test_only_the_patient_may_change_a_flare_up(client, world, who, page):
    people, episode = world
    client.force_login(people[who])
    assert client.get(CHANGE_URLS[page](people["patient"], episode)).status_code == 404
    assert client.post(CHANGE_URLS[page](people["patient"], episode)).status_code == 404
    episode.refresh_from_db()


@pytest.mark.parametrize("page", sorted(READ_URLS) + sorted(CHANGE_URLS))
def test_anonymous_visitors_are_sent_to_log_in(client, world, page):
    people, episode = world
    urls = {**READ_URLS, **CHANGE_URLS}
    response = client.get(urls[page](people["patient"], episode))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("who", ["unshared_clinician", "revoked_clinician", "expired_clinician"])
def test_a_refused_read_is_written_to_the_access_log(client, world, who):
    people, _ = world
    client.force_login(people[who])
    client.get(reverse("patient_summary", args=[people["patient"].pk]))
    event = AccessEvent.objects.get(actor_ref=people[who].pk)
    assert (event.patient_ref, event.action, event.allowed) == (
        people["patient"].pk,
        "summary",
        False,
    )


def test_another_patient_opening_a_flare_up_is_refused_and_logged(client, world):
    people, episode = world
    client.force_login(people["other_patient"])
    assert client.get(reverse("episode_detail", args=[episode.pk])).status_code == 404
    assert AccessEvent.objects.filter(
        actor_ref=people["other_patient"].pk, patient_ref=people["patient"].pk, allowed=False
    ).exists()


@pytest.mark.parametrize("page", sorted(set(READ_URLS) - {"episode"}))
def test_every_read_by_a_shared_clinician_is_logged(client, world, page):
    people, episode = world
    client.force_login(people["shared_clinician"])
    client.get(READ_URLS[page](people["patient"], episode))
    event = AccessEvent.objects.get()
    assert (event.actor_email, event.patient_ref, event.allowed) == (
        "shared@example.com",
        people["patient"].pk,
        True,
    )


def test_the_patient_reading_their_own_data_is_not_an_access_event(client, world):
    people, _ = world
    client.force_login(people["patient"])
    client.get(reverse("patient_summary", args=[people["patient"].pk]))
    assert not AccessEvent.objects.exists()


def test_a_shared_clinician_opening_the_patients_own_flare_up_page_is_refused_and_logged(
    client, world
):
    people, episode = world
    client.force_login(people["shared_clinician"])
    assert client.get(reverse("episode_detail", args=[episode.pk])).status_code == 404
    event = AccessEvent.objects.get()
    assert (event.patient_ref, event.allowed) == (people["patient"].pk, False)


def test_a_shared_clinician_cannot_reach_another_patients_flare_up_through_a_share(
    client, world, make_episode, make_user
):
    people, _ = world
    stranger_episode = make_episode(make_user("stranger@example.com"))
    client.force_login(people["shared_clinician"])
    url = reverse("clinician_episode", args=[people["patient"].pk, stranger_episode.pk])
    assert client.get(url).status_code == 404


def test_the_access_log_cannot_be_edited_or_deleted(world):
    event = AccessEvent.objects.create(actor_email="x@example.com", action="summary", allowed=True)
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AccessEvent.objects.all().delete()
    with pytest.raises(PermissionError):
        AccessEvent.objects.update(allowed=False)
    assert AccessEvent.objects.get().allowed is True


def test_the_admin_shows_the_access_log_but_cannot_change_or_delete_it(client, make_user):
    admin_user = make_user(
        "admin@example.com", is_staff=True, is_superuser=True, second_factor=True
    )
    event = AccessEvent.objects.create(
        actor_email="doc@example.com", action="summary", allowed=True
    )
    client.force_login(admin_user)
    listing = client.get(reverse("admin:backlog_accessevent_changelist"))
    assert listing.status_code == 200
    assert b"doc@example.com" in listing.content
    delete = client.post(
        reverse("admin:backlog_accessevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert AccessEvent.objects.filter(pk=event.pk).exists()


# Every page of a patient's own record, with what a patient would send to it.
PATIENT_ONLY = [
    ("get", "quick_log", {}),
    ("post", "quick_log", quick_log_data()),
    ("get", "episode_new", {}),
    ("post", "episode_new", {**quick_log_data(), "started_at": "2025-01-01T10:00"}),
    ("get", "history", {}),
    ("get", "trends", {}),
    ("get", "sharing", {}),
    ("post", "share_by_email", {"email": "shared@example.com"}),
    ("post", "share_code", {}),
    ("get", "import_history", {}),
    ("post", "import_history", {}),
    ("get", "my_export", {"fmt": "csv"}),
    ("get", "my_export", {"fmt": "json"}),
    ("get", "my_export", {"fmt": "fhir"}),
]


@pytest.mark.parametrize(("method", "name", "data"), PATIENT_ONLY)
def test_a_clinician_gets_404_from_every_patient_only_page_and_stores_nothing(
    client, world, method, name, data
):
    people, _ = world
    clinician = people["shared_clinician"]
    client.force_login(clinician)
    shares_before = Share.objects.count()
    args = [data.pop("fmt")] if "fmt" in data else []
    response = getattr(client, method)(reverse(name, args=args), data)
    assert response.status_code == 404
    assert not Episode.objects.filter(patient=clinician).exists()
    assert Share.objects.count() == shares_before


@pytest.mark.parametrize(
    ("method", "page"),
    [
        ("get", "episode_detail"),
        ("get", "episode_edit"),
        ("post", "episode_edit"),
        ("post", "episode_end"),
        ("get", "episode_delete"),
        ("post", "episode_delete"),
    ],
)
def test_a_clinician_gets_404_from_the_patients_own_flare_up_pages(client, world, method, page):
    people, episode = world
    client.force_login(people["shared_clinician"])
    assert getattr(client, method)(reverse(page, args=[episode.pk])).status_code == 404
    assert Episode.objects.filter(pk=episode.pk, notes="private note").exists()


def test_a_clinician_cannot_stop_a_patients_share(client, world):
    people, _ = world
    share = Share.objects.live().get(clinician=people["shared_clinician"])
    client.force_login(people["shared_clinician"])
    assert client.post(reverse("share_revoke", args=[share.pk])).status_code == 404
    share.refresh_from_db()
    assert share.revoked_at is None


def test_a_clinicians_home_is_their_list_of_patients(client, world):
    people, _ = world
    client.force_login(people["shared_clinician"])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("clinician_patients")
