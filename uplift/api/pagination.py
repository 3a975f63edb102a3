from rest_framework.pagination import PageNumberPagination

from uplift.core.paging import CAP, CappedPaginator


class Pagination(PageNumberPagination):
    """Pages of at most 500 records. ``count`` is exact up to 10,000 matches; beyond, it is the
    database's estimate, ``count_exact`` is false and the pages stop at the 10,000th record
    (narrow the filters to reach the rest; decision 0008)."""

    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_exact"] = self.page.paginator.exact
        return response

    def get_paginated_response_schema(self, schema):
        out = super().get_paginated_response_schema(schema)
        out["properties"]["count"]["description"] = (
            f"The number of matching records: exact up to {CAP:,}, beyond that an estimate."
        )
        out["properties"]["count_exact"] = {
            "type": "boolean",
            "description": f"False when more than {CAP:,} records match and count is an estimate; "
            f"the pages then end at the {CAP:,}th record.",
        }
        return out
