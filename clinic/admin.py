from django.contrib import admin

from backlog.admin_audit import AuditedAdmin

from .models import Share


@admin.register(Share)
class ShareAdmin(AuditedAdmin):
    """Consent is the patient's to give and withdraw, so shares are read-only here; who a
    patient shares with is theirs to know about, so each read is logged for them."""

    audit_name = "share"
    list_display = ("patient", "clinician", "created_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    list_select_related = ("patient", "clinician")
    search_fields = ("patient__email", "clinician__email")
    exclude = ("code_hash",)

    def patient_ref_of(self, obj: Share) -> int:
        return obj.patient_id

    def has_change_permission(self, request, obj=None) -> bool:
        return False
