"""Two worker hosts (network namespaces) share a base rating run; one is cut off mid-run and the other redoes its
chunk: each chunk done once (manage.py drill_scale_out; needs root and `ip netns`, as on CI)."""

import os
import shutil
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("ip") is None,
                                reason="the drill makes network namespaces: root and iproute2")


def test_a_worker_host_cut_off_mid_run_has_its_chunk_redone_by_the_other_host_once():
    out = StringIO()
    call_command("drill_scale_out", stdout=out)  # raises CommandError when a check fails
    report = out.getvalue()
    assert "drill passed" in report
    assert "customers rated twice: 0; eligible not rated: 0" in report
    assert "done by batch@w2" in report
