"""The API's pagination (REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"]).

A module of its own: DRF imports it while defining its generic views, so it must import
nothing that imports them.
"""

from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
