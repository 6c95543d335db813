from django.contrib import admin

from .models import Prompt


@admin.register(Prompt)
class PromptAdmin(admin.ModelAdmin):
    """What a patient was told is a record: it can be read here, not rewritten."""

    list_display = ("shown_at", "episode", "level", "code", "title")
    list_filter = ("level", "code")
    search_fields = ("episode__patient__email", "code")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
