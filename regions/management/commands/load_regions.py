from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from regions.loader import DEFAULT_CSV, RegionDataError, regions_load_csv


class Command(BaseCommand):
    help = (
        "Load administrative divisions from a CSV (code,name,level,parent_code,urban_rural_code). "
        "All rows are checked first; one bad row loads nothing. Default: the real Wulong divisions."
    )

    def add_arguments(self, parser):
        parser.add_argument("csv", nargs="?", default=str(DEFAULT_CSV), help="path to the CSV file")

    def handle(self, *args, **options):
        path = Path(options["csv"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"{path}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path}: not UTF-8 text") from None
        try:
            result = regions_load_csv(text=text)
        except RegionDataError as exc:
            raise CommandError(f"{path}: {exc}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged"
            )
        )
