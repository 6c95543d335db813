"""The clinician's patient list: who needs attention first, in words, filtered, searched and
paged, at a cost that does not grow with the patients' histories."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from advice.services import episode_log
from clinic import services
from clinic.models import Share
from clinic.patient_list import PAGE_SIZE

pytestmark = pytest.mark.django_db


def share(patient, clinician, **fields):
    return services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)


def log(patient, *, days_ago=1, **fields):
    fields.setdefault("intensity", 5)
    fields.setdefault("side", "left")
    fields.setdefault("spread", "none")
    return episode_log(
        patient=patient, started_at=timezone.now() - timedelta(days=days_ago), **fields
    )[0]


def listed(client, **query):
    response = client.get(reverse("clinician_patients"), query)
    assert response.status_code == 200
    return [s.patient.email for s in response.context["page"].shares], response


@pytest.fixture
def three(make_user, clinician, make_long_history):
    """A quiet patient with a recent flare-up, one with new urgent advice, one rising."""
    quiet = make_user("quiet@example.com")
    flagged = make_user("flagged@example.com", display_name="Ada Lovelace")
    rising = make_user("rising@example.com")
    for person in (quiet, flagged, rising):
        share(person, clinician)
    log(quiet, days_ago=1)
    log(flagged, days_ago=20, numbness=True)
    make_long_history(rising, 120)  # getting more painful over four months
    Share.objects.update(last_viewed_at=timezone.now() - timedelta(days=30))
    # The rising history's own urgent advice (three weeks ago) was seen at a later look.
    Share.objects.filter(patient=rising).update(last_viewed_at=timezone.now() - timedelta(days=5))
    return quiet, flagged, rising


def test_new_seek_care_advice_comes_first_then_a_rising_trend_then_the_latest_flare_up(
    client, clinician, three
):
    quiet, flagged, rising = three
    assert rising.patient_status.rising
    client.force_login(clinician)
    emails, _ = listed(client)
    assert emails == [flagged.email, rising.email, quiet.email]


def test_badges_say_in_words_what_needs_attention(client, clinician, three):
    client.force_login(clinician)
    _, response = listed(client)
    content = response.content.decode()
    assert "New urgent advice" in content
    assert "Numbness or tingling in a leg or foot" in content
    assert "Hurting more" in content or "Coming more often" in content
    assert "Nothing flagged" in content


def test_advice_seen_at_the_last_look_no_longer_counts_as_new(client, clinician, three):
    _, flagged, rising = three
    Share.objects.filter(patient=flagged).update(last_viewed_at=timezone.now())
    client.force_login(clinician)
    emails, _ = listed(client)
    assert emails[0] == rising.email


def test_needs_attention_shows_only_flagged_and_rising_patients(client, clinician, three):
    _, flagged, rising = three
    client.force_login(clinician)
    emails, _ = listed(client, show="attention")
    assert emails == [flagged.email, rising.email]


def test_search_finds_a_patient_by_the_name_they_gave_or_their_email(client, clinician, three):
    quiet, flagged, _ = three
    client.force_login(clinician)
    assert listed(client, q="lovelace")[0] == [flagged.email]
    assert listed(client, q="QUIET@")[0] == [quiet.email]
    emails, response = listed(client, q="nobody")
    assert emails == []
    assert "No patient matches" in response.content.decode()


def test_each_row_shows_the_last_flare_up_the_count_since_the_last_look_and_the_expiry(
    client, make_user, clinician
):
    patient = make_user("counted@example.com")
    services.share_with_clinician(
        patient=patient, clinician=clinician, expires_on=timezone.localdate() + timedelta(days=9)
    )
    Share.objects.update(last_viewed_at=timezone.now() - timedelta(days=3))
    log(patient, days_ago=2)
    log(patient, days_ago=1)
    client.force_login(clinician)
    _, response = listed(client)
    row = response.context["page"].shares[0]
    assert row.new_count == 2
    content = response.content.decode()
    assert "2 new flare-ups" in content
    assert f"{timezone.localdate() + timedelta(days=10):%-d %b %Y}" in content


def test_the_list_pages_by_25_with_a_plain_link_and_htmx_rows(client, make_user, clinician):
    for number in range(PAGE_SIZE + 3):
        share(make_user(f"p{number:02d}@example.com"), clinician)
    client.force_login(clinician)
    emails, response = listed(client)
    assert len(emails) == PAGE_SIZE
    content = response.content.decode()
    assert 'href="?show=all&amp;q=&amp;page=2"' in content
    assert 'hx-get="?show=all&amp;q=&amp;page=2"' in content
    rest, _ = listed(client, page=2)
    assert len(rest) == 3
    assert not set(rest) & set(emails)
    partial = client.get(reverse("clinician_patients"), {"page": 2}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode()
    assert partial.content.decode().count('class="patient-row"') == 3
    assert "HX-Request" in partial["Vary"]


def test_before_a_first_look_any_seek_care_advice_counts_as_new(client, make_user, clinician):
    patient = make_user("unseen@example.com")
    log(patient, days_ago=300, fever=True)
    share(patient, clinician)
    client.force_login(clinician)
    _, response = listed(client)
    assert response.context["page"].shares[0].new_seek_care is True
    assert "New urgent advice" in response.content.decode()


def test_a_bad_filter_or_page_falls_back_to_the_defaults(client, clinician, three):
    client.force_login(clinician)
    emails, response = listed(client, show="everyone", page="x" * 30, q="a" * 300)
    assert response.status_code == 200
    assert len(emails) == 3
    assert "Ensure this value has at most 100 characters" in response.content.decode()


def test_another_clinicians_patients_and_ended_shares_are_not_listed(
    client, make_user, clinician, three
):
    other = make_user("other-doc@example.com", role="clinician")
    stranger = make_user("stranger@example.com")
    share(stranger, other)
    gone = make_user("gone@example.com")
    services.share_revoke(share=share(gone, clinician))
    client.force_login(clinician)
    emails, _ = listed(client)
    assert stranger.email not in emails
    assert gone.email not in emails


@pytest.mark.parametrize("count", [10, 3650])
def test_the_list_costs_the_same_queries_at_10_and_3650_flare_ups(
    client, make_user, clinician, make_long_history, django_assert_num_queries, count
):
    for number in range(3):
        patient = make_user(f"h{number}@example.com")
        make_long_history(patient, count)
        share(patient, clinician)
    client.force_login(clinician)
    client.get(reverse("clinician_patients"))
    with django_assert_num_queries(4):  # session, user, the page of shares, their new counts
        listed(client)


def test_the_list_costs_the_same_queries_for_3_and_30_patients(
    client, make_user, clinician, make_episode, django_assert_num_queries
):
    client.force_login(clinician)
    for size in (3, 30):
        while Share.objects.count() < size:
            patient = make_user()
            make_episode(patient)
            share(patient, clinician)
        client.get(reverse("clinician_patients"))
        with django_assert_num_queries(4):
            listed(client)
