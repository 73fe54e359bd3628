from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import BaseCommand, CommandError

from core.tasks import BrokerUnavailable
from credit.batches import BASE_KIND, GUIDANCE_KIND
from credit.runs import rating_run_start, rating_run_supersede
from credit.tasks import current_period

KINDS = {"base": BASE_KIND, "guidance": GUIDANCE_KIND}


class Command(BaseCommand):
    help = ("Run (or resume) a credit rating run: base (monthly, YYYY-MM) or guidance (half-yearly, YYYY-H1/H2), "
            "only for the current or a past period, once; --supersede re-runs it (a credit officer, a reason).")

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--period", help="default: the current month / half-year")
        parser.add_argument("--supersede", metavar="USERNAME", help="credit officer who supersedes the period")
        parser.add_argument("--reason", default="", help="why the period is run again (with --supersede)")

    def handle(self, *args, kind, period, supersede, reason, **options):
        period = period or current_period(KINDS[kind])
        try:
            if supersede:
                officer = get_user_model().objects.get(username=supersede)
                result = rating_run_supersede(kind=kind, period=period, reason=reason, by=officer)
            else:
                result = rating_run_start(kind=kind, period=period)
        except ValidationError as exc:
            raise CommandError("; ".join(m for ms in exc.message_dict.values() for m in ms)) from exc
        except BrokerUnavailable as exc:
            raise CommandError(str(exc)) from exc
        run = result.run
        run.refresh_from_db()
        self.stdout.write(f"{result.message}\n{run}: {run.done_chunks}/{run.total_chunks} chunks, "
                          f"{run.rows_affected:,} customers changed, status {run.status}")
