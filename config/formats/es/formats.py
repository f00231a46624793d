"""Spanish formats: Django's own, with thousands grouped by a point ("1.234", "12,5"), as
Spanish-speaking staff write figures (Django's default is a no-break space)."""

from django.conf.locale.es.formats import *  # noqa: F403

THOUSAND_SEPARATOR = "."
