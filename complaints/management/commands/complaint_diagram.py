"""The complaint state machine as a Mermaid `stateDiagram-v2`, generated from the transitions declared on Complaint.

python manage.py complaint_diagram                    # print the diagram
python manage.py complaint_diagram --check README.md  # exit 1 when the README's copy differs from the code
python manage.py complaint_diagram --write README.md  # replace the README's copy with the code's
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from complaints.models import MANAGE, Complaint, Status

START = "<!-- complaint-states:start -->"
END = "<!-- complaint-states:end -->"


def _edges() -> list[tuple[str, str, str]]:
    """(source, target, label) of every declared transition, in the order of the workflow."""
    order = {state: position for position, state in enumerate(Status.values)}
    edges = set()
    for transition in Complaint._meta.get_field("status").get_all_transitions(Complaint):
        label = transition.name + (" (managers)" if transition.permission == MANAGE else "")
        edges.add((str(transition.source), str(transition.target), label))
    return sorted(edges, key=lambda edge: (order.get(edge[0], len(order)), order.get(edge[1], len(order)), edge[2]))


def diagram() -> str:
    edges = _edges()
    sources = {source for source, _target, _label in edges}
    lines = ["stateDiagram-v2", f"    [*] --> {Complaint._meta.get_field('status').default}"]
    lines += [f"    {source} --> {target}: {label}" for source, target, label in edges]
    lines += [f"    {state} --> [*]" for state in Status.values if state not in sources]
    return "\n".join(lines) + "\n"


def readme_block() -> str:
    """What stands between (and including) the markers in the README."""
    return f"{START}\n```mermaid\n{diagram()}```\n{END}"


def _split(text: str, path: Path) -> tuple[str, str, str]:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise CommandError(
            f"{path} has no block between {START} and {END}: add the two markers where the diagram goes."
        )
    return text[:start], text[start : end + len(END)], text[end + len(END) :]


class Command(BaseCommand):
    help = "Print the complaint state machine as a Mermaid diagram, or check or rewrite the README's copy."

    def add_arguments(self, parser):
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--check", metavar="FILE", type=Path, help="fail when FILE's diagram differs from the code")
        mode.add_argument("--write", metavar="FILE", type=Path, help="replace FILE's diagram with the code's")

    def handle(self, *args, check: Path | None = None, write: Path | None = None, **options):
        if check is None and write is None:
            self.stdout.write(diagram(), ending="")
            return
        path = check or write
        text = path.read_text(encoding="utf-8")
        before, current, after = _split(text, path)
        wanted = readme_block()
        if current == wanted:
            self.stdout.write(f"{path}: the complaint diagram matches the code.")
            return
        if check is not None:
            raise CommandError(
                f"{path}: the complaint diagram differs from the transitions on Complaint. "
                f"Run: python manage.py complaint_diagram --write {path}"
            )
        path.write_text(before + wanted + after, encoding="utf-8")
        self.stdout.write(f"{path}: complaint diagram rewritten.")
