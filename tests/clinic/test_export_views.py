import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from backlog.models import AccessEvent
from clinic import services
from episodes.models import Episode

pytestmark = pytest.mark.django_db


def test_a_patient_downloads_their_history_as_csv(patient_client, patient, make_episode):
    make_episode(patient, intensity=7, notes="=SUM(A1)", remedies={"heat": "yes"})
    response = patient_client.get(reverse("my_export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8-sig"))))
    assert [(row["intensity"], row["remedy_heat"]) for row in rows] == [("7", "yes")]
    assert rows[0]["notes"].startswith("'=")


def test_a_shared_clinician_downloads_fhir_and_the_read_is_logged(
    client, patient, clinician, make_episode
):
    make_episode(patient)
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    response = client.get(reverse("patient_export", args=[patient.pk, "fhir"]))
    bundle = json.loads(response.getvalue())
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    assert response["Content-Type"] == "application/fhir+json"
    event = AccessEvent.objects.get()
    assert (event.action, event.allowed) == ("export fhir", True)


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_shared_clinicians_csv_is_defused_for_a_comma_or_semicolon_spreadsheet(
    client, patient, clinician, make_episode, delimiter
):
    make_episode(patient, notes="x;=cmd|' /C calc'!A0;y")
    services.share_with_clinician(patient=patient, clinician=clinician, expires_on=None)
    client.force_login(clinician)
    response = client.get(reverse("patient_export", args=[patient.pk, "csv"]))
    text = response.getvalue().decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text), delimiter=delimiter) for cell in row]
    assert any("cmd|" in cell for cell in cells)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]


def test_an_unknown_export_format_answers_404(patient_client, patient):
    assert patient_client.get(reverse("my_export", args=["xml"])).status_code == 404


def test_a_json_export_imports_into_a_new_account_through_the_pages(
    client, patient, make_user, make_episode
):
    make_episode(
        patient,
        intensity=8,
        side="both",
        spread="foot",
        leg="right",
        notes="Ça fait mal 🙁",
        remedies={"ibuprofen": "somewhat"},
    )
    client.force_login(patient)
    exported = client.get(reverse("my_export", args=["json"])).getvalue()
    newcomer = make_user("new@example.com")
    client.force_login(newcomer)
    upload = SimpleUploadedFile("history.json", exported, content_type="application/json")
    response = client.post(reverse("import_history"), {"file": upload})
    assert response.status_code == 302
    restored = Episode.objects.get(patient=newcomer)
    assert (restored.intensity, restored.leg, restored.notes) == (8, "right", "Ça fait mal 🙁")
    assert restored.tried == ["ibuprofen"]


def test_a_broken_import_file_shows_a_message_and_stores_nothing(patient_client):
    upload = SimpleUploadedFile(
        "history.json",
        b'{"format": "backlog-history", "version": 1, "episodes": [{"intensity": 11}]}',
    )
    response = patient_client.post(reverse("import_history"), {"file": upload})
    assert response.status_code == 200
    assert "Flare-up 1" in response.content.decode()
    assert not Episode.objects.exists()


def test_a_clinician_cannot_import(client, clinician):
    client.force_login(clinician)
    assert client.get(reverse("import_history")).status_code == 404


def test_every_export_is_streamed(patient_client, patient, make_episode):
    make_episode(patient)
    for fmt in ("csv", "json", "fhir"):
        response = patient_client.get(reverse("my_export", args=[fmt]))
        assert response.status_code == 200
        assert response.streaming
        assert response.getvalue()


def test_the_streamed_json_is_the_document_the_json_export_builds(
    patient_client, patient, make_episode
):
    from clinic.exports import export_json, export_queryset

    make_episode(patient, intensity=3, notes='quotes " and ünïcode', remedies={"heat": "yes"})
    make_episode(patient, intensity=6, side="both", spread="thigh", leg="left")
    streamed = json.loads(patient_client.get(reverse("my_export", args=["json"])).getvalue())
    built = json.loads(json.dumps(export_json(patient, export_queryset(patient))))
    streamed.pop("exported_at"), built.pop("exported_at")
    assert streamed == built


def test_the_streamed_fhir_bundle_holds_the_entries_the_built_one_does(
    patient_client, patient, make_episode
):
    from clinic.exports import export_fhir, export_queryset

    make_episode(patient, side="left", spread="foot", leg="left", numbness=True)
    make_episode(patient, side="left", spread="foot", leg="left")
    streamed = json.loads(patient_client.get(reverse("my_export", args=["fhir"])).getvalue())
    built = export_fhir(patient, export_queryset(patient))
    assert streamed["entry"][0]["resource"]["resourceType"] == "Patient"
    key = lambda entry: entry["fullUrl"]  # noqa: E731
    assert sorted(streamed["entry"], key=key) == sorted(built["entry"], key=key)


def test_a_long_history_is_read_a_chunk_at_a_time(
    patient_client, patient, make_long_history, monkeypatch
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from clinic import exports

    make_long_history(patient, 10)
    monkeypatch.setattr(exports, "EXPORT_CHUNK", 4)
    with CaptureQueriesContext(connection) as queries:
        text = patient_client.get(reverse("my_export", args=["csv"])).getvalue()
    remedy_reads = [q for q in queries if 'FROM "episodes_remedy"' in q["sql"]]
    assert len(remedy_reads) == 3  # flare-ups 1-4, 5-8 and 9-10, each with their remedies
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert len(rows) == 10


def test_an_export_whose_first_read_fails_is_an_error_not_an_empty_download(
    patient_client, patient, make_episode, monkeypatch
):
    from django.db import DatabaseError

    from clinic import exports
    from episodes.models import Episode

    make_episode(patient)

    def broken_rows(patient):
        # A real failing query (the database refuses it), read only when streaming starts.
        return Episode.objects.extra(where=["no_such_column = 1"]).iterator(chunk_size=10)

    monkeypatch.setattr(exports, "export_rows", broken_rows)
    with pytest.raises(DatabaseError):
        patient_client.get(reverse("my_export", args=["csv"]))
