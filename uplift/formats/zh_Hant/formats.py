"""Number formats for Traditional Chinese, grouped as the Simplified ones are (12,345 and
1,234,567): Django's own zh_Hant formats group by four digits with no separator."""

from django.conf.locale.zh_Hant.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
