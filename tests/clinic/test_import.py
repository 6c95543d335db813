import copy
import json
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advice.models import Prompt
from backlog.models import User
from clinic.exports import export_json, export_queryset
from clinic.forms import MAX_IMPORT_BYTES, ImportForm
from clinic.imports import MAX_EPISODES, history_import
from clinic.models import HistoryImport
from episodes.models import Episode, Remedy
from tests.factories import history_document, log_history

pytestmark = pytest.mark.django_db

PROPERTY_SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def valid_document() -> dict:
    return {
        "format": "backlog-history",
        "version": 1,
        "exported_at": "2024-03-05T10:00:00+01:00",
        "timezone": "Europe/Paris",
        "episodes": [
            {
                "id": 41,
                "started_at": "2024-03-01T08:30:00+01:00",
                "ended_at": "2024-03-02T10:00:00+01:00",
                "intensity": 6,
                "side": "left",
                "spread": "thigh",
                "leg": "left",
                "saddle_numbness": False,
                "bladder_bowel": False,
                "numbness": True,
                "leg_weakness": False,
                "fever": False,
                "injury": False,
                "spasm": True,
                "trigger": "lifting",
                "notes": "Moved boxes",
                "remedies": [{"code": "walking", "helped": "yes"}],
                "prompts": [
                    {
                        "code": "keep_moving",
                        "level": "self_care",
                        "rank": 0,
                        "title": "Keep moving gently",
                        "message": "Move gently, a little and often.",
                        "source": "source article",
                        "guidance": "keep-moving",
                        "shown_at": "2024-03-01T09:00:00+01:00",
                    }
                ],
            }
        ],
    }


def stored() -> tuple[int, int, int]:
    return Episode.objects.count(), Remedy.objects.count(), Prompt.objects.count()


def exported_episodes(patient) -> list[dict]:
    """The export without ids, and without the figures inside advice messages: an import
    stores backlog's own wording of each piece of advice (see clinic.imports.rule_wording),
    so a message quoting a trend sentence comes back without that sentence."""
    episodes = export_json(patient, export_queryset(patient))["episodes"]
    return [
        {
            **{key: value for key, value in e.items() if key not in ("id", "prompts")},
            "prompts": [
                {key: value for key, value in p.items() if key != "message"} for p in e["prompts"]
            ],
        }
        for e in episodes
    ]


def problem(patient, document: dict) -> str:
    with pytest.raises(ValidationError) as caught:
        history_import(patient=patient, data=document)
    return " ".join(caught.value.messages)


# --- round trip and duplicates ---------------------------------------------------------------


def test_a_history_exported_and_imported_into_a_new_account_exports_the_same(make_user):
    patient = make_user(tz="America/New_York")
    log_history(patient)
    document = json.loads(json.dumps(export_json(patient, export_queryset(patient))))
    newcomer = make_user(tz="America/New_York")
    assert history_import(patient=newcomer, data=document) == 3
    assert exported_episodes(newcomer) == exported_episodes(patient)


def test_imported_prompts_keep_what_the_patient_was_told_and_when(patient):
    history_import(patient=patient, data=valid_document())
    prompt = Prompt.objects.get(episode__patient=patient)
    assert prompt.title == "Keep moving gently"
    assert prompt.shown_at.isoformat() == "2024-03-01T08:00:00+00:00"


def test_import_returns_how_many_flare_ups_it_added(patient):
    document = valid_document()
    second = copy.deepcopy(document["episodes"][0])
    second["started_at"] = "2024-04-01T08:30:00+02:00"
    second["ended_at"] = None
    document["episodes"].append(second)
    assert history_import(patient=patient, data=document) == 2
    assert Episode.objects.for_patient(patient).count() == 2


def test_importing_the_same_file_twice_imports_nothing_the_second_time(patient):
    assert history_import(patient=patient, data=valid_document()) == 1
    before = stored()
    assert history_import(patient=patient, data=valid_document()) == 0
    assert stored() == before


def test_a_flare_up_already_logged_is_skipped_even_when_written_in_another_zone(
    patient, make_episode
):
    document = valid_document()  # starts at 08:30+01:00
    episode = document["episodes"][0]
    make_episode(
        patient,
        started_at=datetime(2024, 3, 1, 7, 30, tzinfo=UTC),
        intensity=6,
        side="left",
        spread="thigh",
        leg="left",
    )
    assert history_import(patient=patient, data=document) == 0
    episode["intensity"] = 7
    assert history_import(patient=patient, data=document) == 1


def test_an_empty_history_imports_nothing(patient):
    document = valid_document()
    document["episodes"] = []
    assert history_import(patient=patient, data=document) == 0


