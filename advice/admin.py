from django.contrib import admin

from backlog.admin_audit import AuditedAdmin

from .models import Prompt


@admin.register(Prompt)
class PromptAdmin(AuditedAdmin):
    """What a patient was told is a record: it can be read here (each read logged for the
    patient), not rewritten."""

    audit_name = "prompt"
    list_display = ("shown_at", "episode", "level", "code", "title")
    list_filter = ("level", "code")
    list_select_related = ("episode",)
    search_fields = ("episode__patient__email", "code")

    def patient_ref_of(self, obj: Prompt) -> int:
        return obj.episode.patient_id

    def has_change_permission(self, request, obj=None) -> bool:
        return False
