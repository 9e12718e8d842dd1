"""Uploads are what they claim (cac/security/uploads.py): real small files of every accepted type pass, the same names on a
program, a page, PHP or a script are refused with a field error in the user's language, and names are made safe —
in the check itself and on every upload field (call recordings, complaint evidence, the DMS import)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from cac.desk import services as cac_services
from cac.models import CallLog
from cac.security.uploads import AUDIO, CSV, DOCUMENTS, HEAD_BYTES, IMAGES, TEXT, safe_name, upload_check
from complaints.models import Attachment
from tests import uploads as made
from tests.cac.desk.test_views import call_data
from tests.cac.factories import CustomerFactory
from tests.complaints.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

ACCEPTED = [
    (AUDIO, "call.mp3", made.mp3(), "audio/mpeg"),
    (AUDIO, "call.mp3", made.mp3(id3=True), "audio/mpeg"),
    (AUDIO, "call.wav", made.wav(), "audio/x-wav"),
    (AUDIO, "call.m4a", made.m4a(), "audio/mp4"),
    (AUDIO, "call.m4a", made.m4a(brand=b"isom"), "video/mp4"),
    (AUDIO, "call.amr", made.amr(), "audio/amr"),
    (AUDIO, "CALL.OGG", made.ogg(), "audio/ogg"),
    (IMAGES, "车损.jpg", made.jpeg(), "image/jpeg"),
    (IMAGES, "car.jpeg", made.jpeg(), "image/jpeg"),
    (IMAGES, "car.PNG", made.png(), "image/png"),
    (IMAGES, "dash.heic", made.heic(), "image/heic"),
    (IMAGES, "car.webp", made.webp(), "image/webp"),
    (DOCUMENTS, "投诉信.pdf", made.pdf(), "application/pdf"),
    (DOCUMENTS, "letter.docx", made.docx(), DOCX),
    (DOCUMENTS, "letter.txt", made.txt(), TEXT),
    (DOCUMENTS, "letter.txt", made.txt("gb18030"), TEXT),
    (DOCUMENTS, "fax.png", made.png(), "image/png"),
    (DOCUMENTS, "fax.jpg", made.jpeg(), "image/jpeg"),
    (CSV, "deliveries.csv", made.csv(), TEXT),
    (CSV, "deliveries.csv", made.csv("gb18030"), TEXT),
    # Longer than what is read: a character cut at the end of the head is no reason to refuse.
    (CSV, "deliveries.csv", ("客户" * HEAD_BYTES).encode("utf-8"), TEXT),
]


@pytest.mark.parametrize(("types", "name", "content", "detected"), ACCEPTED)
def test_real_files_of_every_accepted_type_pass(types, name, content, detected):
    checked = upload_check(made.upload(name, content), types=types, max_bytes=MB)
    assert checked.content_type == detected
    assert checked.name == safe_name(name, extension=checked.extension)


def _every_accepted_name():
    for label, types in (("audio", AUDIO), ("images", IMAGES), ("documents", DOCUMENTS), ("csv", CSV)):
        for extension in types.extensions:
            yield label, types, extension


@pytest.mark.parametrize("fake", sorted(made.FAKES))
@pytest.mark.parametrize(("label", "types", "extension"), list(_every_accepted_name()))
def test_a_program_page_or_script_is_refused_under_every_accepted_name(label, types, extension, fake):
    with pytest.raises(ValidationError) as refused:
        upload_check(made.upload(f"evidence{extension}", made.FAKES[fake]), types=types, max_bytes=MB)
    assert refused.value.code == "file_content"


@pytest.mark.parametrize(
    ("types", "name", "content"),
    [
        (AUDIO, "call.mp3", made.png()),  # a real file of another accepted type
        (AUDIO, "call.wav", made.mp3()),
        (IMAGES, "car.png", made.jpeg()),
        (IMAGES, "car.jpg", made.pdf()),
        (DOCUMENTS, "letter.pdf", made.docx()),
        (DOCUMENTS, "letter.docx", made.FAKES["zip"]),  # an archive is not a Word document
        (DOCUMENTS, "letter.txt", made.png()),
        (DOCUMENTS, "letter.txt", b"\xff\xfe\x00\x00binary\x00"),
        (DOCUMENTS, "letter.txt", b"   <iframe src=//evil>"),
        (DOCUMENTS, "letter.txt", "客户来信 <script>alert(1)</script>".encode()),
        (DOCUMENTS, "letter.txt", b"<?= `id` ?>"),
        (CSV, "deliveries.csv", b"mobile\n<?php echo 1; ?>\n"),
        (CSV, "deliveries.csv", made.FAKES["script"]),
    ],
)
def test_content_of_another_kind_is_refused(types, name, content):
    with pytest.raises(ValidationError) as refused:
        upload_check(made.upload(name, content), types=types, max_bytes=MB)
    assert refused.value.code == "file_content"


@pytest.mark.parametrize(
    ("name", "code"),
    [("call.exe", "file_type"), ("call.mp3.exe", "file_type"), ("call", "file_type")],
)
def test_a_name_that_is_not_accepted_is_refused_whatever_the_content(name, code):
    with pytest.raises(ValidationError) as refused:
        upload_check(made.upload(name, made.mp3()), types=AUDIO, max_bytes=MB)
    assert refused.value.code == code


def test_the_size_limit_and_an_empty_file():
    content = made.png()
    assert upload_check(made.upload("car.png", content), types=IMAGES, max_bytes=len(content))
    with pytest.raises(ValidationError) as refused:
        upload_check(made.upload("car.png", content), types=IMAGES, max_bytes=len(content) - 1)
    assert refused.value.code == "file_size"
    with pytest.raises(ValidationError) as refused:
        upload_check(made.upload("car.png", b""), types=IMAGES, max_bytes=MB)
    assert refused.value.code == "file_empty"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.png", "passwd.png"),
        ("..\\..\\windows\\system32\\car.png", "car.png"),
        ("evil.php.png", "evil_php.png"),
        ("evil.php\x00.png", "evil_php.png"),
        ("photo\u202egnp.exe.png", "photognp_exe.png"),  # a right-to-left override that shows "photoexe.png"
        ("车损 左前门.PNG", "车损 左前门.png"),
        ("....png", "file.png"),
        (" .png", "file.png"),
        ("a" * 300 + ".png", "a" * 96 + ".png"),
        ("<img src=x onerror=alert(1)>.png", "img src_x onerror_alert_1.png"),
    ],
)
def test_names_are_made_safe(name, safe):
    assert safe_name(name, extension=".png") == safe


@pytest.mark.parametrize(
    ("name", "safe"),
    [("evil.php\x00.png", "evil_php.png"), ("C:\\Users\\王\\evil.php.png", "evil_php.png"), ("x.PNG", "x.png")],
)
def test_the_check_gives_the_upload_its_safe_name(name, safe):
    upload = made.upload("car.png", made.png())
    upload.name = name  # what a service caller may pass (UploadedFile itself only drops the folders of "/")
    assert upload_check(upload, types=IMAGES, max_bytes=MB).name == safe
    assert upload.name == safe


def test_the_refusal_is_in_the_users_language():
    for language, content, name, words in [
        ("en", made.FAKES["html"], "car.png", "The content of this file is not .png"),
        ("zh-hans", made.FAKES["html"], "car.png", "此文件的内容不是 .png 格式"),
        ("en", made.png(), "car.exe", "This file must be one of: .heic, .jpeg, .jpg, .png, .webp."),
        ("zh-hans", made.png(), "car.exe", "文件必须是以下类型之一：.heic, .jpeg, .jpg, .png, .webp。"),
    ]:
        with translation.override(language):
            with pytest.raises(ValidationError) as refused:
                upload_check(made.upload(name, content), types=IMAGES, max_bytes=MB)
            assert words in refused.value.messages[0]


# --- Every upload field uses the check ------------------------------------------------------------------------------


@pytest.fixture
def customer(dealer):
    return CustomerFactory(dealer=dealer, name="陈静")


def _stored(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.mark.parametrize("fake", ["exe", "html", "php", "script"])
def test_a_renamed_fake_recording_is_a_field_error_in_chinese_and_nothing_is_written(
    agent_client, customer, media_root, fake
):
    response = agent_client.post(
        reverse("customer_call_create", args=[customer.pk]),
        {**call_data(), "recording": made.upload("通话.mp3", made.FAKES[fake], "audio/mpeg")},
    )
    assert response.status_code == 200
    assert "此文件的内容不是 .mp3" in str(response.context["call_form"].errors["recording"])
    assert not CallLog.objects.exists()
    assert _stored(media_root) == []


def test_the_call_service_checks_a_recording_too(agent, dealer, customer, media_root):
    with pytest.raises(ValidationError) as refused:
        cac_services.call_log(
            dealer=dealer,
            acting_user=agent,
            phone=customer.mobile,
            started_at=timezone.now(),
            customer=customer,
            summary="导入的通话",
            recording=made.upload("call.mp3", made.FAKES["exe"]),
        )
    assert set(refused.value.message_dict) == {"recording"}
    assert not CallLog.objects.exists()


def test_a_recording_is_stored_under_its_safe_name(agent_client, customer, media_root):
    recording = made.upload("x.mp3", made.mp3(), "audio/mpeg")
    recording.name = "../../etc/evil.php.mp3"
    response = agent_client.post(
        reverse("customer_call_create", args=[customer.pk]), {**call_data(), "recording": recording}
    )
    assert response.status_code == 302
    name = CallLog.objects.get().recording.name
    assert name.startswith("recordings/") and name.endswith("/evil_php.mp3")
    assert ".." not in name


@pytest.fixture
def complaint(customer):
    return ComplaintFactory(customer=customer)


@pytest.mark.parametrize(
    ("kind", "name", "fake"),
    [
        ("photo", "车损.jpg", "exe"),
        ("photo", "evil.php.jpg", "php"),
        ("photo", "car.png", "svg"),
        ("document", "letter.pdf", "html"),
        ("document", "letter.txt", "html"),
        ("document", "letter.docx", "zip"),
        ("recording", "call.wav", "elf"),
    ],
)
def test_renamed_fake_evidence_is_a_field_error_and_nothing_is_written(
    agent_client, complaint, media_root, kind, name, fake
):
    response = agent_client.post(
        reverse("complaints:attachment_add", args=[complaint.pk]),
        {"attachment-kind": kind, "attachment-file": made.upload(name, made.FAKES[fake], "image/jpeg")},
    )
    assert response.status_code == 200
    assert "此文件的内容不是" in str(response.context["attachment_form"].errors["file"])
    assert not Attachment.objects.exists()
    assert _stored(media_root) == []


@pytest.mark.parametrize(
    ("name", "stored"),
    [("../../etc/passwd.png", "passwd.png"), ("evil.php.png", "evil_php.png"), ("evil.php\x00.png", "evil_php.png")],
)
def test_evidence_is_kept_under_its_safe_name_with_its_detected_type(agent_client, complaint, media_root, name, stored):
    photo = made.upload("x.png", made.png(), "text/html")  # the browser's claim is not believed
    photo.name = name
    response = agent_client.post(
        reverse("complaints:attachment_add", args=[complaint.pk]),
        {"attachment-kind": "photo", "attachment-file": photo},
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.content_type) == (stored, "image/png")
    assert attachment.file.name == f"complaints/{complaint.dealer_id}/{complaint.pk}/{stored}"
    assert _stored(media_root) == [attachment.file.name]


@pytest.mark.parametrize("fake", ["exe", "html", "script"])
def test_a_renamed_fake_import_is_a_field_error(agent_client, dealer, fake):
    response = agent_client.post(
        reverse("events:import"),
        {"dealer": dealer.pk, "kind": "deliveries", "file": made.upload("deliveries.csv", made.FAKES[fake])},
    )
    assert response.status_code == 200
    assert "此文件的内容不是 .csv" in str(response.context["form"].errors["file"])
