from django.contrib import admin

from .models import Episode, Remedy


class RemedyInline(admin.TabularInline):
    model = Remedy
    extra = 0


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ("id", "patient", "started_at", "ended_at", "intensity", "side", "spread", "leg")
    list_filter = ("side", "spread")
    search_fields = ("patient__email",)
    date_hierarchy = "started_at"
    raw_id_fields = ("patient",)
    inlines = [RemedyInline]
