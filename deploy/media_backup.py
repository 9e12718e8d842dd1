"""Mirror the media bucket to a folder and back: `python deploy/media_backup.py backup|restore FOLDER`.

Reads the same CAC_S3_* environment as the CAC. A backup copies the objects the folder does not have yet (or has
with another size); files are never rewritten in place by the CAC (new uploads get new names), so this is
incremental. A restore uploads every file of the folder to the bucket."""

import os
import sys
from pathlib import Path

import boto3
from botocore.config import Config


def _client():
    return boto3.client(
        "s3",
        endpoint_url=os.environ.get("CAC_S3_ENDPOINT_URL") or None,
        aws_access_key_id=os.environ.get("CAC_S3_ACCESS_KEY_ID"),
        aws_secret_access_key=os.environ.get("CAC_S3_SECRET_ACCESS_KEY"),
        region_name=os.environ.get("CAC_S3_REGION") or None,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": os.environ.get("CAC_S3_ADDRESSING_STYLE", "path")},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        ),
    )


def backup(folder: Path) -> int:
    client, bucket, copied = _client(), os.environ["CAC_S3_BUCKET"], 0
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            target = folder / item["Key"]
            if target.exists() and target.stat().st_size == item["Size"]:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            client.download_file(bucket, item["Key"], str(target))
            copied += 1
    return copied


def restore(folder: Path) -> int:
    client, bucket, uploaded = _client(), os.environ["CAC_S3_BUCKET"], 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        client.upload_file(str(path), bucket, path.relative_to(folder).as_posix())
        uploaded += 1
    return uploaded


if __name__ == "__main__":
    action, folder = sys.argv[1], Path(sys.argv[2])
    count = {"backup": backup, "restore": restore}[action](folder)
    print(f"media: {action} of {count} files ({folder})")
