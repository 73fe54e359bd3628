from core.management.dated_batch import DatedBatchCommand
from retention.batches import SCAN_KIND


class Command(DatedBatchCommand):
    help = "Run (or resume) the nightly retention scan for a date (default today): scores, then alerts."
    kind = SCAN_KIND
    rows_are = "alerts opened"
