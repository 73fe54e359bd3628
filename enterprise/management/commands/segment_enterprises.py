from core.management.dated_batch import DatedBatchCommand
from enterprise.batches import SEGMENT_KIND


class Command(DatedBatchCommand):
    help = "Run (or resume) the nightly enterprise segmentation for a date (default today): tags, alerts, classes."
    kind = SEGMENT_KIND
    rows_are = "alerts opened"
