from __future__ import annotations

import json
from typing import Any

from django import forms

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
