"""Redeeming share codes: a few wrong codes are forgiven, guessing is not."""

import pytest
from django.urls import reverse

from backlog.models import AccessEvent
from clinic import services
from clinic.models import Share

pytestmark = pytest.mark.django_db

WRONG = "ABCDE-FGHJK"


def redeem(client, code: str, address: str = "203.0.113.5"):
    return client.post(reverse("redeem_code"), {"code": code}, REMOTE_ADDR=address)


@pytest.fixture
def code(patient) -> str:
    _, raw = services.share_code_create(patient=patient, expires_on=None)
    return raw


def test_after_five_wrong_codes_even_the_right_code_is_refused_with_429(client, clinician, code):
    client.force_login(clinician)
    for _ in range(5):
        assert redeem(client, WRONG).status_code == 200
    response = redeem(client, code)
    assert response.status_code == 429
    assert not Share.objects.live().filter(clinician=clinician).exists()
    page = response.content.decode()
    assert 'name="code"' in page
    assert "Too many wrong codes" in page
    assert response.context["redeem_form"].errors["code"][-1].startswith("Too many wrong codes")


def test_every_refused_redemption_is_in_the_access_log_without_a_patient(client, clinician, code):
    client.force_login(clinician)
    for _ in range(6):
        redeem(client, WRONG)
    redeem(client, code)
    events = AccessEvent.objects.filter(actor_ref=clinician.pk)
    assert events.count() == 7
    assert set(events.values_list("allowed", "patient_ref")) == {(False, None)}
    assert events.filter(action="redeem code").count() == 5


def test_the_limit_holds_for_the_account_from_another_address(client, clinician, code):
    client.force_login(clinician)
    for _ in range(5):
        redeem(client, WRONG, address="203.0.113.5")
    assert redeem(client, code, address="198.51.100.9").status_code == 429


def test_the_limit_holds_for_the_address_whichever_account_tries(
    client, clinician, make_user, code
):
    client.force_login(clinician)
    for _ in range(5):
        redeem(client, WRONG, address="203.0.113.5")
    colleague = make_user("colleague@example.com", role="clinician")
    client.force_login(colleague)
    assert redeem(client, code, address="203.0.113.5").status_code == 429
    # The same colleague elsewhere is not held up by someone else's guessing.
    assert redeem(client, code, address="198.51.100.9").status_code == 302
    assert Share.objects.live().filter(clinician=colleague).exists()


def test_a_mistyped_code_then_the_right_one_shares(client, clinician, code):
    client.force_login(clinician)
    for _ in range(4):
        assert "not valid" in redeem(client, WRONG).content.decode()
    assert redeem(client, code).status_code == 302
    assert Share.objects.live().filter(clinician=clinician).exists()


def test_an_empty_code_is_a_form_error_and_not_a_guess(client, clinician, code):
    client.force_login(clinician)
    for _ in range(6):
        assert redeem(client, "").status_code == 200
    assert not AccessEvent.objects.exists()
    assert redeem(client, code).status_code == 302
