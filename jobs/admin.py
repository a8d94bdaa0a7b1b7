from django.contrib import admin

from .models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "owner", "status", "done", "total", "error_count", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    search_fields = ["owner__username", "source_name"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
