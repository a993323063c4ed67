import time

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from demo import accounts as demo_accounts
from demo.facilities import CARE_CENTRES, FacilityDemoError, facilities_generate
from demo.management.arguments import add_seed, add_today
from facilities.models import Facility, Kind, Status
from facilities.services import facility_save

MODEL_LABELS = {
    "facility": "facilities",
    "bed": "beds",
    "upgradeproject": "upgrade projects",
    "projectfunding": "funding rows",
    "milestone": "milestones",
    "indicatorcheck": "basic-indicator checks",
    "placement": "placements",
    "staffmember": "staff",
    "certificate": "certificates",
    "qualitycheck": "quality checks",
    "operatingfund": "operating funds (years)",
    "trainingsession": "training sessions",
    "trainingattendance": "attendances",
}
KIND_LABELS = {
    Kind.CARE_CENTRE: "照护中心 care centres",
    Kind.NURSING_HOME: "敬老院 nursing homes",
    Kind.SERVICE_CENTRE: "养老服务中心 service centres",
    Kind.MUTUAL_AID_POINT: "互助养老点 village points",
    Kind.SOCIAL: "社会养老机构 social institutions",
}
WAITING_LABELS = {
    "extreme_poverty": "特困 asking for centralised support",
    "disabled": "disabled seniors asking for a place",
    "day_care": "seniors asking for day care",
}


# The demo operator account runs the rebuilt 白马 care centre.
DEMO_OPERATOR_FACILITY = next(centre.name for centre in CARE_CENTRES if centre.area == "baima")


def assign_demo_operator(stdout) -> None:
    operator = User.objects.filter(username=demo_accounts.OPERATOR_BAIMA.username).first()
    bureau = User.objects.filter(username=demo_accounts.BUREAU.username).first()
    centre = Facility.objects.filter(name=DEMO_OPERATOR_FACILITY).first()
    if operator is None or bureau is None or centre is None:
        return
    if not centre.operators.filter(pk=operator.pk).exists():
        facility_save(by=bureau, facility=centre, operators=[*centre.operators.all(), operator])
    stdout.write(f"  {operator.username} runs {centre.name}")


class Command(BaseCommand):
    help = (
        "Generate the demo facility network of the plan 武隆府办发〔2021〕31号 on the loaded "
        "regions: the three care centres it names, township nursing homes and service centres, "
        "a mutual-aid point per village, with beds, residents from the seniors' ledger, staff, "
        "certificates, quality checks, projects, operating funds and training, dated since "
        "2021-05 with real gaps as of 2022. Deterministic for a seed; one transaction; when the "
        "network is already there, nothing is added. Run generate_population first."
    )

    def add_arguments(self, parser):
        add_seed(parser)
        add_today(parser, help="the day the network is generated as of (YYYY-MM-DD; default today)")

    def handle(self, *args, **options):
        seed = options["seed"]
        started = time.perf_counter()
        try:
            result = facilities_generate(seed=seed, today=options["today"])
        except FacilityDemoError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        out = self.stdout.write
        if result.already_present:
            out(
                f"The demo facility network of seed {seed} is already there "
                f"({result.already_present:,} of its facilities found): nothing added "
                f"({elapsed:.1f} s)."
            )
            assign_demo_operator(self.stdout)
            return
        out(f"Demo facility network, seed {seed}, as on {result.today} (scale {result.scale:g}):")
        out(f"  {'residents registered':<26} {result.residents_added:>7,}")
        for model, label in MODEL_LABELS.items():
            out(f"  {label:<26} {result.created.get(model, 0):>7,}")
        if result.residents_skipped:
            out(
                self.style.WARNING(
                    "  No seniors in the ledger: residents and operating funds were skipped "
                    "(run generate_population first, then this command on a fresh network)."
                )
            )
        for label, table in result.by_kind_status.items():
            out(f"  facilities on {result.today if label == 'today' else label}:")
            for kind in KIND_LABELS:
                counts = table.get(kind, {})
                if not counts:
                    continue
                states = ", ".join(
                    f"{Status(s).label.lower()} {n}" for s, n in sorted(counts.items())
                )
                out(f"    {KIND_LABELS[kind]:<26} {states}")
            trained = result.trained.get(label, {})
            out(
                f"    villages with an operating point {result.villages_with_point[label]}; "
                f"trained: directors {trained.get('director', 0)}, "
                f"caregivers {trained.get('caregiver', 0)}"
            )
        if result.waiting:
            waiting = ", ".join(
                f"{WAITING_LABELS.get(k, k)} {n}" for k, n in sorted(result.waiting.items())
            )
            out(f"  still waiting today: {waiting}")
        self.stdout.write(self.style.SUCCESS(f"Done in {elapsed:.1f} s."))
        assign_demo_operator(self.stdout)
