from django.contrib import admin

from .models import Share


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    """Consent is the patient's to give and withdraw, so shares are read-only here."""

    list_display = ("patient", "clinician", "created_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("patient__email", "clinician__email")
    exclude = ("code_hash",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