def test_import_into_one_account_leaves_other_accounts_alone(patient, other_patient):
    history_import(patient=patient, data=valid_document())
    assert Episode.objects.for_patient(other_patient).count() == 0


# --- bad files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "not a backlog history file"),
        ("backlog-history", "not a backlog history file"),
        ({"format": "something-else", "version": 1, "episodes": []}, "not a backlog history"),
        ({"format": "backlog-history", "episodes": []}, "no version number"),
        ({"format": "backlog-history", "version": "1", "episodes": []}, "no version number"),
        ({"format": "backlog-history", "version": 2, "episodes": []}, "newer backlog"),
        ({"format": "backlog-history", "version": 1}, 'no list of "episodes"'),
        ({"format": "backlog-history", "version": 1, "episodes": {}}, 'no list of "episodes"'),
    ],
)
def test_a_file_that_is_not_a_history_is_refused_with_a_message(patient, document, message):
    assert message in problem(patient, document)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"intensity": 11}, '"intensity" must be a whole number from 0 to 10 (not 11)'),
        ({"intensity": -1}, '"intensity" must be a whole number from 0 to 10'),
        ({"intensity": "5"}, '"intensity" must be a whole number from 0 to 10 (not "5")'),
        ({"intensity": 5.5}, '"intensity" must be a whole number'),
        ({"intensity": True}, '"intensity" must be a whole number'),
        ({"side": "top"}, '"side" must be one of "left", "right", "both", "center"'),
        ({"side": ["left"]}, '"side" must be text, not a list'),
        ({"started_at": "2024-03-01T08:30:00"}, "needs its UTC offset"),
        ({"started_at": "yesterday"}, '"started_at" must be a date and time'),
        ({"started_at": "0001-01-01T00:00:00+01:00"}, '"started_at" must be a date and time'),
        ({"started_at": "1850-01-01T00:00:00+00:00"}, "before 1900"),
        ({"started_at": "2999-01-01T00:00:00+00:00"}, "in the future"),
        ({"started_at": 1709278200}, '"started_at" must be a date and time'),
        ({"ended_at": "2024-02-01T08:30:00+01:00"}, '"ended_at" is before "started_at"'),
        ({"leg": ""}, '"leg" is needed when the pain spreads'),
        ({"spread": "none"}, '"leg" must be empty when the pain stays in the back'),
        ({"numbness": "yes"}, '"numbness" must be true or false'),
        ({"trigger": "gravity"}, '"trigger" must be one of'),
        ({"notes": "x" * 2001}, '"notes" is too long (2001 characters; at most 2000)'),
        ({"notes": "x" * 1_000_000}, '"notes" is too long'),
        ({"notes": "nul \x00 here"}, '"notes" contains a NUL character'),
        ({"notes": "half \ud800 pair"}, '"notes" is not valid text'),
        ({"notes": None}, '"notes" must be text, not empty (null)'),
        ({"remedies": {"walking": "yes"}}, '"remedies" must be a list'),
        ({"remedies": ["walking"]}, 'remedy 1: must be an object with a "code"'),
        ({"remedies": [{"code": "magic", "helped": "yes"}]}, 'remedy 1: "code" must be one of'),
        ({"remedies": [{"code": "ice", "helped": "a lot"}]}, '"helped" must be one of'),
        (
            {"remedies": [{"code": "ice", "helped": "no"}, {"code": "ice", "helped": "yes"}]},
            'remedy 2: "ice" is listed twice',
        ),
        ({"prompts": None}, '"prompts" must be a list, not empty (null)'),
    ],
)
def test_a_bad_flare_up_is_refused_with_a_message_naming_it(patient, change, message):
    document = valid_document()
    document["episodes"][0].update(change)
    text = problem(patient, document)
    assert text.startswith("Flare-up 1")
    assert message in text
    assert stored() == (0, 0, 0)


@pytest.mark.parametrize("key", ["started_at", "intensity", "side", "fever", "notes", "prompts"])
def test_a_missing_field_is_named(patient, key):
    document = valid_document()
    del document["episodes"][0][key]
    assert problem(patient, document) == f'Flare-up 1: "{key}" is missing.'


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "made_up"}, '"made_up" is not a kind of advice backlog gives'),
        ({"level": "panic"}, '"level" must be one of'),
        ({"rank": -1}, '"rank" must be a whole number from 0'),
        ({"title": ""}, '"title" must not be empty'),
        ({"message": "x" * 6000}, '"message" is too long'),
        ({"shown_at": None}, '"shown_at" must be a date and time'),
    ],
)
def test_a_bad_prompt_is_refused_with_a_message_naming_it(patient, change, message):
    document = valid_document()
    document["episodes"][0]["prompts"][0].update(change)
    text = problem(patient, document)
    assert text.startswith("Flare-up 1, prompt 1: ")
    assert message in text


