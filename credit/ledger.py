"""The arrears ledger as credit sees it: a port that arrears plugs in at start-up (arrears/apps.py).

Credit grants move money (a balance transfer, a rebate paid or recovered), and the money lives in the arrears
ledger. Arrears sits above credit (it reads star policies, shared credit and the blacklist), so credit never
imports it: it calls through this port, like the customers_closed signal the other way up. The credit report's
emergency-continuity panel reads arrears' recovery rates through the same door (`emergency_recovery`)."""

from collections.abc import Callable
from decimal import Decimal
from typing import Protocol


class Ledger(Protocol):
    def line_balance_lock(self, *, line) -> Decimal: ...

    def balance_transfer_post(self, *, from_line, to_line, amount: Decimal, reference: str, by=None,
                              note: str = ""): ...

    def ledger_adjust(self, *, line, amount: Decimal, reference: str, note: str, by=None): ...


_ledger: Ledger | None = None


def ledger_register(implementation: Ledger) -> None:
    global _ledger
    _ledger = implementation


def ledger() -> Ledger:
    if _ledger is None:
        raise RuntimeError("no ledger registered: arrears is not installed (INSTALLED_APPS)")
    return _ledger


_recovery: Callable[..., dict] | None = None


def recovery_register(selector: Callable[..., dict]) -> None:
    """Arrears plugs in its emergency recovery read (arrears.selectors.emergency_recovery)."""
    global _recovery
    _recovery = selector


def emergency_recovery(*, user) -> dict:
    """{months: {passes, rate}}: the arrears recovered after emergency continuity, of the user's customers."""
    if _recovery is None:
        raise RuntimeError("no recovery read registered: arrears is not installed (INSTALLED_APPS)")
    return _recovery(user=user)
