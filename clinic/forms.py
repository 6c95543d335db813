import json
from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone

from backlog.forms import BootstrapMixin
from backlog.models import User, normalise_email
from episodes.models import EARLIEST

LONGEST_SHARE = timedelta(days=3653)


class ExpiryField(forms.DateField):
    def __init__(self, **kwargs):
        super().__init__(
            label="Share until (optional)",
            required=False,
            help_text="Leave empty to share until you revoke it.",
            widget=forms.DateInput(attrs={"type": "date"}),
            **kwargs,
        )

    def validate(self, value):
        super().validate(value)
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError("Choose today or a later day.", code="past")
        if value is not None and value > timezone.localdate() + LONGEST_SHARE:
            raise forms.ValidationError(
                "Choose a day within the next 10 years, or leave it empty.", code="far"
            )


class ShareByEmailForm(BootstrapMixin, forms.Form):
    email = forms.EmailField(label="Your clinician's email address")
    expires_on = ExpiryField()

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.patient = patient

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        clinician = User.objects.filter(email=email, role="clinician").first()
        if clinician is None:
            raise forms.ValidationError(
                "There is no clinician account with this email. Check it with your "
                "clinician, or share a one-time code instead.",
                code="no_clinician",
            )
        self.clinician = clinician
        return email


class ShareCodeForm(BootstrapMixin, forms.Form):
    expires_on = ExpiryField()


class RedeemForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label="Share code from your patient",
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class SummaryPeriodForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        latest = timezone.localdate() + timedelta(days=366)
        for name in ("start", "end"):
            day = cleaned.get(name)
            if day is not None and not EARLIEST.date() <= day <= latest:
                self.add_error(name, "Choose a day between 1900 and next year.")
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", "The end cannot be before the start.")
        return cleaned


class PatientListForm(forms.Form):
    """The patient list's filter, search and page; anything unusable falls back to the
    defaults (all patients, no search, the first page)."""

    show = forms.ChoiceField(
        label="Show",
        choices=[("all", "All patients"), ("attention", "Needs attention")],
        required=False,
    )
    q = forms.CharField(label="Search by name or email", max_length=100, required=False)
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    def values(self) -> dict:
        cleaned = {}
        if self.is_bound:
            self.is_valid()  # keeps what is valid; an error shows next to its field
            cleaned = self.cleaned_data
        return {
            "show": cleaned.get("show") or "all",
            "search": cleaned.get("q") or "",
            "number": cleaned.get("page") or 1,
        }


class DeleteAccountForm(BootstrapMixin, forms.Form):
    password = forms.CharField(
        label="Your password, to confirm",
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.request = user, request

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.", code="wrong")
        return password


# --- Import of a history file -----------------------------------------------------------

MAX_IMPORT_BYTES = 5 * 1024 * 1024
TOO_LARGE = "This file is too large: a history file is at most 5 MB."


def _no_constants(name: str) -> None:
    # json accepts NaN and Infinity, which are not JSON.
    raise ValueError(f"{name} is not allowed in JSON")


class ImportForm(forms.Form):
    """Upload of a history file; `cleaned_data["file"]` is the parsed JSON object (a dict).

    Hand that dict to `clinic.imports.history_import`, and add any `ValidationError` it raises
    to the form (`form.add_error("file", error)`) so the person sees what is wrong.
    """

    file = forms.FileField(
        label="History file",
        help_text="The .json file made by backlog's “Download my history” (at most 5 MB).",
        error_messages={
            "required": "Choose the history file to import.",
            "empty": "This file is empty.",
        },
    )

    def clean_file(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(TOO_LARGE, code="too_large")
        # Read no more than the limit, whatever size the upload claims.
        raw = upload.read(MAX_IMPORT_BYTES + 1)
        if len(raw) > MAX_IMPORT_BYTES:
            raise forms.ValidationError(TOO_LARGE, code="too_large")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                "This file is not a backlog history: it is not UTF-8 text.", code="not_text"
            ) from None
        try:
            data = json.loads(text, parse_constant=_no_constants)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                "This file is not valid JSON (line %(line)d, column %(column)d: %(problem)s).",
                code="not_json",
                params={"line": error.lineno, "column": error.colno, "problem": error.msg},
            ) from None
        except (ValueError, RecursionError):
            # NaN/Infinity, a number too long to read, or nesting too deep to parse.
            raise forms.ValidationError(
                "This file is not valid JSON for a backlog history.", code="not_json"
            ) from None
        if not isinstance(data, dict):
            raise forms.ValidationError(
                "This file is JSON, but not a backlog history.", code="not_history"
            )
        return data
