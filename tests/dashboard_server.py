"""Start ``sim dashboard`` on a free port as a user would, and stop it as a service manager does."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


@contextmanager
def dashboard(
    command: list[str], cwd: Path, env: dict | None = None
) -> Iterator[tuple[str, subprocess.Popen]]:
    """Run ``command --port P`` until it serves; yield its address and process.

    On leaving, the server gets SIGTERM and must be gone, port closed, within 30 s.
    """
    port = free_port()
    proc = subprocess.Popen(
        [*command, "--port", str(port)],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        assert url in proc.stdout.readline()
        deadline = time.time() + 120
        while not listening(port):
            assert proc.poll() is None, proc.stdout.read()
            assert time.time() < deadline, "the dashboard did not start"
            time.sleep(0.5)
        yield url, proc
        proc.terminate()  # SIGTERM
        proc.wait(timeout=30)
        assert not listening(port), "the server outlived SIGTERM"
    finally:
        if proc.poll() is None:
            proc.kill()
