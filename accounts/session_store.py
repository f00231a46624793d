"""Sessions read from the cache, kept in the database (SESSION_ENGINE).

A signed-in page reads its session on every request; from the cache that is one round trip
to Redis instead of a query. The database stays the record, so a Redis outage must cost
nothing but speed (docs/operations.md: staff sign-in keeps working with Redis down). Django's
`cached_db` store already survives a failed cache read or save; this one also survives a
failed refill after a database read, a failed existence check and a failed delete (sign-out),
each logged with the error's class only.
"""

import logging

from django.contrib.sessions.backends import cached_db

logger = logging.getLogger(__name__)


class _QuietCache:
    """The session cache, with every call that fails logged and answered as a miss."""

    def __init__(self, cache):
        self._cache = cache

    def get(self, key, default=None):
        try:
            return self._cache.get(key, default)
        except Exception as error:
            logger.warning(
                "session cache unavailable (%s): read from the database", type(error).__name__
            )
            return default

    def set(self, key, value, timeout):
        try:
            self._cache.set(key, value, timeout)
        except Exception as error:
            logger.warning("session cache unavailable (%s): not kept", type(error).__name__)

    def delete(self, key):
        try:
            self._cache.delete(key)
        except Exception as error:
            logger.warning("session cache unavailable (%s): not deleted", type(error).__name__)

    def __contains__(self, key):
        try:
            return key in self._cache
        except Exception as error:
            logger.warning(
                "session cache unavailable (%s): asked the database", type(error).__name__
            )
            return False

    def __repr__(self):
        return repr(self._cache)


class SessionStore(cached_db.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _QuietCache(self._cache)
