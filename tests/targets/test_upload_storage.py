"""Uploads through Django's storage API (portal.files, STORAGES['uploads']): a full disk refuses an upload
with a clear message and leaves nothing behind, and the whole life of an upload (stored, checked by the
task, applied, downloaded) works from an S3-compatible bucket with nothing written to MEDIA_ROOT."""

from __future__ import annotations

import errno
import json
from decimal import Decimal

import pytest
from django.core.files.storage import FileSystemStorage

from portal.files import NO_SPACE_MESSAGE, upload_storage
from targets import services
from targets.models import DataReturn, Observation
from tests.conftest import UPLOADS_BUCKET as BUCKET
from tests.conftest import signed_in
from tests.factories import csv_file

ROWS = [f"SV-1000,E08000025,2025-{m:02d}-01,2025-{m:02d}-28,1.{m},,,,," for m in (2,)]


class FullDiskStorage(FileSystemStorage):
    """The file system as it is when the disk fills up half way through a file: the part written stays
    (as Django's FileSystemStorage leaves it), then the write fails with ENOSPC."""

    def _save(self, name, content):
        path = self.path(name)
        import os

        os.makedirs(os.path.dirname(path), exist_ok=True)
        data = content.read()
        with open(path, "wb") as out:
            out.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")


def files_under(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_full_disk_refuses_the_upload_with_a_message_and_nothing_is_left_or_recorded(
    settings, tmp_path, police_officer, sv, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "uploads": {"BACKEND": f"{__name__}.FullDiskStorage"}}
    client = signed_in(police_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/data-returns/upload/", {"file": csv_file(*ROWS)})
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text and NO_SPACE_MESSAGE in text.replace("&#x27;", "'")
    assert not DataReturn.objects.exists()
    assert files_under(tmp_path) == []  # the half-written file was removed


def test_another_failure_of_the_disk_is_not_called_a_full_disk(settings, tmp_path, police, police_officer, sv):
    class Broken(FileSystemStorage):
        def _save(self, name, content):
            raise OSError(errno.EIO, "Input/output error")

    settings.MEDIA_ROOT = tmp_path
    storage = Broken()
    from django.core.files.storage import storages

    storages._storages["uploads"] = storage
    try:
        with pytest.raises(OSError, match="Input/output"):
            services.data_return_upload(partner=police, uploaded_file=csv_file(*ROWS), by=police_officer)
    finally:
        storages._storages.pop("uploads", None)
    assert not DataReturn.objects.exists()


def test_a_return_is_stored_checked_and_applied_from_a_bucket_with_nothing_on_the_local_disk(
    uploads_bucket, settings, police, police_officer, sv, django_capture_on_commit_callbacks
):
    client = signed_in(police_officer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/data-returns/upload/", {"file": csv_file(*ROWS)})
    data_return = DataReturn.objects.get()
    assert data_return.status == DataReturn.Status.VALID, data_return.errors
    keys = [item["Key"] for item in uploads_bucket.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"uploads/{data_return.file_path}"]
    assert not (settings.MEDIA_ROOT).exists() or files_under(settings.MEDIA_ROOT) == []
    client.post(f"/data-returns/{data_return.pk}/apply/")
    assert Observation.objects.get().value == Decimal("1.2000")
    assert type(upload_storage()).__name__ == "S3Storage"


def _settings_shown(env_extra: dict, code: str):
    import subprocess
    import sys

    from tests.portal.test_health_and_settings import ROOT, _env

    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_env(env_extra), capture_output=True, text=True, timeout=60
    )


def test_uploads_s3_bucket_configures_the_s3_storage_and_nothing_else_changes():
    shown = "import json, portal.settings as s; print(json.dumps(s.STORAGES['uploads']))"
    plain = _settings_shown({"DEBUG": ""}, shown)
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout) == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    bucket = _settings_shown(
        {"DEBUG": "", "UPLOADS_S3_BUCKET": "cjp-uploads", "UPLOADS_S3_ENDPOINT_URL": "http://minio:9000"}, shown
    )
    assert bucket.returncode == 0, bucket.stderr
    assert json.loads(bucket.stdout) == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "cjp-uploads",
            "location": "uploads",
            "endpoint_url": "http://minio:9000",
            "region_name": None,
            "access_key": None,
            "secret_key": None,
            "file_overwrite": False,
            "default_acl": None,
        },
    }


def test_a_bucket_without_the_s3_extra_installed_stops_a_production_start_with_a_message():
    from tests.portal.test_health_and_settings import PRODUCTION

    without_storages = (
        "import importlib.util\n"
        "real = importlib.util.find_spec\n"
        "importlib.util.find_spec = lambda name, package=None: None if name == 'storages' else real(name, package)\n"
        "import portal.settings\n"
    )
    result = _settings_shown({**PRODUCTION, "DEBUG": "0", "UPLOADS_S3_BUCKET": "cjp-uploads"}, without_storages)
    assert result.returncode != 0
    assert "UPLOADS_S3_BUCKET is set but the S3 storage is not installed" in result.stderr


def test_postgresql_connections_give_up_within_two_seconds_unless_told_otherwise():
    shown = "import json, portal.settings as s; print(json.dumps(s.DATABASES['default'].get('OPTIONS', {})))"
    from tests.portal.test_health_and_settings import PRODUCTION

    default = _settings_shown(PRODUCTION, shown)
    chosen = _settings_shown({**PRODUCTION, "DATABASE_CONNECT_TIMEOUT": "5"}, shown)
    assert default.returncode == 0 and chosen.returncode == 0, default.stderr + chosen.stderr
    assert json.loads(default.stdout.strip().splitlines()[-1])["connect_timeout"] == 2
    assert json.loads(chosen.stdout.strip().splitlines()[-1])["connect_timeout"] == 5
