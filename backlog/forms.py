from allauth.account.adapter import get_adapter
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.flows.password_reset import get_reset_password_from_key_url
from allauth.account.models import EmailAddress
from django import forms
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sites.shortcuts import get_current_site

from .models import User, timezone_names


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(field.widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} {css}".strip()


def timezone_field(**kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label="Your time zone",
        choices=[(name, name.replace("_", " ")) for name in timezone_names()],
        initial="UTC",
        help_text="Flare-ups belong to the day they started where you live.",
        widget=forms.Select(attrs={"data-browser-timezone": "true"}),
        **kwargs,
    )


class LoginForm(BootstrapMixin, AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = "Email address"
        login.widget.attrs.update({"autocomplete": "email", "autofocus": True})
        login.widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)


class SignupForm(BootstrapMixin, AllauthSignupForm):
    timezone = timezone_field()
    privacy_consent = forms.BooleanField(
        label=(
            "I agree that backlog stores my health information (my flare-ups, what I tried, "
            "and the advice I am shown) to keep my diary, as the privacy notice describes."
        ),
        required=True,
        error_messages={
            "required": "backlog cannot keep a diary of your health without your agreement."
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["password2"].label = "Password confirmation"
        for name in ("email", "password1", "password2"):
            self.fields[name].widget.attrs.pop("placeholder", None)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "autofocus": True})


class AddEmailForm(AllauthAddEmailForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "New email address"
        self.fields["email"].widget.attrs.pop("placeholder", None)
        self.fields["email"].widget.attrs["autocomplete"] = "email"


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's reset request; for an unknown address it does the same work as for a known
    one (the same queries, a token, the email built) and sends nothing, so that the answer
    takes as long either way."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Email address"
        self.fields["email"].widget.attrs.pop("placeholder", None)
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def save(self, request, **kwargs) -> str:
        email = super().save(request, **kwargs)
        if not self.users:
            self._stand_in_for_a_real_reset(request, email)
        return email

    @staticmethod
    def _stand_in_for_a_real_reset(request, email: str) -> None:
        stand_in = User(pk=0, email=email, password="!")  # noqa: S106 (unusable, never saved)
        # What allauth's token generator asks the database for a real account.
        EmailAddress.objects.filter(user_id=0, email=email).exists()
        list(EmailAddress.objects.filter(user_id=0).values_list("email", flat=True))
        key = f"0-{PasswordResetTokenGenerator().make_token(stand_in)}"
        context = {
            "user": stand_in,
            "password_reset_url": get_reset_password_from_key_url(request, key),
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
        }
        get_adapter().render_mail("account/email/password_reset_key", email, context).message()


class PrivacyAgreeForm(forms.Form):
    agree = forms.BooleanField(
        label="I agree to the privacy notice above, and to backlog storing my health information "
        "as it describes.",
        required=True,
        error_messages={"required": "Tick the box to agree, or use the other choices below."},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class SettingsForm(BootstrapMixin, forms.ModelForm):
    timezone = timezone_field()

    class Meta:
        model = User
        fields = ("timezone", "display_name", "date_of_birth")
        widgets = {
            "display_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "date_of_birth": forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.is_patient:  # what a clinician reads about a patient
            del self.fields["display_name"], self.fields["date_of_birth"]
