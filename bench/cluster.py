"""A real Xapian cluster on 127.0.0.1: one `xapian-tcpsrv --writable` process per shard, each over an
empty database in a folder of its own, for the tests and the benches (Debian's `xapian-tools`).

    with Cluster(2, tmp_dir) as cluster:
        IndexStore(index_dir, backend="xapian", shards=cluster.addresses)
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

TCPSRV = "xapian-tcpsrv"


def available() -> str | None:
    """Why a cluster cannot be started here (None if it can)."""
    if shutil.which(TCPSRV) is None:
        return f"{TCPSRV} not found (apt-get install xapian-tools)"
    try:
        import xapian  # noqa: F401
    except ImportError:
        return "the xapian module is missing (pip install 'searchapp[xapian]')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, shards: int, root: Path):
        import xapian

        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.procs: list[subprocess.Popen | None] = []
        self.ports: list[int] = []
        try:
            for n in range(shards):
                path = self.root / f"shard-{n}"
                xapian.WritableDatabase(str(path), xapian.DB_CREATE_OR_OPEN).close()
                self.ports.append(_free_port())
                self.procs.append(None)
                self.start(n)
        except BaseException:
            self.stop()
            raise

    @property
    def addresses(self) -> list[str]:
        return [f"tcp://127.0.0.1:{port}" for port in self.ports]

    def start(self, n: int) -> None:
        """Start (or restart) shard ``n``'s server and wait until it accepts connections."""
        log = open(self.root / f"shard-{n}.log", "ab")
        self.procs[n] = subprocess.Popen(
            # --idle-timeout 0: a searcher pooled by the store may stay idle for long (0: never time out)
            [TCPSRV, "--interface", "127.0.0.1", "--port", str(self.ports[n]), "--idle-timeout", "0", "--writable",
             str(self.root / f"shard-{n}")], stdout=log, stderr=subprocess.STDOUT,
            # a session of its own: on SIGTERM the server signals its whole process group (its children
            # serving connections), which would otherwise include whoever started it
            start_new_session=True)
        log.close()
        deadline = time.monotonic() + 30
        while True:
            if self.procs[n].poll() is not None:
                raise RuntimeError(f"{TCPSRV} on port {self.ports[n]} exited: "
                                   f"{(self.root / f'shard-{n}.log').read_text()[-500:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.ports[n]), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{TCPSRV} on port {self.ports[n]} never listened")
                time.sleep(0.05)

    def kill(self, n: int) -> None:
        """Stop shard ``n``'s server (as a machine that went down)."""
        proc = self.procs[n]
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.procs[n] = None

    def stop(self) -> None:
        for n in range(len(self.procs)):
            self.kill(n)

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
