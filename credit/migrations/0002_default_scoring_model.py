from decimal import Decimal

from django.db import migrations
from django.utils import timezone

from credit.default_model import CUTOFFS, FACTORS


def _dec(value):
    return None if value is None else Decimal(str(value))


def load_default_model(apps, schema_editor):
    ScoringModel = apps.get_model("credit", "ScoringModel")
    Factor = apps.get_model("credit", "Factor")
    FactorBin = apps.get_model("credit", "FactorBin")
    StarCutoff = apps.get_model("credit", "StarCutoff")
    if ScoringModel.objects.exists():
        return
    # Built as a draft and published at the end: a published model's parts cannot be written.
    model = ScoringModel.objects.create(version=1, name="Default base model", status="draft",
                                        notes="Shipped default (credit/default_model.py)")
    for dimension, feature, weight, bins in FACTORS:
        factor = Factor.objects.create(scoring_model=model, dimension=dimension, feature=feature,
                                       weight=Decimal(weight))
        for spec in bins:
            if len(spec) == 2:
                FactorBin.objects.create(factor=factor, category=spec[0], points=Decimal(spec[1]))
            else:
                FactorBin.objects.create(factor=factor, lower=_dec(spec[0]), upper=_dec(spec[1]),
                                         points=Decimal(spec[2]))
    for star, score in CUTOFFS.items():
        StarCutoff.objects.create(scoring_model=model, star=star, min_score=Decimal(score))
    ScoringModel.objects.filter(pk=model.pk).update(status="published", published_at=timezone.now())


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial")]
    operations = [migrations.RunPython(load_default_model, migrations.RunPython.noop)]
