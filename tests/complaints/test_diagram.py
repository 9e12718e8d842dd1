"""The README's diagram of the complaint workflow is generated from the code and must stay equal to it."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from complaints.management.commands.complaint_diagram import END, START, diagram, readme_block
from complaints.models import Complaint

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def test_the_readme_diagram_is_the_one_the_code_declares():
    try:
        call_command("complaint_diagram", "--check", str(README), stdout=StringIO())
    except CommandError as exc:
        pytest.fail(
            f"{exc}\nThe README's complaint diagram is stale: python manage.py complaint_diagram --write README.md"
        )


def test_the_diagram_draws_every_transition_the_model_declares():
    lines = diagram().splitlines()
    assert lines[0] == "stateDiagram-v2"
    assert "    [*] --> new" in lines
    for transition in Complaint._meta.get_field("status").get_all_transitions(Complaint):
        assert any(
            line.startswith(f"    {transition.source} --> {transition.target}: {transition.name}") for line in lines
        )
    assert "    closed --> [*]" in lines
    assert "    cancelled --> [*]" in lines
    assert "    resolved --> [*]" not in lines
    assert "    resolved --> closed: close_by_manager (managers)" in lines
    assert len(lines) == len(set(lines))


def test_printing_gives_the_diagram():
    out = StringIO()
    call_command("complaint_diagram", stdout=out)
    assert out.getvalue() == diagram()


@pytest.fixture
def stale_readme(tmp_path):
    path = tmp_path / "README.md"
    drawn = readme_block().replace("    reopened --> investigating: investigate\n", "")
    path.write_text(f"# CAC\n\nbefore\n\n{drawn}\n\nafter\n", encoding="utf-8")
    return path


def test_check_fails_when_the_readme_differs(stale_readme):
    with pytest.raises(CommandError, match="differs"):
        call_command("complaint_diagram", "--check", str(stale_readme), stdout=StringIO())


def test_check_fails_without_the_markers(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("# CAC\n", encoding="utf-8")
    for mode in ("--check", "--write"):
        with pytest.raises(CommandError, match="complaint-states:start"):
            call_command("complaint_diagram", mode, str(path), stdout=StringIO())
    assert path.read_text(encoding="utf-8") == "# CAC\n"


def test_write_replaces_the_block_and_nothing_else(stale_readme):
    call_command("complaint_diagram", "--write", str(stale_readme), stdout=StringIO())

    assert stale_readme.read_text(encoding="utf-8") == f"# CAC\n\nbefore\n\n{readme_block()}\n\nafter\n"
    call_command("complaint_diagram", "--check", str(stale_readme), stdout=StringIO())
    assert readme_block().startswith(f"{START}\n```mermaid\nstateDiagram-v2\n")
    assert readme_block().endswith(f"```\n{END}")


def test_the_command_exits_non_zero_on_a_stale_readme(stale_readme):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cac.settings_test"}
    stale = subprocess.run(
        [sys.executable, "manage.py", "complaint_diagram", "--check", str(stale_readme)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert stale.returncode != 0
    assert "--write" in stale.stderr
