"""Three hosts on one network, on this machine: Linux network namespaces made for a drill, removed after it.

`db` holds a bridge with the network's first address; each worker host (`w1`, `w2`) is joined to it by a veth pair.
The addresses exist only inside these namespaces: no traffic leaves them, and the machine's own network, loopback
included, is not reachable from inside (a worker host reaches the db host and nothing else).
"""

import secrets
import shutil
import subprocess
from dataclasses import dataclass, field


class NetnsUnavailable(RuntimeError):
    pass


def run(*args: str):
    subprocess.run(args, check=True, capture_output=True, text=True)


@dataclass
class DrillNetwork:
    tag: str = field(default_factory=lambda: secrets.token_hex(2))
    subnet: int = field(default_factory=lambda: 64 + secrets.randbelow(128))  # 10.199.<subnet>.0/24
    workers: tuple[str, ...] = ("w1", "w2")
    created: list[str] = field(default_factory=list)

    def ns(self, host: str) -> str:
        return f"crm{self.tag}{host}"

    def ip(self, host: str) -> str:
        return f"10.199.{self.subnet}.{1 if host == 'db' else 2 + self.workers.index(host)}"

    def link(self, host: str) -> str:
        """The worker host's interface (inside its namespace)."""
        return f"c{self.tag}{host}"

    def exec(self, host: str, argv: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.ns(host), *argv]

    @staticmethod
    def check():
        if shutil.which("ip") is None:
            raise NetnsUnavailable("the `ip` command (iproute2) is not installed")
        probe = f"crmprobe{secrets.token_hex(2)}"
        try:
            run("ip", "netns", "add", probe)
        except (subprocess.CalledProcessError, OSError) as exc:
            reason = getattr(exc, "stderr", None) or exc
            raise NetnsUnavailable(f"cannot create a network namespace (needs root): {reason}") from exc
        run("ip", "netns", "delete", probe)

    def create(self):
        bridge = f"c{self.tag}br"
        for host in ("db", *self.workers):
            run("ip", "netns", "add", self.ns(host))
            self.created.append(self.ns(host))
            run("ip", "-n", self.ns(host), "link", "set", "lo", "up")
        db = self.ns("db")
        run("ip", "-n", db, "link", "add", bridge, "type", "bridge")
        run("ip", "-n", db, "addr", "add", f"{self.ip('db')}/24", "dev", bridge)
        run("ip", "-n", db, "link", "set", bridge, "up")
        for host in self.workers:
            inside, peer = self.link(host), f"c{self.tag}p{host[-1]}"
            run("ip", "link", "add", inside, "netns", self.ns(host), "type", "veth", "peer", "name", peer, "netns", db)
            run("ip", "-n", db, "link", "set", peer, "master", bridge, "up")
            run("ip", "-n", self.ns(host), "addr", "add", f"{self.ip(host)}/24", "dev", inside)
            run("ip", "-n", self.ns(host), "link", "set", inside, "up")

    def cut(self, host: str):
        """The host drops off the network: its link goes down, no reset and no FIN reach the others."""
        run("ip", "-n", self.ns(host), "link", "set", self.link(host), "down")

    def delete(self):
        for name in reversed(self.created):
            subprocess.run(["ip", "netns", "delete", name], capture_output=True)
        self.created.clear()
