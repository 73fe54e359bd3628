"""The outcome of a set-based bulk intake, shared by every app's bulk services."""

from dataclasses import dataclass, field


@dataclass
class BulkOutcome:
    """`results`: position in the batch -> the item's result; `errors`: position -> {field: [message]}.
    Not partial and any error: `results` is empty and nothing was written."""

    results: dict[int, object] = field(default_factory=dict)
    errors: dict[int, dict[str, list[str]]] = field(default_factory=dict)
