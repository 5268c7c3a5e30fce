"""Real processes for the broker tests: a Redis of the test's own (on a free port, so stopping it
never touches the shared one), and the worker and beat started with the very commands that
docker-compose.yml gives them, under production settings (DEBUG=0)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisProcess:
    """redis-server on its own port, in the foreground of a child process (never daemonised)."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisProcess:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not _ping(self.port):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


def compose_command(service: str) -> list[str]:
    """The command docker-compose.yml runs for a service."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return list(compose["services"][service]["command"])


def production_env(*, redis_url: str, tmp: Path, **extra) -> dict[str, str]:
    """The environment of a worker or beat: production settings (DEBUG=0) on the test database."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise RuntimeError("the process tests need PostgreSQL (run them through .ci/run)")
    # NOTE: not the test settings this process runs under (pytest puts their name in the environment).
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "REDIS_URL": redis_url,
            "ALLOWED_HOSTS": "portal.example.org",
            "PORTAL_BASE_URL": "https://portal.example.org",
            # A production start needs a mail route; nothing listens there (no test here sends email).
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": "1",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "VAR_DIR": str(tmp / "var"),
            "AUDIT_CHECKPOINT_FILE": str(tmp / "audit-checkpoints.jsonl"),
            "PATH": f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}",
        }
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


class AppProcess:
    """A worker or beat, started as compose starts it; its output is kept in a file for the assertions."""

    def __init__(self, service: str, *, env: dict, tmp: Path):
        command = compose_command(service)
        if service == "beat":  # the schedule file is scratch state
            command = [
                str(tmp / "celerybeat-schedule") if part == "/tmp/celerybeat-schedule" else part for part in command
            ]
        if command[0] == "celery":
            command[0] = str(VENV_BIN / "celery")
        self.service, self.command, self.env = service, command, env
        self.log_path = tmp / f"{service}.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> AppProcess:
        log = open(self.log_path, "ab")
        # NOTE: its own process group, so that a kill reaches the worker's pool children too, as a
        # container kill does.
        self.proc = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        return self

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self, sig=signal.SIGKILL) -> None:
        """Signal the whole process group (the main process and its children)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(20)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
