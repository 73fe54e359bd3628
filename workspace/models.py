"""Nightly pre-aggregates of the home page's "at a glance" figures (workspace/home_facts.py).

Written only by the batch `workspace.home_facts`: one row per id-range chunk of customers and dimension values,
summed when read. By region, the narrowest scope they serve (a province-wide role, a regional manager); a manager's
or a lead's book is small and read live (customers.selectors.dashboard_figures)."""

from django.db import models

from core.models import RegionChunkFact


class HomeRevenueFact(RegionChunkFact):
    """Billed revenue (usage summaries' bill amounts) per region and month."""

    month = models.DateField()
    bill = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["day", "region_id"], name="homerevenuefact_day")]

    def __str__(self):
        return f"{self.day} {self.region_id} {self.month:%Y-%m}: {self.bill}"
