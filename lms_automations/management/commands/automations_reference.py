"""Write the catalogue reference (Markdown) from the installed catalogue into a folder."""
import pathlib

from django.core.management.base import BaseCommand

from ...catalogue.reference import render_reference


class Command(BaseCommand):
    help = "Write the reference of event types, conditions, operators, actions and waits as Markdown files."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="where to write the pages, e.g. docs/reference")
        parser.add_argument("--builtin-only", action="store_true",
                            help="leave out entries of other installed packages (the repository's own pages)")

    def handle(self, *args, folder, builtin_only, **options):
        target = pathlib.Path(folder)
        target.mkdir(parents=True, exist_ok=True)
        for name, text in render_reference(builtin_only=builtin_only).items():
            (target / name).write_text(text, encoding="utf-8")
            self.stdout.write(f"wrote {target / name}")
