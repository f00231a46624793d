"""Every named URL of the project, for the tests that walk them all (audited reads, the
Spanish walk, the accessibility sweep): pages added later are covered without a list."""

from django.urls import URLResolver, get_resolver


def _routes(patterns, namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, inner)
        elif pattern.name:
            yield namespace + pattern.name, tuple(pattern.pattern.regex.groupindex)


def named_routes() -> set[tuple[str, tuple]]:
    """(namespaced name, the names of its URL arguments) for every named route."""
    return set(_routes(get_resolver().url_patterns))
