"""A churn feature source: one CTE of SQL over the chunk and the scan date, and the features read from it. Below
retention.features (which joins the sources) and retention.sql.intake_features (the sources from the #13 intake)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    name: str
    cte: str  # SQL of a CTE named `name`, one row per customer_id of the chunk
    features: dict  # feature name -> (SQL over the CTE's columns, aliased `name`, Chinese label)
    needs: tuple = ()  # "app_label.Model" that must be installed
