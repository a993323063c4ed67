import time

from django.core.management.base import BaseCommand, CommandError

from demo.management.arguments import add_seed
from demo.population import (
    DEFAULT_SIZE,
    FULL_SIZE,
    PopulationError,
    population_generate,
)
from seniors.models import Status

CATEGORY_LABELS = {
    "extreme_poverty_centralised": "特困·集中供养 extreme poverty, centralised",
    "extreme_poverty_dispersed": "特困·分散供养 extreme poverty, at home",
    "subsistence_allowance": "低保 subsistence allowance",
    "low_income": "低收入 low income",
    "family_planning_special": "计划生育特殊家庭 family-planning special",
    "disability_certificate": "残疾 disability certificate",
    "high_age": "高龄 80+ today",
    "alone": "独居 living alone",
    "left_behind": "留守 left behind",
    "with_family": "with family",
    "disabled": "失能 moderately/severely dependent",
    "wants_centralised_care": "wants centralised care",
    "wants_day_care": "wants day care",
    "family_doctor": "家庭医生 family-doctor contract",
    "wristband": "安全手环 safety wristband",
    "family_care_bed": "家庭养老床位 family care bed",
    "home_adaptation": "适老化改造 home adaptation",
}


class Command(BaseCommand):
    help = (
        "Generate the demo population: seniors in the loaded villages with their categories, "
        "ability assessments and visits since the ledger started (2021-05-25), deterministic "
        f"for a seed. Default size {DEFAULT_SIZE:,}: a tenth of Wulong's rural population aged "
        "60+, estimated at about 50,000 (about 35.6万 residents in the 2020 census, about "
        "23.5 % of them 60+, about 60 % of those outside the main urban area); --full for "
        f"{FULL_SIZE:,}. The size counts everyone the ledger has held since 2021-05, the dead "
        "and those who moved away included. One transaction. People whose ID number is "
        "already in the ledger are left out; when that is half of them or more (this seed's "
        "population is there), nothing is added."
    )

    def add_arguments(self, parser):
        add_seed(parser)
        size = parser.add_mutually_exclusive_group()
        size.add_argument("--size", type=int, help=f"number of people (default {DEFAULT_SIZE:,})")
        size.add_argument(
            "--full",
            action="store_true",
            help=f"the full estimated size, {FULL_SIZE:,} people",
        )

    def handle(self, *args, **options):
        size = FULL_SIZE if options["full"] else options["size"]
        if size is not None and size < 1:
            raise CommandError("--size must be at least 1.")
        seed = options["seed"]
        started = time.perf_counter()
        try:
            result = population_generate(seed=seed, size=size)
        except PopulationError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        if not result.seniors:
            self.stdout.write(
                f"The population of seed {seed} is already in the ledger "
                f"({result.already_present:,} of its {result.size:,} people found): "
                f"nothing added ({elapsed:.1f} s). Use another --seed for more people."
            )
            return
        out = self.stdout.write
        statuses = ", ".join(
            f"{Status(s).label.lower()} {result.by_status.get(s, 0):,}" for s in Status.values
        )
        out(f"Demo population, seed {seed}, as on {result.today}:")
        out(f"  seniors      {result.seniors:>8,}  ({statuses})")
        out(f"  assessments  {result.assessments:>8,}")
        out(f"  visits       {result.visits:>8,}")
        if result.already_present:
            out(
                f"  ({result.already_present:,} planned people were already in the ledger "
                "and were left out)"
            )
        out("  categories (of all the records):")
        for name, count in result.by_category.items():
            share = count / result.seniors * 100 if result.seniors else 0
            out(f"    {count:>8,}  {share:5.1f} %  {CATEGORY_LABELS[name]}")
        self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.1f} s."))