def test_a_bad_flare_up_anywhere_in_the_file_stores_nothing(patient):
    document = valid_document()
    good = document["episodes"][0]
    document["episodes"] = [
        {**copy.deepcopy(good), "started_at": f"2024-0{month}-01T08:30:00+01:00"}
        for month in (1, 2)
    ]
    document["episodes"][0]["ended_at"] = None
    document["episodes"][1]["ended_at"] = None
    document["episodes"].append({**copy.deepcopy(good), "intensity": 12})
    assert problem(patient, document).startswith("Flare-up 3: ")
    assert stored() == (0, 0, 0)


def test_a_flare_up_that_is_not_an_object_is_named(patient):
    document = valid_document()
    document["episodes"].append([1, 2, 3])
    assert problem(patient, document) == (
        "Flare-up 2: must be an object with the flare-up's fields, not a list."
    )


def test_a_file_with_too_many_flare_ups_is_refused_before_reading_them(patient):
    document = valid_document()
    document["episodes"] = [{}] * (MAX_EPISODES + 1)
    assert "at most 10000 can be imported" in problem(patient, document)


def test_a_huge_number_is_refused_without_printing_it(patient):
    document = valid_document()
    document["episodes"][0]["intensity"] = 10**5000
    assert '"intensity" must be a whole number from 0 to 10 (not a very large number)' in problem(
        patient, document
    )


# --- properties: any JSON value is refused cleanly ------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
EPISODE_KEYS = sorted(valid_document()["episodes"][0])

history_shaped = st.fixed_dictionaries(
    {
        "format": st.just("backlog-history"),
        "version": st.just(1),
        "episodes": st.lists(
            st.dictionaries(st.sampled_from(EPISODE_KEYS), json_values, max_size=18),
            max_size=3,
        ),
    }
)


@st.composite
def broken_documents(draw) -> dict:
    """A valid history with one value replaced by any JSON value, or one key removed."""
    document = valid_document()
    episode = document["episodes"][0]
    target = draw(
        st.sampled_from([document, episode, episode["remedies"][0], episode["prompts"][0]])
    )
    key = draw(st.sampled_from(sorted(target)))
    if draw(st.booleans()):
        del target[key]
    else:
        target[key] = draw(json_values)
    return document


def assert_refused_cleanly_or_imported(patient, document) -> None:
    """Anything but a ValidationError fails the test; a refusal stores nothing."""
    before = stored()
    try:
        history_import(patient=patient, data=document)
    except ValidationError as error:
        refusal = error
    else:
        return
    assert refusal.messages
    assert stored() == before


@PROPERTY_SETTINGS
@given(document=json_values)
def test_any_json_value_is_refused_with_a_validation_error_only(patient, document):
    assert_refused_cleanly_or_imported(patient, document)
    assert stored() == (0, 0, 0)


@PROPERTY_SETTINGS
@given(document=history_shaped)
def test_any_history_shaped_file_is_imported_or_refused_with_a_validation_error(patient, document):
    assert_refused_cleanly_or_imported(patient, document)


@PROPERTY_SETTINGS
@given(document=broken_documents())
def test_a_history_with_any_one_value_changed_is_imported_or_refused_cleanly(patient, document):
    assert_refused_cleanly_or_imported(patient, document)


# --- the upload form -------------------------------------------------------------------------


def upload_form(content: bytes) -> ImportForm:
    upload = SimpleUploadedFile("history.json", content, content_type="application/json")
    return ImportForm(data={}, files={"file": upload})


def test_the_import_form_reads_an_exported_file_that_then_imports(patient, make_user):
    log_history(patient)
    content = json.dumps(export_json(patient, export_queryset(patient))).encode()
    form = upload_form(content)
    assert form.is_valid(), form.errors
    assert history_import(patient=make_user(), data=form.cleaned_data["file"]) == 3


def test_the_import_form_accepts_a_file_saved_with_a_byte_order_mark():
    form = upload_form(b"\xef\xbb\xbf" + json.dumps(valid_document()).encode())
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": "backlog-history",', "not valid JSON (line 1, column"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b'{"intensity": NaN}', "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),
        (b"[1, 2, 3]", "JSON, but not a backlog history"),
        (b"", "This file is empty."),
    ],
)
def test_the_import_form_turns_unreadable_files_into_form_errors(content, message):
    form = upload_form(content)
    assert not form.is_valid()
    assert message in form.errors["file"][0]


def test_the_import_form_refuses_a_file_over_5_mb():
    form = upload_form(b" " * (MAX_IMPORT_BYTES + 1))
    assert not form.is_valid()
    assert "too large" in form.errors["file"][0]


