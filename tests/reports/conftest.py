import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import missing
from tests.reports.fixtures import build_month


@pytest.fixture
def march(dealer, other_dealer, make_user):
    handler = make_user("agent", dealer, username="handler", first_name="芳", last_name="王")
    return build_month(dealer=dealer, other_dealer=other_dealer, handler=handler)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing(f"{name} not found: apt-get install poppler-utils", flag="REQUIRE_SERVICES")
    return path


@pytest.fixture
def pdf_text():
    """The text of a PDF, as pdftotext reads it (layout kept, so that a table row stays on one line)."""
    tool = _tool("pdftotext")

    def read(path: Path) -> str:
        return subprocess.run([tool, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout

    return read


@pytest.fixture
def pdf_to_png():
    tool = _tool("pdftoppm")

    def render(path: Path, *, page: int, out_prefix: Path, dpi: int = 80) -> Path:
        subprocess.run(
            [tool, "-png", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(path), str(out_prefix)],
            check=True,
        )
        return out_prefix.with_suffix(".png")

    return render
