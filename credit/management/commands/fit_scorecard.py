from datetime import date

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, CommandError

from credit.scorecard import scorecard_fit


class Command(BaseCommand):
    help = ("Fit a scorecard from payment outcomes (optbinning, monotonic WoE bins, IV per factor) and store it "
            "as a draft scoring model to review, preview and publish like any other.")

    def add_arguments(self, parser):
        parser.add_argument("--observed", required=True, help="YYYY-MM-DD: features as of this date")
        parser.add_argument("--outcome-months", type=int, default=6)
        parser.add_argument("--by", default=None, help="username recorded as the draft's author")

    def handle(self, *args, observed, outcome_months, by, **options):
        try:
            day = date.fromisoformat(observed)
        except ValueError as exc:
            raise CommandError(f"Bad --observed: {exc}") from exc
        user = get_user_model().objects.filter(username=by).first() if by else None
        try:
            draft = scorecard_fit(observed=day, outcome_months=outcome_months, by=user)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"draft v{draft.version}: {draft.metrics['customers']:,} customers, "
                          f"{draft.metrics['bad']:,} bad")
        for feature, iv in draft.metrics["information_value"].items():
            self.stdout.write(f"  {feature:<20} IV {iv:.3f}  bins {len(draft.metrics['bins'][feature])}")
        if draft.metrics["left_out"]:
            self.stdout.write("left out (IV < 0.02): " + ", ".join(draft.metrics["left_out"]))