def test_an_imported_prompt_says_what_backlog_says_not_what_the_file_says(patient):
    document = valid_document()
    document["episodes"][0]["saddle_numbness"] = True
    document["episodes"][0]["prompts"] = [
        {
            "code": "saddle_numbness",
            "level": "emergency",
            "rank": 0,
            "title": "Nothing to worry about",
            "message": "This is harmless; no need to see anyone.",
            "source": "me",
            "guidance": "",
            "shown_at": "2024-03-01T08:00:00+00:00",
        }
    ]
    history_import(patient=patient, data=document)
    prompt = Prompt.objects.get(episode__patient=patient)
    assert "harmless" not in prompt.message
    assert prompt.title == "Numbness around the groin or buttocks"
    assert "emergency department" in prompt.message


def test_an_imported_prompt_at_the_wrong_level_is_refused(patient):
    document = valid_document()
    document["episodes"][0]["prompts"][0]["level"] = "urgent"
    text = problem(patient, document)
    assert '"level" for "keep_moving" must be "self_care"' in text
    assert not Episode.objects.exists()


def test_imported_advice_without_figures_keeps_its_exact_message(make_user):
    patient = make_user()
    log_history(patient)
    document = json.loads(json.dumps(export_json(patient, export_queryset(patient))))
    newcomer = make_user()
    history_import(patient=newcomer, data=document)
    before = Prompt.objects.filter(episode__patient=patient, code="keep_moving").first()
    after = Prompt.objects.filter(episode__patient=newcomer, code="keep_moving").first()
    assert after.message == before.message


# --- writing in batches: all or nothing, and never half visible -------------------------------


def holders() -> int:
    return User.objects.filter(history_import_held__isnull=False).count()


def test_a_large_import_shows_every_flare_up_and_leaves_nothing_staged(patient):
    assert history_import(patient=patient, data=history_document(1_000)) == 1_000
    assert Episode.objects.for_patient(patient).count() == 1_000
    assert stored() == (1_000, 2_000, 100)
    assert not HistoryImport.objects.exists()
    assert list(User.objects.values_list("pk", flat=True)) == [patient.pk]


@contextmanager
def database_refuses_notes(notes: str):
    """A trigger in the database itself that refuses one flare-up, like a disk or constraint
    failure half-way through an import."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "CREATE TRIGGER refuse_notes BEFORE INSERT ON episodes_episode"
                f" WHEN NEW.notes = '{notes}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        else:
            cursor.execute(
                "CREATE FUNCTION refuse_notes() RETURNS trigger AS $$ BEGIN"
                f" IF NEW.notes = '{notes}' THEN"
                " RAISE EXCEPTION 'refused' USING ERRCODE = 'check_violation'; END IF;"
                " RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_notes BEFORE INSERT ON episodes_episode"
                " FOR EACH ROW EXECUTE FUNCTION refuse_notes()"
            )
    yield


def test_a_failure_late_in_an_import_leaves_nothing_visible_and_nothing_staged(
    patient, make_episode
):
    make_episode(patient, notes="mine")
    with database_refuses_notes("Flare-up number 900"):
        message = problem(patient, history_document(1_000))
    assert message == "This history file could not be imported: the database refused part of it."
    assert list(Episode.objects.values_list("notes", flat=True)) == ["mine"]
    assert stored() == (1, 0, 0)
    assert not HistoryImport.objects.exists()
    assert holders() == 0


def test_a_second_import_into_an_account_while_one_runs_is_refused_with_a_message(
    patient, make_user
):
    HistoryImport.objects.create(patient=patient, holder=make_user(is_active=False))
    assert "Another import into your account is still running" in problem(patient, valid_document())
    assert stored() == (0, 0, 0)


def test_an_import_abandoned_long_ago_is_cleaned_up_and_the_next_one_runs(
    patient, make_user, make_episode
):
    holder = make_user(is_active=False)
    make_episode(holder, remedies={"heat": "yes"})
    HistoryImport.objects.create(
        patient=patient, holder=holder, touched_at=timezone.now() - timedelta(minutes=3)
    )
    assert history_import(patient=patient, data=valid_document()) == 1
    assert stored() == (1, 1, 1)
    assert Episode.objects.for_patient(patient).count() == 1
    assert not User.objects.filter(pk=holder.pk).exists()
    assert not HistoryImport.objects.exists()


def test_when_a_patient_leaves_mid_import_what_was_staged_is_cleaned_up(
    patient, other_patient, make_user, make_episode
):
    holder = make_user(is_active=False)
    make_episode(holder)
    HistoryImport.objects.create(patient=patient, holder=holder)
    patient.delete()
    assert history_import(patient=other_patient, data=valid_document()) == 1
    assert Episode.objects.get().patient == other_patient
    assert holders() == 0
