"""Drill: the disk for uploads is full (a small filesystem mounted as MEDIA_ROOT) while an officer uploads.

Expected: the upload is refused with a clear message on the upload page (not an error page), nothing
half-written is left in the uploads folder, no data return is recorded; the other pages keep working; and
once there is room again the same officer's upload is stored, recorded and checked.

    sudo .venv/bin/python scripts/ops/drills/disk_full.py     # needs root to mount the small filesystem

The filesystem is a tmpfs of 2 MiB mounted on the drill's own uploads folder (unmounted at the end); a
filler file leaves less room than the upload needs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Report, Stack, say, wait_for  # noqa: E402

MESSAGE = "the portal has run out of space for uploads"
OFFICER = "police.officer"


def files_in(folder: Path, *, besides: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file() and p != besides)


def big_return(template: str, size: int) -> bytes:
    """A return of at least `size` bytes: the template's first row again and again (it is never checked:
    it is refused before, or checked once there is room, when its repeats are errors a report lists)."""
    lines = template.strip().splitlines()
    header = lines[0]
    row = lines[1]
    body = [header]
    while sum(len(line) + 1 for line in body) < size:
        body.append(row)
    return ("\n".join(body) + "\n").encode()


def main() -> int:
    if os.geteuid() != 0:
        print("The disk-full drill mounts a small filesystem: run it as root (sudo).", file=sys.stderr)
        return 2
    report = Report("disk_full")
    stack = Stack("disk_full")
    media = stack.scratch / "media"
    mounted = False
    try:
        stack.prepare()
        media.mkdir(parents=True, exist_ok=True)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs", str(media)], check=True)
        mounted = True
        stack.start_all()
        officer = stack.client(OFFICER)
        template = officer.get("/data-returns/template.csv").text
        upload = big_return(template, 600_000)
        filler = media / "filler.bin"
        free = os.statvfs(media).f_bavail * os.statvfs(media).f_frsize
        filler.write_bytes(b"\0" * (free - 200_000))  # 200 kB left: less than the upload needs
        left = os.statvfs(media).f_bavail * os.statvfs(media).f_frsize
        say(f"uploads folder: a 2 MiB tmpfs, {left:,} bytes left; uploading {len(upload):,} bytes")
        returns_before = stack.value("SELECT count(*) FROM targets_datareturn")

        stack.phase = "full"
        started = time.perf_counter()
        answer = officer.form("/data-returns/upload/", {}, files={"file": ("april.csv", upload, "text/csv")})
        took = time.perf_counter() - started
        text = answer.text
        report.check(
            "The upload, with the disk full",
            "the upload page again (200) with an error summary saying the portal has run out of space",
            f"{answer.status_code} in {took:.2f} s; "
            f"{'message shown' if MESSAGE in text else 'no message'}"
            f"{'; error summary' if 'govuk-error-summary' in text else ''}",
            answer.status_code == 200 and MESSAGE in text and "govuk-error-summary" in text,
        )
        leftovers = files_in(media, besides=filler)
        report.check(
            "Files left in the uploads folder",
            "none (the half-written file removed)",
            leftovers or "none",
            not leftovers,
        )
        after = os.statvfs(media).f_bavail * os.statvfs(media).f_frsize
        report.check(
            "Room left on the disk afterwards", f"{left:,} bytes, as before", f"{after:,} bytes", after == left
        )
        returns_after = stack.value("SELECT count(*) FROM targets_datareturn")
        report.check(
            "Data returns recorded", f"{returns_before} (none new)", returns_after, returns_after == returns_before
        )
        pages = {path: officer.get(path).status_code for path in ("/", "/data-returns/", "/plans/")}
        report.check("Other pages with the disk full", "200 each", pages, all(s == 200 for s in pages.values()))

        stack.phase = "room"
        filler.unlink()
        again = officer.form("/data-returns/upload/", {}, files={"file": ("april.csv", upload, "text/csv")})
        found = re.search(r"/data-returns/(\d+)/", again.headers.get("Location", ""))
        stored = files_in(media, besides=filler)
        checked = None
        if found:
            number = int(found.group(1))
            checked = wait_for(
                "the return's checks",
                lambda: (
                    stack.value("SELECT status FROM targets_datareturn WHERE id = %s", [number]) in ("valid", "invalid")
                ),
                timeout=60,
            )
        report.check(
            "The same upload once there is room",
            "302 to the new return; its file stored; checked by the worker",
            f"{again.status_code}; {len(stored)} file(s) stored; {'checked' if checked else 'not checked'}",
            again.status_code == 302 and found is not None and len(stored) == 1 and bool(checked),
        )
    finally:
        if mounted:
            stack_close_then_unmount(stack, media)
        else:
            stack.close()
    return report.finish()


def stack_close_then_unmount(stack: Stack, media: Path) -> None:
    """Stop everything, unmount the small filesystem, then remove the drill's folder."""
    keep = os.environ.get("DRILL_KEEP")
    os.environ["DRILL_KEEP"] = "1"  # stack.close() must not remove the folder while the tmpfs is mounted
    try:
        stack.close()
    finally:
        subprocess.run(["umount", str(media)], check=False)
        if keep is None:
            os.environ.pop("DRILL_KEEP", None)
            shutil.rmtree(stack.scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
