from django.core.management.base import BaseCommand

from demo.management.arguments import add_seed, add_today
from demo.volunteers import volunteers_generate


class Command(BaseCommand):
    help = (
        "Generate the demo volunteers, teams, elders' associations, mutual-aid groups, "
        "elderly-care assistants and 结对扶老 pairings (since 2021 with the plan's ramp-up, "
        "with gaps) and a time bank (claims, redemptions, donations) on the loaded regions and "
        "seniors. Deterministic for a seed; one transaction; when volunteers are already "
        "there, nothing is added. Run create_demo_accounts and generate_population first."
    )

    def add_arguments(self, parser):
        add_seed(parser)
        add_today(parser)

    def handle(self, *args, **options):
        created = volunteers_generate(seed=options["seed"], today=options["today"])
        if not created:
            self.stdout.write("The demo volunteers are already there: nothing added.")
            return
        for label, n in sorted(created.items()):
            self.stdout.write(f"  {label:<14} {n:>7,}")
        self.stdout.write(self.style.SUCCESS("Done."))
