from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm

from .models import User, timezone_names


class BootstrapMixin:
    """Bootstrap classes on every widget, so templates can render fields plainly."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
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


class SignUpForm(BootstrapMixin, BaseUserCreationForm):
    timezone = timezone_field()

    class Meta:
        model = User
        fields = ("email", "timezone")
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})}

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Log in instead.", code="unique"
            )
        return email


class LoginForm(BootstrapMixin, AuthenticationForm):
    username = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class SettingsForm(BootstrapMixin, forms.ModelForm):
    timezone = timezone_field()

    class Meta:
        model = User
        fields = ("timezone",)
