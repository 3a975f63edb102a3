"""Dates in English as the programme writes them: day, month, year — "1 June 2018", and
"1 June 2018 09:30" with a time (24-hour, as the Chinese pages write it); "1 Jun 2018" where a
table is narrow. Django's own English formats are American ("June 1, 2018", "06/01/2018").

Only what pages show changes: the input formats (forms take ISO dates from the browser's date
picker) are Django's, and exports and the API keep ISO 8601.
"""

from django.conf.locale.en.formats import *  # noqa: F403

DATE_FORMAT = "j F Y"  # 1 June 2018
TIME_FORMAT = "H:i"  # 09:30
DATETIME_FORMAT = "j F Y H:i"  # 1 June 2018 09:30
MONTH_DAY_FORMAT = "j F"  # 1 June
SHORT_DATE_FORMAT = "j M Y"  # 1 Jun 2018
SHORT_DATETIME_FORMAT = "j M Y H:i"  # 1 Jun 2018 09:30
