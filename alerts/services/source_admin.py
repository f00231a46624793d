"""District admins' changes to their alert sources, from the product's pages: create a
source, rotate a push source's token (shown once, only its SHA-256 kept, as
`source_push_token_issue` always did), deactivate and reactivate. Each change writes an
AdminChange row in the same transaction; no token or app password ever goes into it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.district_admin import DistrictAdminError, admin_change_record
from accounts.models import AdminChange, District, School, User
from alerts.models import Source, SourceKind

from .sources import source_push_token_issue


@transaction.atomic
def source_create(
    *,
    district: District,
    actor: User,
    kind: str,
    name: str,
    schools: list[School],
    server_url: str = "",
    query: str = "",
    feed_url: str = "",
    account_handle: str = "",
    app_password: str = "",
    poll_interval_seconds: int = 300,
) -> tuple[Source, str | None]:
    """A new enabled source of the district. Returns it and, for a push source, its token
    (shown once, never again)."""
    if not schools:
        raise DistrictAdminError(_("Choose the schools whose alerts the source may raise."))
    if any(school.district_id != district.id for school in schools):
        raise DistrictAdminError(_("That school is not in your district."))
    required = {
        SourceKind.MASTODON: ("server_url", "query"),
        SourceKind.BLUESKY: ("query",),
        SourceKind.RSS: ("feed_url",),
        SourceKind.PUSH: (),
    }[SourceKind(kind)]
    given = {"server_url": server_url, "query": query, "feed_url": feed_url}
    if any(not given[field].strip() for field in required):
        raise DistrictAdminError(
            _("This kind of source needs: %(fields)s.") % {"fields": ", ".join(required)}
        )
    source = Source.objects.create(
        district=district,
        kind=kind,
        name=name.strip(),
        server_url=server_url,
        query=query.strip(),
        feed_url=feed_url,
        account_handle=account_handle.strip(),
        app_password=app_password,
        poll_interval_seconds=poll_interval_seconds,
        enabled=True,
    )
    source.schools.set(schools)
    token = source_push_token_issue(source=source) if kind == SourceKind.PUSH else None
    admin_change_record(
        district=district,
        actor=actor,
        kind=AdminChange.Kind.SOURCE_CREATED,
        target=source.name,
        data={
            "source_id": source.id,
            "kind": kind,
            "school_ids": sorted(school.id for school in schools),
        },
    )
    return source, token


@transaction.atomic
def source_token_rotate(*, source: Source, actor: User) -> str:
    """A new push token; the old one stops working at once. Returned once, never stored."""
    if source.kind != SourceKind.PUSH:
        raise DistrictAdminError(_("Only push sources have tokens."))
    token = source_push_token_issue(source=source)
    admin_change_record(
        district=source.district,
        actor=actor,
        kind=AdminChange.Kind.SOURCE_TOKEN_ROTATED,
        target=source.name,
        data={"source_id": source.id},
    )
    return token


@transaction.atomic
def source_enabled_set(*, source: Source, actor: User, enabled: bool) -> bool:
    """Deactivate (no polling; a push token is refused) or reactivate (polled at the next
    beat tick). False when it already was so."""
    if source.enabled == enabled:
        return False
    source.enabled = enabled
    fields = ["enabled"]
    if enabled:
        source.next_poll_at = timezone.now()
        source.consecutive_failures = 0
        fields += ["next_poll_at", "consecutive_failures"]
    source.save(update_fields=fields)
    admin_change_record(
        district=source.district,
        actor=actor,
        kind=AdminChange.Kind.SOURCE_ENABLED if enabled else AdminChange.Kind.SOURCE_DISABLED,
        target=source.name,
        data={"source_id": source.id},
    )
    return True
