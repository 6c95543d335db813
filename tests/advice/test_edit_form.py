"""The full form asks "did it help?" only for what was ticked; without JavaScript or CSS the
plain form still works: every choice is on the page and the server reads only the ticked."""

import pytest
from django.urls import reverse
from django.utils import timezone

from episodes.models import RemedyCode

pytestmark = pytest.mark.django_db


def edit_data(episode, **overrides) -> dict:
    data = {
        "started_at": timezone.localtime(episode.started_at).strftime("%Y-%m-%dT%H:%M"),
        "intensity": "5",
        "side": "left",
        "spread": "none",
    }
    data.update(overrides)
    return data


def test_the_plain_edit_form_has_a_did_it_help_choice_beside_every_remedy(
    patient_client, patient, make_episode
):
    episode = make_episode(patient)
    content = patient_client.get(reverse("episode_edit", args=[episode.pk])).content.decode()
    for code, _ in RemedyCode.choices:
        assert f'name="tried" value="{code}"' in content
        assert f'name="helped_{code}"' in content


def test_a_did_it_help_answer_for_an_unticked_remedy_is_ignored(
    patient_client, patient, make_episode
):
    episode = make_episode(patient, remedies={"bed_rest": "no"})
    data = edit_data(
        episode,
        tried=["heat"],
        helped_heat="yes",
        helped_walking="no",
        helped_bed_rest="somewhat",
        helped_massage="yes",
    )
    response = patient_client.post(reverse("episode_edit", args=[episode.pk]), data)
    assert response.status_code == 302
    remedies = {remedy.code: remedy.helped for remedy in episode.remedies.all()}
    assert remedies == {"heat": "yes"}
