"""Uploaded files in an S3-compatible bucket, so that every web server and worker reads the same files: MinIO in
docker-compose, and in production Alibaba Cloud OSS or Tencent COS through their S3-compatible endpoints (or AWS S3).

The bucket is private: nothing is served from it by URL. The views that check who may read a file stream it
(cac/platform/media.py)."""

from botocore.config import Config


def s3_storage(
    *,
    bucket: str,
    endpoint_url: str,
    access_key: str,
    secret_key: str,
    region: str,
    addressing_style: str,
    location: str = "",
) -> dict:
    """The STORAGES entry of django-storages' S3 backend.

    `addressing_style`: "path" for MinIO and SeaweedFS (http://host/bucket/key); "virtual" for OSS and COS, which
    accept only bucket.host. Checksums are sent only where the S3 API requires them: OSS, COS and older MinIO reject
    the trailing checksums that recent SDKs add to every upload by default."""
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "access_key": access_key,
            "secret_key": secret_key,
            "region_name": region or None,
            "location": location,
            "default_acl": None,  # the bucket's own policy: private
            "querystring_auth": True,
            "file_overwrite": False,  # a second upload of "recording.mp3" gets a name of its own, as on disk
            "client_config": Config(
                signature_version="s3v4",
                s3={"addressing_style": addressing_style},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                retries={"max_attempts": 3, "mode": "standard"},
                connect_timeout=5,
                read_timeout=60,
            ),
        },
    }
