"""How the full flare-up form is laid out on the page (crispy-forms)."""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout, Submit

from episodes.models import RED_FLAG_FIELDS


def full_form_helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(
        "client_token",
        Fieldset("When", "started_at", "ended_at"),
        Fieldset(
            "The pain",
            InlineRadios("intensity"),
            InlineRadios("side"),
            InlineRadios("spread"),
            Div(InlineRadios("leg"), **{"data-leg-group": ""}),
            "spasm",
            "trigger",
        ),
        Fieldset(
            "Red-flag questions (tick any that are true now)",
            *RED_FLAG_FIELDS,
            css_class="red-flags",
        ),
        # Each remedy's "did it help?" sits on the same row as its tick box.
        HTML('{% include "advice/_remedies_fieldset.html" %}'),
        Fieldset("Anything else", "notes"),
        Submit("save", "Save flare-up", css_class="btn-primary btn-lg"),
    )
    return helper
