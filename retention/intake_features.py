"""Churn features from the intake of care contacts, contracts, services held and payment method (#13).

Each source names the models it reads; `retention.features.sources` leaves out those whose app is not
installed. Wired to the intake models when that branch is merged.
"""


def sources() -> list:
    return []


# SQL removing the intake's facts dated on or after the scan date (see `features.after_scan_probe`).
AFTER_SCAN: list[str] = []
