from __future__ import annotations

import uuid
from datetime import timedelta

from django import forms
from django.utils import timezone

from .models import (
    CLOCK_SKEW,
    EARLIEST,
    INTENSITY_MAX,
    INTENSITY_MIN,
    NOTES_MAX_LENGTH,
    PATIENT_FIELDS,
    RED_FLAG_FIELDS,
    Episode,
    Helped,
    PainReading,
    RemedyCode,
    Spread,
    Trigger,
)
from .services import READING_BEFORE_START

DATETIME_INPUT_FORMAT = "%Y-%m-%dT%H:%M"

# A flare-up logged on the phone without a connection arrives later with the time it was
# logged: up to this old it is stored as it comes; older, only once the patient confirms it.
OUTBOX_MAX_AGE = timedelta(days=7)


def helped_field_name(code: str) -> str:
    return f"helped_{code}"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_INPUT_FORMAT)


class EpisodeForm(forms.ModelForm):
    """Every field of a flare-up; the quick log is the same form with fewer fields."""

    intensity = forms.TypedChoiceField(
        label="How bad is the pain at its worst? (0 = none, 10 = worst imaginable)",
        choices=[(value, str(value)) for value in range(INTENSITY_MIN, INTENSITY_MAX + 1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how bad the pain is, from 0 to 10.",
            "invalid_choice": "Choose a whole number from 0 to 10.",
        },
    )
    tried = forms.MultipleChoiceField(
        label="What have you tried?",
        choices=RemedyCode.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": "Choose from the list of things to try."},
    )

    client_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Episode
        fields = PATIENT_FIELDS
        widgets = {
            "started_at": LocalDateTimeInput(),
            "ended_at": LocalDateTimeInput(),
            "side": forms.RadioSelect,
            "spread": forms.RadioSelect,
            "leg": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3, "maxlength": NOTES_MAX_LENGTH}),
        }
        labels = {
            "started_at": "When did it start?",
            "ended_at": "When was it over? (leave empty if it is still going on)",
            "side": "Where in the back?",
            "spread": "How far down the leg does it spread?",
            "leg": "Which leg?",
            "trigger": "What set it off?",
            "notes": "Notes",
        }
        error_messages = {
            "side": {"required": "Choose where in the back it hurts."},
            "spread": {"required": "Choose how far the pain spreads."},
            "notes": {
                "max_length": "Keep notes to %(limit_value)d characters (this has %(show_value)d)."
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in RemedyCode.choices:
            self.fields[helped_field_name(code)] = forms.ChoiceField(
                label=f"Did {label[0].lower()}{label[1:]} help?",
                choices=Helped.choices,
                initial=Helped.UNKNOWN,
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        if not self.instance.pk:
            self.initial.setdefault("client_token", uuid.uuid4())
        if "started_at" in self.fields:
            self.fields["started_at"].required = False
            self.fields["started_at"].help_text = "Leave as it is if it started just now."
            if not self.instance.pk:
                self.initial.setdefault("started_at", timezone.localtime().replace(second=0))
        if "leg" in self.fields:
            self.fields["leg"].choices = [c for c in self.fields["leg"].choices if c[0]]
            self.fields["leg"].required = False
        if "spread" in self.fields:
            self.fields["spread"].choices = [c for c in self.fields["spread"].choices if c[0]]
        if "side" in self.fields:
            self.fields["side"].choices = [c for c in self.fields["side"].choices if c[0]]
        if "trigger" in self.fields:
            self.fields["trigger"].choices = [("", "Not recorded"), *Trigger.choices]
        for field in self.fields.values():
            if isinstance(field, forms.BooleanField):
                field.widget.attrs.setdefault("class", "form-check-input")
        if self.instance.pk:
            self.initial.setdefault("tried", self.instance.tried)
            for remedy in self.instance.remedies.all():
                self.initial.setdefault(helped_field_name(remedy.code), remedy.helped)

    def clean_started_at(self):
        started_at = self.cleaned_data.get("started_at")
        if started_at is None:
            return self.instance.started_at if self.instance.pk else timezone.now()
        if started_at > timezone.now() + CLOCK_SKEW:
            raise forms.ValidationError("The start cannot be in the future.", code="future")
        if started_at < EARLIEST:
            raise forms.ValidationError("The start cannot be before 1900.", code="too_early")
        if (
            self.instance.pk
            and started_at != self.instance.started_at
            and self.instance.readings.filter(taken_at__lt=started_at).exists()
        ):
            raise forms.ValidationError(READING_BEFORE_START, code="after_reading")
        return started_at

    def clean_ended_at(self):
        ended_at = self.cleaned_data.get("ended_at")
        if ended_at is not None and ended_at > timezone.now() + CLOCK_SKEW:
            raise forms.ValidationError(
                "The end cannot be in the future. Leave it empty while the flare-up goes on.",
                code="future",
            )
        if ended_at is not None and ended_at < EARLIEST:
            raise forms.ValidationError("The end cannot be before 1900.", code="too_early")
        return ended_at

    @property
    def red_flag_fields(self) -> list:
        return [self[name] for name in RED_FLAG_FIELDS if name in self.fields]

    @property
    def remedy_rows(self) -> list[tuple]:
        """Each remedy's tick box with its "did it help?" choice, for one row on screen."""
        return [
            (checkbox, self[helped_field_name(checkbox.data["value"])])
            for checkbox in self["tried"]
        ]

    @property
    def remedies(self) -> dict[str, str]:
        """{remedy code: helped} for everything ticked as tried."""
        return {
            code: self.cleaned_data.get(helped_field_name(code)) or Helped.UNKNOWN
            for code in self.cleaned_data.get("tried", [])
        }

    @property
    def episode_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        if not self.instance.pk:
            fields["client_token"] = self.cleaned_data.get("client_token")
        return fields


class QuickLogForm(EpisodeForm):
    """The essentials, in a few taps; details can be added later with the full form.

    A log saved on the phone without a connection (static/js/outbox.js) is sent later with
    `logged_at`, the time the patient logged it, which becomes the start of the flare-up;
    `logged_at_confirmed` says the patient chose to send one older than OUTBOX_MAX_AGE.
    """

    logged_at = forms.DateTimeField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": "The time this was logged on the phone is not a valid time."},
    )
    logged_at_confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta(EpisodeForm.Meta):
        fields = ("intensity", "side", "spread", "leg", *RED_FLAG_FIELDS, "spasm")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["spread"].initial = Spread.NONE

    def clean_logged_at(self):
        logged_at = self.cleaned_data.get("logged_at")
        if logged_at is None:
            return None
        if logged_at > timezone.now() + CLOCK_SKEW:
            raise forms.ValidationError(
                "This was logged at a time still to come: check the date and time on this phone.",
                code="future",
            )
        if logged_at < EARLIEST:
            raise forms.ValidationError(
                "The time this was logged cannot be before 1900.", code="too_early"
            )
        return logged_at

    def clean(self):
        cleaned_data = super().clean()
        logged_at = cleaned_data.get("logged_at")
        oldest = timezone.now() - OUTBOX_MAX_AGE - CLOCK_SKEW
        if logged_at and logged_at < oldest and not cleaned_data.get("logged_at_confirmed"):
            self.add_error(
                "logged_at",
                forms.ValidationError(
                    "This was logged on the phone more than %(days)d days ago: confirm that "
                    "it should be kept with the time it was logged.",
                    code="too_old",
                    params={"days": OUTBOX_MAX_AGE.days},
                ),
            )
        return cleaned_data

    @property
    def episode_fields(self) -> dict:
        fields = super().episode_fields
        if self.cleaned_data.get("logged_at"):
            fields["started_at"] = self.cleaned_data["logged_at"]
        return fields


class FullEpisodeForm(EpisodeForm):
    """Every field (the page that shows it lays it out)."""


INTENSITY_CHOICES = [(value, str(value)) for value in range(INTENSITY_MIN, INTENSITY_MAX + 1)]


class ReadingForm(forms.ModelForm):
    """One pain reading of a flare-up: when, how bad, and an optional note."""

    intensity = forms.TypedChoiceField(
        label="How bad was it? (0 = none, 10 = worst imaginable)",
        choices=INTENSITY_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how bad the pain was, from 0 to 10.",
            "invalid_choice": "Choose a whole number from 0 to 10.",
        },
    )

    class Meta:
        model = PainReading
        fields = ("taken_at", "intensity", "note")
        widgets = {"taken_at": LocalDateTimeInput()}
        labels = {"taken_at": "When?", "note": "Note (optional)"}

    def __init__(self, *args, episode: Episode, **kwargs):
        self.episode = episode
        super().__init__(*args, **kwargs)
        self.fields["taken_at"].required = False
        if not self.instance.pk:
            self.initial.setdefault("taken_at", timezone.localtime().replace(second=0))

    def clean_taken_at(self):
        taken_at = self.cleaned_data.get("taken_at") or timezone.now()
        if taken_at > timezone.now() + CLOCK_SKEW:
            raise forms.ValidationError("A reading cannot be in the future.", code="future")
        if taken_at < self.episode.started_at:
            raise forms.ValidationError(
                "A reading cannot be from before the flare-up began.", code="before_start"
            )
        return taken_at
