"""The servers a drill runs of its own: an SMTP sink that counts what it is given, and a private PostgreSQL
cluster (for the drill that restarts it)."""

from __future__ import annotations

import os
import re
import shutil
import socketserver
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tests.processes import free_port  # noqa: E402


# --- A local SMTP sink that counts what it is given ------------------------------------------------------
class _SmtpHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        sink: SmtpSink = self.server.sink  # type: ignore[attr-defined]
        self.reply("220 drill-sink ESMTP")
        rcpts: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().upper()
            if verb.startswith(("EHLO", "HELO")):
                self.reply("250 drill-sink")
            elif verb.startswith("MAIL FROM"):
                rcpts = []
                self.reply("250 OK")
            elif verb.startswith("RCPT TO"):
                rcpts.append(re.sub(r"^RCPT TO:\s*<?([^>]*)>?.*$", r"\1", line.decode().strip(), flags=re.I))
                self.reply("250 OK")
            elif verb == "DATA":
                if sink.delay:  # a slow mail service: the client waits here, before it has handed the message over
                    time.sleep(sink.delay)
                self.reply("354 go on")
                data = b""
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk
                if chunk == b"":
                    return  # cut before the end of the message: not received
                sink.received(rcpts, data)
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("250 OK")


class SmtpSink:
    """An SMTP server on loopback that accepts every message and remembers (recipient, subject)."""

    def __init__(self):
        self.messages: list[tuple[str, str]] = []
        self.delay = 0.0
        self._lock = threading.Lock()
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpHandler)
        self.server.daemon_threads = True
        self.server.sink = self  # type: ignore[attr-defined]
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self, rcpts: list[str], data: bytes) -> None:
        subject = str(make_header(decode_header(message_from_bytes(data).get("Subject", ""))))
        with self._lock:
            self.messages.extend((rcpt.lower(), subject) for rcpt in rcpts)

    def counts(self) -> Counter:
        with self._lock:
            return Counter(self.messages)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- A private PostgreSQL cluster (for the drill that restarts it) ------------------------------------------
class PrivatePostgres:
    """initdb into a scratch folder, run as the postgres OS user (initdb refuses root), trust auth."""

    BIN = Path(os.environ.get("DRILL_PG_BIN", "/usr/lib/postgresql/15/bin"))

    def __init__(self, scratch: Path):
        self.dir = scratch / "pg"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def _ctl(self, action: str, *extra: str) -> None:
        self._run(
            "pg_ctl", action, "-D", str(self.dir / "data"), "-w", "-t", "60", "-l", str(self.dir / "server.log"),
            "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", *extra,
        )  # fmt: skip

    def start(self) -> PrivatePostgres:
        self.dir.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            os.chmod(self.dir.parent, 0o755)
        self._run("initdb", "-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self._ctl("start")
        return self

    def stop(self, mode: str = "fast") -> None:
        self._ctl("stop", "-m", mode)

    def resume(self) -> None:
        self._ctl("start")

    def restart(self, mode: str = "fast") -> None:
        self._ctl("restart", "-m", mode)

    def close(self) -> None:
        if (self.dir / "data" / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-D", str(self.dir / "data"), "-m", "immediate", check=False)
