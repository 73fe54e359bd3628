from core.management.dated_batch import DatedBatchCommand
from marketing.batches import FACTS_KIND


class Command(DatedBatchCommand):
    help = ("Refresh every customer's plan saturation (average of the 3 complete months before the date) that "
            "segment rules read. Set-based per id range; apply-once per day; scheduled nightly.")
    kind = FACTS_KIND
    rows_are = "customers updated"
