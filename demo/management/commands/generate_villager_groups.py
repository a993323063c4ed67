from django.core.management.base import BaseCommand

from demo.management.arguments import add_seed
from demo.villager_groups import villager_groups_generate


class Command(BaseCommand):
    help = (
        "Generate villager groups (村民小组) for every village, for the demo: no official list "
        "exists. Deterministic for a seed; rerunning adds nothing."
    )

    def add_arguments(self, parser):
        add_seed(parser)

    def handle(self, *args, **options):
        created = villager_groups_generate(seed=options["seed"])
        self.stdout.write(self.style.SUCCESS(f"{created} villager groups created"))
