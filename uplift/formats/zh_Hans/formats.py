"""Number formats for Simplified Chinese as government reports write them: 12,345 and 1,234,567.

Django's own zh_Hans formats group by four digits with no separator ("12345"), which readers of
bureau reports do not expect.
"""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
