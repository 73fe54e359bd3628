"""Credit's raw SQL, by topic: ending credit and reversing a run (ending), the report's figures and facts
(report), the scoring features (features), the compiled model and guidance rules with the statement that writes
a chunk's decisions (scoring), the impact preview and population stability (impact), the scorecard fit's data
set (scorecard), touchpoint SMS in bulk (messages) and shared credit (sharing).

The names of the former single module stay importable from here (`from credit.sql import END_SQL`)."""

from credit.sql.ending import (
    END_SHARES_SQL, END_SQL, LIMIT_EVENTS_SQL, NOT_CLOSED_OR_BLACKLISTED_SQL, REVERSE_SQL,
)
from credit.sql.report import CHURN_SQL, DURATIONS_SQL, POPULATION_SQL, STAR_SNAPSHOT_SQL

__all__ = [
    "CHURN_SQL", "DURATIONS_SQL", "END_SHARES_SQL", "END_SQL", "LIMIT_EVENTS_SQL", "NOT_CLOSED_OR_BLACKLISTED_SQL",
    "POPULATION_SQL", "REVERSE_SQL", "STAR_SNAPSHOT_SQL",
]
