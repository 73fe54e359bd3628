"""core.clock: the wall clock unless a context overrides it (as_of), the local date in Asia/Shanghai."""

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core import clock

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_without_an_override_it_is_the_wall_clock():
    before = timezone.now()
    now = clock.now()
    assert before <= now <= timezone.now()
    assert clock.today() == timezone.localdate()
    assert not clock.overridden()


def test_as_of_overrides_now_and_today_in_the_operators_zone_and_restores_on_exit():
    moment = datetime(2025, 3, 1, 16, 30, tzinfo=UTC)  # 00:30 on 2 March in Shanghai
    with clock.as_of(moment):
        assert clock.now() == moment and clock.overridden()
        assert clock.today() == date(2025, 3, 2)
        inner = datetime(2024, 1, 1, 8, tzinfo=SHANGHAI)
        with clock.as_of(inner):
            assert clock.now() == inner and clock.today() == date(2024, 1, 1)
        assert clock.now() == moment
    assert not clock.overridden() and abs(clock.now() - timezone.now()) < timedelta(seconds=5)


def test_the_override_is_restored_after_an_error_and_is_local_to_its_context():
    moment = datetime(2025, 3, 1, 12, tzinfo=SHANGHAI)
    seen = {}
    with pytest.raises(RuntimeError), clock.as_of(moment):
        thread = threading.Thread(target=lambda: seen.update(other=clock.overridden()))
        thread.start()
        thread.join()
        raise RuntimeError
    assert seen == {"other": False}  # another thread (a request served meanwhile) reads the wall clock
    assert not clock.overridden()


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError), clock.as_of(datetime(2025, 3, 1, 12)):
        pass
