"""A patient's optional name and date of birth: set in Settings, carried by every export,
restored by the import."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from backlog.models import User
from clinic.exports import export_csv, export_fhir, export_json, export_queryset
from clinic.imports import history_import
from tests.factories import log_history

pytestmark = pytest.mark.django_db


def test_a_patient_gives_a_name_and_date_of_birth_in_settings(patient_client, patient):
    response = patient_client.post(
        reverse("settings"),
        {"timezone": "UTC", "display_name": "  Ada   Lovelace ", "date_of_birth": "1980-12-10"},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.display_name, patient.date_of_birth) == ("Ada Lovelace", date(1980, 12, 10))


@pytest.mark.parametrize(
    "born",
    [
        (timezone.localdate() + timedelta(days=1)).isoformat(),
        "1899-12-31",
        "1980-13-01",
    ],
)
def test_an_impossible_date_of_birth_is_refused_next_to_the_field(patient_client, patient, born):
    patient.display_name = "Kept"
    patient.save()
    response = patient_client.post(
        reverse("settings"),
        {"timezone": "Asia/Tokyo", "display_name": "Changed", "date_of_birth": born},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["date_of_birth"]
    patient.refresh_from_db()
    assert (patient.display_name, patient.timezone, patient.date_of_birth) == ("Kept", "UTC", None)


def test_both_stay_optional(patient_client, patient):
    response = patient_client.post(reverse("settings"), {"timezone": "Europe/Paris"})
    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.display_name, patient.date_of_birth, patient.timezone) == (
        "",
        None,
        "Europe/Paris",
    )


def test_a_clinicians_settings_do_not_ask_for_a_birth_date(client, clinician):
    client.force_login(clinician)
    form = client.get(reverse("settings")).context["form"]
    assert "date_of_birth" not in form.fields


@pytest.fixture
def named(make_user):
    patient = make_user(
        "named@example.com", display_name="Jo Bloggs", date_of_birth=date(1970, 3, 1)
    )
    log_history(patient)
    return patient


def test_the_csv_names_the_patient_on_every_row(named):
    text = export_csv(named, export_queryset(named)).removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {(row["patient_name"], row["patient_date_of_birth"]) for row in rows} == {
        ("Jo Bloggs", "1970-03-01")
    }


def test_the_json_carries_the_name_and_date_of_birth(named):
    data = export_json(named, export_queryset(named))
    assert data["patient"] == {"name": "Jo Bloggs", "date_of_birth": "1970-03-01"}


def test_the_fhir_patient_has_the_name_and_birth_date_and_stays_valid(named):
    bundle = export_fhir(named, export_queryset(named))
    Bundle.model_validate(bundle)
    (person,) = [
        e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient"
    ]
    assert person["name"] == [{"text": "Jo Bloggs"}]
    assert person["birthDate"] == "1970-03-01"


def test_the_import_restores_the_name_and_date_of_birth_into_an_account_without_them(
    named, make_user
):
    data = export_json(named, export_queryset(named))
    newcomer = make_user("new@example.com")
    assert history_import(patient=newcomer, data=data) == 3
    newcomer = User.objects.get(pk=newcomer.pk)
    assert (newcomer.display_name, newcomer.date_of_birth) == ("Jo Bloggs", date(1970, 3, 1))


def test_the_import_never_overwrites_what_the_account_already_says(named, make_user):
    data = export_json(named, export_queryset(named))
    owner = make_user("owner@example.com", display_name="Joanna Bloggs")
    history_import(patient=owner, data=data)
    owner = User.objects.get(pk=owner.pk)
    assert (owner.display_name, owner.date_of_birth) == ("Joanna Bloggs", date(1970, 3, 1))


def test_an_older_file_without_patient_details_still_imports(named, make_user):
    data = export_json(named, export_queryset(named))
    del data["patient"]
    newcomer = make_user("older@example.com")
    assert history_import(patient=newcomer, data=data) == 3
    assert User.objects.get(pk=newcomer.pk).display_name == ""


@pytest.mark.parametrize(
    "details",
    [
        {"name": 7},
        {"name": "x" * 101},
        {"date_of_birth": "2999-01-01"},
        {"date_of_birth": "yesterday"},
        "Jo",
    ],
)
def test_bad_patient_details_refuse_the_whole_file_with_a_message(named, make_user, details):
    from django.core.exceptions import ValidationError

    data = export_json(named, export_queryset(named))
    data["patient"] = details
    newcomer = make_user("bad@example.com")
    with pytest.raises(ValidationError) as error:
        history_import(patient=newcomer, data=data)
    assert "patient" in str(error.value).lower()
    assert not newcomer.episodes.exists()
