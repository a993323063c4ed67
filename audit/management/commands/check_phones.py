"""List the stored phone numbers that are not Chinese mobile or landline numbers (stored before
the check): model, id, region, the number masked, and why. A report: it changes nothing and
exits 0; the last line counts them."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from audit.phones import bad_phones


class Command(BaseCommand):
    help = "List the rows whose phone number is not a valid Chinese mobile or landline number."

    def handle(self, *args, **options):
        count = 0
        for bad in bad_phones():
            count += 1
            self.stdout.write(f"{bad.model}\t{bad.pk}\t{bad.region}\t{bad.masked}\t{bad.reason}")
        self.stdout.write(f"{count} invalid phone number(s).")
