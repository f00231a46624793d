from django.contrib import admin, messages

from .models import Alert, Post, SchoolAlertSettings, Source, SourceKind
from .services import source_push_token_issue


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "district",
        "enabled",
        "last_success_at",
        "consecutive_failures",
        "next_poll_at",
    )
    list_filter = ("kind", "enabled", "district")
    filter_horizontal = ("schools",)
    readonly_fields = (
        "cursor",
        "etag",
        "last_modified",
        "last_polled_at",
        "last_success_at",
        "last_error",
        "last_error_at",
        "consecutive_failures",
        "push_token_digest",
    )
    actions = ["issue_push_token"]

    @admin.action(description="Issue a new push token (shown once)")
    def issue_push_token(self, request, queryset):
        for source in queryset.filter(kind=SourceKind.PUSH):
            token = source_push_token_issue(source=source)
            messages.warning(request, f"{source.name}: new push token {token} (copy it now)")


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("external_id", "source", "author_handle", "severity", "score", "received_at")
    list_filter = ("source", "severity")
    search_fields = ("external_id", "author_handle")
    raw_id_fields = ("source",)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "school",
        "severity",
        "top_category",
        "status",
        "group_size",
        "created_at",
    )
    list_filter = ("status", "severity", "top_category", "school")
    raw_id_fields = ("post", "case", "reviewed_by")


@admin.register(SchoolAlertSettings)
class SchoolAlertSettingsAdmin(admin.ModelAdmin):
    list_display = ("school", "threshold", "require_school_mention")
