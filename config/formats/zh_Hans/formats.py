# The same display formats as English (one date format in every language, issue 18); only the input forms differ.
from config.formats.en.formats import (  # noqa: F401  Django reads these names from this module
    DATE_FORMAT, DATETIME_FORMAT, FIRST_DAY_OF_WEEK, MONTH_DAY_FORMAT, SHORT_DATE_FORMAT, SHORT_DATETIME_FORMAT,
    TIME_FORMAT, YEAR_MONTH_FORMAT,
)

# ISO first: what forms show (and <input type="date"> needs); the other common forms still accepted
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y/%m/%d"]
DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M", "%Y/%m/%d"]
