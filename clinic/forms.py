from datetime import date, timedelta

from django import forms
from django.utils import timezone

from backlog.forms import BootstrapMixin
from backlog.models import User

LONGEST_SHARE = timedelta(days=3653)
EARLIEST_DAY = date(1900, 1, 1)


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
        email = self.cleaned_data["email"].strip().lower()
        clinician = User.objects.filter(email__iexact=email, role="clinician").first()
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
            if day is not None and not EARLIEST_DAY <= day <= latest:
                self.add_error(name, "Choose a day between 1900 and next year.")
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", "The end cannot be before the start.")
        return cleaned


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
