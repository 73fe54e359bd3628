"""An open-loop HTTP/1.1 load generator on asyncio: each request is sent at its planned time whatever the
answers before it (a late server does not slow the generator down, so its queueing shows in the latency).

Written by hand because the load commands need per-request bodies and headers (a new Idempotency-Key each
time) at a fixed rate for a bounded run on loopback, with little CPU: on a 2-core machine the generator
shares the cores with the server, and a thread per request with `requests` cost the server a third of its
capacity. Keep-alive connections are reused from a pool and opened as needed; responses are read by
Content-Length (the app always sends it).
"""

import asyncio
import gc
import json
import time
from dataclasses import dataclass


@dataclass
class Planned:
    at: float  # seconds after the start
    method: str
    path: str
    headers: dict
    body: bytes = b""
    tag: object = None  # the caller's own data, handed back with the result


@dataclass
class Result:
    planned: Planned
    status: int  # 0: the connection failed
    headers: dict
    body: bytes
    latency: float  # seconds from send to the full answer
    lag: float  # seconds the send started after its planned time


class _Connection:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    async def call(self, host: str, p: Planned) -> tuple[int, dict, bytes, bool]:
        """(status, headers, body, whether the connection can be reused)."""
        head = [f"{p.method} {p.path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(p.body)}"]
        head += [f"{k}: {v}" for k, v in p.headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + p.body)
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("closed by the server")
        status = int(status_line.split()[1])
        headers = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = await self.reader.readexactly(int(headers.get("content-length", 0)))
        reusable = headers.get("connection", "").lower() != "close"
        if not reusable:
            self.writer.close()
        return status, headers, body, reusable


async def _run(host: str, port: int, plan: list[Planned], max_connections: int) -> list[Result]:
    idle: list[_Connection] = []
    slots = asyncio.Semaphore(max_connections)
    start = time.monotonic()

    async def one(p: Planned) -> Result:
        await asyncio.sleep(max(0.0, start + p.at - time.monotonic()))
        sent = time.monotonic()
        async with slots:
            status, headers, body = 0, {}, b""
            for attempt in range(2):  # a kept-alive connection the server has since closed: once more, fresh
                conn = idle.pop() if idle and attempt == 0 else None
                try:
                    if conn is None:
                        conn = _Connection(*await asyncio.open_connection(host, port))
                    status, headers, body, reusable = await conn.call(f"{host}:{port}", p)
                    if reusable:
                        idle.append(conn)
                    break
                except (OSError, ConnectionError, ValueError, asyncio.IncompleteReadError):
                    if conn is not None:
                        conn.writer.close()
        return Result(p, status, headers, body, time.monotonic() - sent, sent - (start + p.at))

    return await asyncio.gather(*(one(p) for p in plan))


def run_plan(plan: list[Planned], *, host: str = "127.0.0.1", port: int, max_connections: int = 256) -> list[Result]:
    """Send every planned request at its time; results in the order of their planned times."""
    gc.collect()
    gc.disable()  # a full collection over the plan's objects pauses the loop for tens of ms: it would show as latency
    try:
        return asyncio.run(_run(host, port, sorted(plan, key=lambda p: p.at), max_connections))
    finally:
        gc.enable()


def json_body(data) -> bytes:
    return json.dumps(data).encode()
