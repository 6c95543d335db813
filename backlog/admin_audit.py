"""The Django admin, for models holding a patient's data: what staff see there is logged.

Every list page and every object staff open is written to the patient's access log (role
"staff"), which the patient reads on their Sharing page, like a clinician's reads. Health
data is read-only unless a change comes with a written reason: the change form has a
required "reason" field, and the reason is stored with the logged change (and shown to the
patient). Adding and deleting are not offered: a patient's data is theirs to add and delete.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote

from .access_log import STAFF_ROLE
from .models import AccessEvent

REASON_MAX_LENGTH = 500


class ReasonForm(forms.ModelForm):
    reason = forms.CharField(
        label="Reason for this change",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to save. The patient sees it with your email in their access log.",
        error_messages={"required": "Say why you are changing this patient's data."},
    )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) < 10:
            raise forms.ValidationError("Say why in a few words (at least 10 characters).")
        return reason


class AuditedAdmin(admin.ModelAdmin):
    """Subclasses name what they hold (`audit_name`, in the action code) and say whose data
    an object is (`patient_ref_of`)."""

    audit_name = ""
    form = ReasonForm

    def patient_ref_of(self, obj) -> int | None:
        raise NotImplementedError

    def _record(self, request, patient_refs, action: str, reason: str = "") -> None:
        user = request.user
        AccessEvent.objects.bulk_create(
            AccessEvent(
                actor_ref=user.pk,
                actor_email=user.email,
                actor_role=STAFF_ROLE,
                patient_ref=patient_ref,
                action=f"admin {action} {self.audit_name}",
                allowed=True,
                reason=reason,
            )
            for patient_ref in sorted(set(patient_refs) - {None})
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            fields.remove("reason")  # nothing can be changed, so there is nothing to explain
        return fields

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            # One event per patient whose rows are on the page.
            self._record(request, map(self.patient_ref_of, changelist.result_list), "list")
        return response

    def _record_view(self, request, object_id: str) -> None:
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_view_or_change_permission(request, obj):
            self._record(request, [self.patient_ref_of(obj)], "view")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._record_view(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._record_view(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        reason = form.cleaned_data["reason"]
        self._record(request, [self.patient_ref_of(obj)], "change", reason=reason)
