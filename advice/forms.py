"""Forms of the follow-up pages: answers and the patient's preferences."""

from __future__ import annotations

from django import forms

from episodes.forms import INTENSITY_CHOICES
from episodes.models import READING_NOTE_MAX_LENGTH, Helped

from .models import FollowupPreferences


class ReliefAnswerForm(forms.Form):
    intensity = forms.TypedChoiceField(
        label="How bad is it now? (0 = none, 10 = worst imaginable)",
        choices=INTENSITY_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how bad the pain is now, from 0 to 10.",
            "invalid_choice": "Choose a whole number from 0 to 10.",
        },
    )
    helped = forms.ChoiceField(
        label="Did it help?",
        choices=[(Helped.YES, "Yes"), (Helped.SOMEWHAT, "A little"), (Helped.NO, "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether it helped."},
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        max_length=READING_NOTE_MAX_LENGTH,
        widget=forms.TextInput,
    )


class FollowupPreferencesForm(forms.ModelForm):
    class Meta:
        model = FollowupPreferences
        fields = (
            "relief_delay_minutes",
            "quiet_from",
            "quiet_until",
            "checkin_enabled",
            "checkin_weekday",
            "checkin_hour",
            "email_enabled",
        )
        widgets = {
            "quiet_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "relief_delay_minutes": forms.Select(attrs={"class": "form-select"}),
            "checkin_weekday": forms.Select(attrs={"class": "form-select"}),
            "checkin_hour": forms.Select(attrs={"class": "form-select"}),
            "checkin_enabled": forms.CheckboxInput(attrs={"class": "form-check-input"}),
            "email_enabled": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }
        help_texts = {
            "quiet_from": "No question is asked between these two times (your time zone).",
            "email_enabled": "Only to a verified address. The email says only that a question "
            "is waiting, never anything about your health.",
        }
