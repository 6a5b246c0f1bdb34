"""A throwaway PostgreSQL for benchmarks: a private cluster in a temporary directory.

    with local_postgres(databases=("a", "b")) as urls:   # {"a": "postgresql+psycopg://…/a", …}
        ...

The same set-up as ``.ci/run`` (Debian's ``/usr/lib/postgresql/*/bin``; run as the
``postgres`` user when root, since ``initdb`` refuses root; loopback only, scram password;
stopped and deleted on exit). ``durable=False`` turns fsync off for data that is thrown away.
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"),
                   key=lambda p: [int(x) for x in Path(p).parent.name.split(".")
                                  if x.isdigit()])
    if not found or not Path(found[-1], "initdb").exists():
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql), or pass "
                         "--postgres-url")
    return Path(found[-1])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def local_postgres(*, databases: tuple[str, ...] = ("partyflow",),
                   durable: bool = True) -> Iterator[dict[str, str]]:
    """Start a private PostgreSQL with empty ``databases`` owned by the role ``partyflow``;
    yield each one's URL by name."""
    binary = _bin()
    root = Path(tempfile.mkdtemp(prefix="partyflow-bench-pg."))
    as_root = os.geteuid() == 0

    def run(*cmd: str) -> None:
        full = ["runuser", "-u", "postgres", "--", *cmd] if as_root else list(cmd)
        subprocess.run(full, check=True, cwd=root, stdout=subprocess.DEVNULL)

    password = secrets.token_hex(16)
    (root / "pw").write_text(password + "\n", encoding="utf-8")
    if as_root:
        shutil.chown(root, "postgres")
        shutil.chown(root / "pw", "postgres")
    port = _free_port()
    data = root / "data"
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c max_connections=200 " \
              "-c shared_buffers=512MB"
    if not durable:
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    try:
        run(str(binary / "initdb"), "-D", str(data), "-U", "postgres",
            "--auth=scram-sha-256", f"--pwfile={root / 'pw'}", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync")
        run(str(binary / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-t",
            "60", "-s", "start", "-o", options)
        env = {**os.environ, "PGPASSWORD": password}
        commands = [f"CREATE ROLE partyflow LOGIN PASSWORD '{password}'"] + [
            f"CREATE DATABASE {name} OWNER partyflow" for name in databases]
        subprocess.run([str(binary / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                        "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", "postgres",
                        *[arg for c in commands for arg in ("-c", c)]],
                       check=True, env=env, stdin=subprocess.DEVNULL)
        yield {name: f"postgresql+psycopg://partyflow:{password}@127.0.0.1:{port}/{name}"
               for name in databases}
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run((["runuser", "-u", "postgres", "--"] if as_root else [])
                           + [str(binary / "pg_ctl"), "-D", str(data), "-s", "-m",
                              "immediate", "stop"], cwd=root, check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)
