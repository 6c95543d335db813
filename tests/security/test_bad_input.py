"""Arbitrary input to the flare-up forms: never a 500, nothing invalid stored, nothing that
exists changed by a refused edit, and nobody else's flare-ups touched.

Hypothesis mixes valid values with junk in every field: text in number fields, huge texts,
unicode, null bytes, dates from year 1 to 9999 in several formats, unknown choices, missing
and repeated fields, and fields the forms do not have (``patient``, ``id``...).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advice.models import Prompt
from episodes.forms import helped_field_name
from episodes.models import (
    CLOCK_SKEW,
    RED_FLAG_FIELDS,
    Episode,
    Helped,
    Leg,
    Remedy,
    RemedyCode,
    Side,
    Spread,
    Trigger,
)

pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,  # the database is checked per example instead
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
# Zones at both ends of the offsets: a date near year 1 or 9999 overflows in one of them.
ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC", "Europe/London"]

any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
any_datetime = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))
date_text = st.one_of(
    any_datetime.map(lambda d: d.isoformat(timespec="minutes")),
    any_datetime.map(lambda d: d.isoformat(sep=" ")),
    any_datetime.map(lambda d: f"{d.isoformat()}+14:00"),
    any_datetime.map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d} {d:%H:%M}"),
    any_datetime.map(lambda d: d.date().isoformat()),
)
# The ends of the calendar, where converting a local time to UTC can overflow.
edge_date_text = st.sampled_from(
    ["0001-01-01T00:00", "0001-01-01T12:00", "1899-12-30T12:00", "9999-12-31T23:59"]
)
junk = st.one_of(
    any_text,
    st.sampled_from(
        [
            *["", " ", "\x00", "5\x00", "-1", "11", "1e9", "NaN", "inf", "5.5", " 5 "],
            *["\u0665", "\uff15"],  # 5 in Arabic-Indic and full-width digits
            *["true", "false", "on", "off", "null", "[]", "{}", "'; DROP TABLE x; --"],
            *["2024-02-30T10:00", "2024-13-01T10:00", "24:00", "T"],
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats().map(str),
    date_text,
    st.just("x" * 100_000),
    st.uuids().map(str),
)


def recent_text() -> st.SearchStrategy[str]:
    """A valid start, a day or more ago, as the form's own widget sends it."""
    return st.integers(min_value=24 * 60, max_value=5 * 365 * 24 * 60).map(
        lambda minutes: (timezone.now() - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")
    )


def field(valid: st.SearchStrategy[str]) -> st.SearchStrategy:
    """Missing, one value (valid or junk), or the field repeated."""
    one = st.one_of(valid, valid, junk)
    return st.one_of(st.none(), one, one, st.lists(one, min_size=2, max_size=3))


def choice(values) -> st.SearchStrategy[str]:
    return st.sampled_from(list(values))


QUICK_FIELDS = {
    "intensity": st.integers(0, 10).map(str),
    "side": choice(Side.values),
    "spread": choice(Spread.values),
    "leg": choice(["", *Leg.values]),
    **{name: choice(["on", ""]) for name in (*RED_FLAG_FIELDS, "spasm")},
    "client_token": st.uuids().map(str),
}
FULL_FIELDS = {
    **QUICK_FIELDS,
    "started_at": st.one_of(recent_text(), edge_date_text, date_text),
    "ended_at": st.one_of(st.just(""), recent_text(), edge_date_text, date_text),
    "trigger": choice(["", *Trigger.values]),
    "notes": st.text(max_size=200),
    "tried": choice(RemedyCode.values),
    **{helped_field_name(code): choice(Helped.values) for code in RemedyCode.values},
}
# Fields no form has: a forged POST must not be able to set them.
FORGED_FIELDS = {
    "patient": st.integers(1, 5).map(str),
    "id": st.integers(1, 10**6).map(str),
    "created_at": date_text,
    "updated_at": date_text,
}


def form_data(fields: dict) -> st.SearchStrategy[dict]:
    values = st.fixed_dictionaries(
        {name: field(valid) for name, valid in fields.items()},
        optional={name: field(valid) for name, valid in FORGED_FIELDS.items()},
    )
    return values.map(lambda data: {k: v for k, v in data.items() if v is not None})


def stored() -> dict[int, tuple]:
    """Every flare-up with its remedies and advice, to compare before and after a request."""
    remedies, prompts = {}, {}
    for remedy in Remedy.objects.order_by("pk").values():
        remedies.setdefault(remedy["episode_id"], []).append(remedy)
    for prompt in Prompt.objects.order_by("pk").values():
        prompts.setdefault(prompt["episode_id"], []).append(prompt)
    return {
        row["id"]: (row, remedies.get(row["id"], []), prompts.get(row["id"], []))
        for row in Episode.objects.order_by("pk").values()
    }


def assert_valid(episode: Episode, patient) -> None:
    episode.full_clean()  # field validation and every model constraint
    for remedy in episode.remedies.all():
        remedy.full_clean()
    latest = timezone.now() + CLOCK_SKEW
    assert episode.patient_id == patient.pk
    assert "\x00" not in episode.notes
    assert episode.started_at <= latest
    assert episode.ended_at is None or episode.started_at <= episode.ended_at <= latest


def assert_shown(client, pk: int) -> None:
    """What was stored can be shown: its page, the history, the home page with the trends."""
    urls = [reverse("episode_detail", args=[pk]), reverse("history"), reverse("home")]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]


