"""What every app's staff API views share: the function-view decorator and its throttle scope.

(The error body, pagination and schema class are config's: the settings name them, and no
app imports config.)
"""

from rest_framework.decorators import api_view


def endpoint(methods: list[str], *, scope: str):
    """@api_view with a throttle scope ("api_read" or "api_write"): a function view whose
    requests are counted per token (accounts.api_tokens.TokenScopedRateThrottle)."""

    def decorate(function):
        view = api_view(methods)(function)
        view.cls.throttle_scope = scope
        return view

    return decorate
