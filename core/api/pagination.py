from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.pagination import CappedCountPaginator


class StandardPagination(PageNumberPagination):
    """Page-number pagination; `count` stops at 10,000 and `count_capped` says when it did."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.is_capped
        return Response(response.data)

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {"type": "boolean"}
        return schema
