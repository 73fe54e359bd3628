"""Child processes of benches, drills and tests (workers, servers): stopped together, killed if they hang."""

import subprocess


def stop_processes(procs, timeout: float = 60):
    """SIGTERM all (a worker finishes its chunk), then wait; SIGKILL whichever is still there after `timeout`."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
