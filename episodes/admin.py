from django.contrib import admin

from backlog.admin_audit import AuditedAdmin

from .models import Episode, Remedy


class RemedyInline(admin.TabularInline):
    model = Remedy
    extra = 0


@admin.register(Episode)
class EpisodeAdmin(AuditedAdmin):
    """Reads are logged for the patient; a change needs a written reason (`AuditedAdmin`)."""

    audit_name = "episode"
    list_display = ("id", "patient", "started_at", "ended_at", "intensity", "side", "spread", "leg")
    list_filter = ("side", "spread")
    list_select_related = ("patient",)
    search_fields = ("patient__email",)
    date_hierarchy = "started_at"
    raw_id_fields = ("patient",)
    inlines = [RemedyInline]

    def patient_ref_of(self, obj: Episode) -> int:
        return obj.patient_id

    def get_readonly_fields(self, request, obj=None):
        # Whose flare-up it is never changes.
        return ("patient",)
