"""CSV exports: one streaming response for every export, every cell safe to open in a spreadsheet."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

# A text cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets (CSV injection:
# a customer named =HYPERLINK(...) becomes a link that leaks the sheet). A leading ' makes it text again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value to write: text that would start a formula gets a leading '; numbers, dates and None as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Echo:
    """csv.writer writes a row to this and returns the row's text, to be streamed."""

    def write(self, value):
        return value


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> StreamingHttpResponse:
    """A streamed CSV download (flat memory however many rows), UTF-8 with a BOM so Excel reads Chinese, every
    cell through `safe_cell`."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([safe_cell(v) for v in header])
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
