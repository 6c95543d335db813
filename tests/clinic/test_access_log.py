"""The access log on the Sharing page: every read stays in sight, refused attempts are
grouped, and older lines are a page away, with or without JavaScript."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from backlog.access_log import PAGE_LINES
from backlog.models import AccessEvent
from clinic import services

pytestmark = pytest.mark.django_db


def log_text(response) -> str:
    """The access log section as plain text, spaces collapsed."""
    html = response.content.decode()
    if 'id="access-log"' in html:
        html = html[html.index('id="access-log"') :]
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def event(patient, who, *, at, action="summary", allowed=False, role="clinician"):
    return AccessEvent.objects.create(
        at=at,
        actor_ref=who.pk,
        actor_email=who.email,
        actor_role=role,
        patient_ref=patient.pk,
        action=action,
        allowed=allowed,
    )


def test_a_read_stays_in_sight_after_a_hundred_refused_attempts(client, patient, clinician):
    share = services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    assert client.get(reverse("patient_summary", args=[patient.pk])).status_code == 200
    services.share_revoke(share=share)
    for _ in range(120):
        assert client.get(reverse("patient_summary", args=[patient.pk])).status_code == 404
    client.force_login(patient)
    text = log_text(client.get(reverse("sharing")))
    assert "120 refused attempts by doc@example.com" in text
    assert "doc@example.com · your summary · allowed" in text


def test_refused_attempts_are_one_line_per_person_between_two_reads(
    client, patient, clinician, make_user
):
    other = make_user("other-doc@example.com", role="clinician")
    start = datetime(2025, 5, 3, 10, 2, tzinfo=UTC)
    for minute in (0, 1, 3):
        event(patient, clinician, at=start + timedelta(minutes=minute))
    event(patient, other, at=start + timedelta(minutes=2), action="history")
    event(patient, clinician, at=start + timedelta(minutes=10), allowed=True)
    event(patient, clinician, at=start + timedelta(minutes=20))
    event(patient, clinician, at=start + timedelta(minutes=21), action="export csv")
    client.force_login(patient)
    items = [
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in re.findall(
            r"<li class=\"list-group-item\">(.*?)</li>",
            client.get(reverse("sharing")).content.decode(),
            re.S,
        )
    ]
    assert items == [
        "2 refused attempts by doc@example.com between 3 May 2025, 10:22 and 10:23: no share.",
        "3 May 2025, 10:12 · doc@example.com · your summary · allowed",
        "3 refused attempts by doc@example.com between 3 May 2025, 10:02 and 10:05 "
        "(your summary): no share.",
        "3 May 2025, 10:04 · other-doc@example.com · your list of flare-ups · refused (no share)",
    ]


def make_reads(patient, clinician, count: int) -> None:
    start = datetime(2025, 1, 1, 9, 0, tzinfo=UTC)
    for index in range(count):
        event(patient, clinician, at=start + timedelta(hours=index), allowed=True)
        event(patient, clinician, at=start + timedelta(hours=index, minutes=30))


def test_older_lines_are_a_plain_link_away_newest_first(client, patient, clinician):
    make_reads(patient, clinician, PAGE_LINES + 5)
    client.force_login(patient)
    first = client.get(reverse("sharing"))
    older = re.search(r'href="(/sharing/\?before=\d+)#access-log"', first.content.decode())
    assert older is not None
    assert "Show older" in log_text(first)
    assert log_text(first).count("· allowed") == PAGE_LINES
    second = client.get(older.group(1))
    text = log_text(second)
    assert text.count("· allowed") == 5
    assert "Show older" not in text
    assert "Back to the newest" in text
    lines = re.findall(r"1 Jan 2025, (\d\d:\d\d) · doc@example.com · your summary · (\w+)", text)
    assert lines == [
        ("13:30", "refused"),
        ("13:00", "allowed"),
        ("12:30", "refused"),
        ("12:00", "allowed"),
        ("11:30", "refused"),
        ("11:00", "allowed"),
        ("10:30", "refused"),
        ("10:00", "allowed"),
        ("09:30", "refused"),
        ("09:00", "allowed"),
    ]


def test_show_older_loads_only_the_older_lines_for_htmx(client, patient, clinician):
    make_reads(patient, clinician, PAGE_LINES + 5)
    client.force_login(patient)
    first = client.get(reverse("sharing")).content.decode()
    hx_get = re.search(r'hx-get="(/sharing/\?before=\d+)"', first).group(1)
    partial = client.get(hx_get, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert "<html" not in partial.content.decode()
    assert log_text(partial).count("· allowed") == 5
    assert "HX-Request" in partial["Vary"]


@pytest.mark.parametrize("count", [10, 400])
def test_the_sharing_page_costs_the_same_queries_however_long_the_log(
    client, patient, clinician, django_assert_max_num_queries, count
):
    make_reads(patient, clinician, count)
    client.force_login(patient)
    # Session, user, the sessions list's last-seen write, the verified-address check, the log.
    with django_assert_max_num_queries(11):
        assert client.get(reverse("sharing")).status_code == 200


def test_a_bad_cursor_shows_the_newest_lines(client, patient, clinician, other_patient):
    make_reads(patient, clinician, 3)
    stranger = event(other_patient, clinician, at=datetime(2020, 1, 1, tzinfo=UTC), allowed=True)
    client.force_login(patient)
    for before in ("abc", "-1", "99999999999999999999999", str(stranger.pk)):
        response = client.get(reverse("sharing"), {"before": before})
        assert response.status_code == 200
        assert log_text(response).count("· allowed") == 3


def test_refused_redemptions_and_other_patients_attempts_stay_out_of_the_patients_log(
    client, patient, other_patient, clinician
):
    AccessEvent.objects.create(
        actor_ref=clinician.pk,
        actor_email=clinician.email,
        actor_role="clinician",
        patient_ref=None,
        action="redeem code",
        allowed=False,
    )
    event(patient, other_patient, at=datetime(2025, 1, 1, tzinfo=UTC), role="patient")
    client.force_login(patient)
    assert "Nobody has looked at your data." in log_text(client.get(reverse("sharing")))