@pytest.fixture
def patient_in(patient_client, patient):
    """Moves the logged-in patient to another time zone for the next request."""

    def move(zone: str):
        patient.timezone = zone
        patient.save(update_fields=["timezone"])
        return patient

    return move


@pytest.fixture
def others(other_patient, make_episode):
    """Someone else's flare-up, which no request of the patient may touch."""
    return make_episode(other_patient, notes="not yours", remedies={"heat": "yes"})


@pytest.mark.parametrize("form", ["quick_log", "episode_new"])
@EXAMPLES
@given(data=st.data())
def test_a_new_flare_up_from_any_input_is_refused_or_stored_valid(
    form, data, patient_client, patient_in, others
):
    patient = patient_in(data.draw(st.sampled_from(ZONES), label="zone"))
    post = data.draw(form_data(QUICK_FIELDS if form == "quick_log" else FULL_FIELDS))
    htmx = {"HX-Request": "true"} if data.draw(st.booleans(), label="htmx") else {}
    before = stored()
    response = patient_client.post(reverse(form), post, headers=htmx)
    after = stored()
    created = after.keys() - before.keys()
    assert response.status_code in (200, 302)
    assert {pk: after.get(pk) for pk in before} == before
    assert len(created) <= 1
    for pk in created:
        assert_valid(Episode.objects.get(pk=pk), patient)
        assert_shown(patient_client, pk)


@EXAMPLES
@given(data=st.data())
def test_an_edit_from_any_input_is_refused_without_a_trace_or_stored_valid(
    data, patient_client, patient_in, make_episode, others
):
    patient = patient_in(data.draw(st.sampled_from(ZONES), label="zone"))
    episode = make_episode(
        patient,
        notes="Lifted the shopping.",
        trigger="lifting",
        client_token=uuid.uuid4(),
        remedies={"walking": "yes", "ibuprofen": "somewhat"},
    )
    post = data.draw(form_data(FULL_FIELDS))
    before = stored()
    response = patient_client.post(reverse("episode_edit", args=[episode.pk]), post)
    after = stored()
    assert response.status_code in (200, 302)
    assert after.keys() == before.keys()
    assert {pk: row for pk, row in after.items() if pk != episode.pk} == {
        pk: row for pk, row in before.items() if pk != episode.pk
    }
    if response.status_code == 200:  # refused: shown again with its errors
        assert after[episode.pk] == before[episode.pk]
    else:
        edited = Episode.objects.get(pk=episode.pk)
        assert_valid(edited, patient)
        assert_shown(patient_client, edited.pk)
        assert (edited.client_token, edited.created_at) == (
            episode.client_token,
            episode.created_at,
        )


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00", "0001-01-02T12:00", "1899-12-30T12:00", "9999-12-31T23:59"]
)
@pytest.mark.parametrize("field_name", ["started_at", "ended_at"])
def test_a_date_at_either_end_of_the_calendar_is_refused_in_every_zone(
    field_name, moment, zone, patient_client, patient_in, make_episode
):
    patient = patient_in(zone)
    episode = make_episode(patient, notes="Lifted the shopping.")
    post = {"intensity": "5", "side": "left", "spread": "none", field_name: moment}
    before = stored()
    new = patient_client.post(reverse("episode_new"), post)
    edit = patient_client.post(reverse("episode_edit", args=[episode.pk]), post)
    assert (new.status_code, edit.status_code) == (200, 200)
    assert stored() == before
