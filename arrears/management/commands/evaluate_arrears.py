from arrears.evaluation import EVALUATE_KIND
from core.management.dated_batch import DatedBatchCommand


class Command(DatedBatchCommand):
    help = ("Run (or resume) the nightly arrears evaluation for a date (default today): late fees, then the "
            "barring policy over every line. Apply-once per day.")
    kind = EVALUATE_KIND
    rows_are = "lines changed state"
