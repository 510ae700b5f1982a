"""A real Xapian cluster on 127.0.0.1: one `xapian-tcpsrv --writable` process per shard, each over an
empty database in a folder of its own, for the tests and the benches (Debian's `xapian-tools`).

    with Cluster(2, tmp_dir) as cluster:
        IndexStore(index_dir, backend="xapian", shards=cluster.addresses)
"""
from __future__ import annotations

import os
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


def _stop(proc: subprocess.Popen | None) -> None:
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Cluster:
    def __init__(self, shards: int, root: Path):
        import xapian

        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.procs: list[subprocess.Popen | None] = []
        self.ports: list[int] = []
        self.replicas: list[subprocess.Popen] = []  # read-only servers of replicas (replicate())
        self.replica_ports: dict[int, int] = {}
        self.replication: int | None = None  # xapian-replicate-server's port
        self.replication_proc: subprocess.Popen | None = None
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
        self.procs[n] = self._serve(self.root / f"shard-{n}", self.ports[n], writable=True)

    def _serve(self, path: Path, port: int, writable: bool) -> subprocess.Popen:
        log = open(path.with_name(path.name + ".log"), "ab")
        proc = subprocess.Popen(
            # --idle-timeout 0: a searcher pooled by the store may stay idle for long (0: never time out)
            [TCPSRV, "--interface", "127.0.0.1", "--port", str(port), "--idle-timeout", "0",
             *(["--writable"] if writable else []), str(path)], stdout=log, stderr=subprocess.STDOUT,
            # a session of its own: on SIGTERM the server signals its whole process group (its children
            # serving connections), which would otherwise include whoever started it
            start_new_session=True,
            # changesets, so that a replica is brought up to date with the changes, not a full copy
            env={**os.environ, "XAPIAN_MAX_CHANGESETS": "10"})
        log.close()
        self._wait(proc, port, TCPSRV)
        return proc

    @staticmethod
    def _wait(proc: subprocess.Popen, port: int, name: str) -> None:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} on port {port} exited (code {proc.returncode})")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    return
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} on port {port} never listened")
                time.sleep(0.05)

    def replicate(self, n: int) -> str:
        """A read replica of shard ``n``, as in production: `xapian-replicate-server` beside the masters
        (started once), `xapian-replicate` pulling shard ``n`` into ``replica-<n>`` (once here; in
        production it runs on, every --interval seconds), and a read-only `xapian-tcpsrv` serving the
        copy. Returns the shard's address with its replica (``master|replica``)."""
        if self.replication is None:
            self.replication = _free_port()
            self.replication_proc = subprocess.Popen(
                ["xapian-replicate-server", "--interface", "127.0.0.1", "--port", str(self.replication),
                 str(self.root)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            self._wait(self.replication_proc, self.replication, "xapian-replicate-server")
        subprocess.run(["xapian-replicate", "--host", "127.0.0.1", "--port", str(self.replication), "--master",
                        f"shard-{n}", "--one-shot", "--quiet", str(self.root / f"replica-{n}")], check=True,
                       timeout=120)
        port = self.replica_ports.get(n)
        if port is None:  # its server reads the copy as it is replaced: started once
            port = self.replica_ports[n] = _free_port()
            self.replicas.append(self._serve(self.root / f"replica-{n}", port, writable=False))
        return f"{self.addresses[n]}|tcp://127.0.0.1:{port}"

    def kill(self, n: int) -> None:
        """Stop shard ``n``'s server (as a machine that went down)."""
        _stop(self.procs[n])
        self.procs[n] = None

    def stop(self) -> None:
        for n in range(len(self.procs)):
            self.kill(n)
        for proc in [*self.replicas, self.replication_proc]:
            _stop(proc)

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
