import datetime
import uuid

import factory

from accounts.models import Role, User
from regions.models import Kind, Level, Region
from seniors.idnumber import make_id_number
from seniors.models import barthel_level


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    # a township code of the district: three digits after 500156, wrapping after 899 of them
    code = factory.Sequence(lambda n: f"500156{n % 899 + 101:03d}000")
    name = factory.Sequence(lambda n: f"测试{n}镇")
    short_name = factory.LazyAttribute(lambda o: o.name)
    level = Level.TOWNSHIP
    kind = Kind.TOWN


def district(code="500156000000", name="武隆区"):
    return RegionFactory(
        code=code, name=name, level=Level.DISTRICT, kind=Kind.DISTRICT, parent=None
    )


def township(parent, code, name, kind=Kind.TOWN):
    return RegionFactory(code=code, name=name, level=Level.TOWNSHIP, kind=kind, parent=parent)


def village(parent, code, name, kind=Kind.VILLAGE, urban_rural_code="220"):
    short = name.removesuffix("村民委员会").removesuffix("居民委员会")
    return RegionFactory(
        code=code,
        name=name,
        short_name=short,
        level=Level.VILLAGE,
        kind=kind,
        urban_rural_code=urban_rural_code,
        parent=parent,
    )


def villager_group(parent, number):
    return RegionFactory(
        code=f"{parent.code}{number:03d}",
        name=f"{parent.short_name}第{number}村民小组",
        short_name=f"{number}组",
        level=Level.GROUP,
        kind=Kind.VILLAGER_GROUP,
        parent=parent,
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.TOWNSHIP_STAFF
    region = None
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SeniorFactory(factory.django.DjangoModelFactory):
    """A senior in a given village; ``birth_date`` sets the ID number (valid check digit)."""

    class Meta:
        model = "seniors.Senior"

    class Params:
        born = datetime.date(1945, 6, 15)
        sequence = factory.Sequence(lambda n: (2 * n + 1) % 1000)  # odd: male

    name = factory.Sequence(lambda n: f"老人{n}")
    village = None
    birth_date = factory.SelfAttribute("born")
    id_number = factory.LazyAttribute(lambda o: make_id_number("500232", o.born, o.sequence))
    sex = factory.LazyAttribute(lambda o: "M" if o.sequence % 2 else "F")
    registered_on = datetime.date(2021, 6, 1)


class AssessmentFactory(factory.django.DjangoModelFactory):
    """All ten items at their highest score unless given: total 100, independent."""

    class Meta:
        model = "seniors.Assessment"

    senior = None
    assessed_on = datetime.date(2025, 3, 1)
    feeding = 10
    bathing = 5
    grooming = 5
    dressing = 10
    bowels = 10
    bladder = 10
    toilet_use = 10
    transfers = 15
    mobility = 15
    stairs = 10
    total = factory.LazyAttribute(
        lambda o: sum(
            getattr(o, i)
            for i in (
                "feeding",
                "bathing",
                "grooming",
                "dressing",
                "bowels",
                "bladder",
                "toilet_use",
                "transfers",
                "mobility",
                "stairs",
            )
        )
    )
    level = factory.LazyAttribute(lambda o: barthel_level(o.total))


class FacilityFactory(factory.django.DjangoModelFactory):
    """An operating township nursing home, open since 2020-01-01, unless told otherwise."""

    class Meta:
        model = "facilities.Facility"

    kind = "nursing_home"
    name = factory.Sequence(lambda n: f"敬老院{n}")
    region = None
    status = "operating"
    opened_on = datetime.date(2020, 1, 1)


# the functions 一(二) names for a village point (日间照料、康复理疗、休闲娱乐、紧急救援)
POINT_FUNCTIONS = {
    "offers_day_care": True,
    "offers_rehabilitation": True,
    "offers_recreation": True,
    "offers_emergency_rescue": True,
}


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.Volunteer"

    name = factory.Sequence(lambda n: f"志愿者{n}")
    kind = "younger_senior"
    village = None
    joined_on = datetime.date(2021, 6, 1)


class PairingFactory(factory.django.DjangoModelFactory):
    """An open one-to-one pairing visited weekly, from 2022-01-01, unless given."""

    class Meta:
        model = "volunteers.Pairing"

    helper = None
    senior = None
    mode = "one_to_one"
    visit_interval_days = 7
    started_on = datetime.date(2022, 1, 1)


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "seniors.Visit"

    senior = None
    visited_at = factory.LazyFunction(lambda: datetime.datetime(2022, 6, 1, 2, tzinfo=datetime.UTC))


class FamilyDoctorContractFactory(factory.django.DjangoModelFactory):
    """A contract of a year."""

    class Meta:
        model = "seniors.FamilyDoctorContract"

    senior = None
    signed_on = datetime.date(2022, 1, 1)
    ends_on = factory.LazyAttribute(lambda o: o.signed_on.replace(year=o.signed_on.year + 1))


# --- defaults for the factories below ------------------------------------------------------
# A record made without a region lands in the cast's own map (tests/conftest.py): 白马镇 and
# its 板桥村, found by code when the test's fixtures have made them already.


def baima():
    return township(district(), "500156101000", "白马镇")


def banqiao():
    return village(baima(), "500156101201", "板桥村村民委员会")


class OfAFacility(factory.django.DjangoModelFactory):
    """A record kept by a facility: by a facility of 白马镇 unless given."""

    class Meta:
        abstract = True

    facility = factory.SubFactory(FacilityFactory, region=factory.LazyFunction(baima))


class BedFactory(OfAFacility):
    class Meta:
        model = "facilities.Bed"

    label = factory.Sequence(lambda n: f"{n + 1:03d}")
    kind = "ordinary"
    in_use_from = datetime.date(2020, 1, 1)


class StaffMemberFactory(OfAFacility):
    class Meta:
        model = "facilities.StaffMember"

    name = factory.Sequence(lambda n: f"护理员{n}")
    role = "caregiver"
    started_on = datetime.date(2020, 1, 1)


class PlacementFactory(OfAFacility):
    """A resident admitted on 2022-01-01 unless given."""

    class Meta:
        model = "facilities.Placement"

    senior = factory.SubFactory(SeniorFactory, village=factory.LazyFunction(banqiao))
    admitted_on = datetime.date(2022, 1, 1)


class QualityCheckFactory(OfAFacility):
    class Meta:
        model = "facilities.QualityCheck"

    checked_on = datetime.date(2022, 6, 1)
    passed = True
    inspector = "区民政局"


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "facilities.Certificate"

    staff = factory.SubFactory(StaffMemberFactory)
    number = factory.Sequence(lambda n: f"C{n:06d}")
    level = "5"
    issued_on = datetime.date(2021, 1, 1)


class TrainingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "facilities.TrainingSession"

    kind = "caregiver"
    title = factory.Sequence(lambda n: f"护理员培训{n}")
    held_on = datetime.date(2022, 5, 1)
    organiser = "区民政局"
    hours = 8
    region = factory.LazyFunction(baima)


class TrainingAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "facilities.TrainingAttendance"

    session = factory.SubFactory(TrainingSessionFactory)
    name = factory.Sequence(lambda n: f"学员{n}")
    id_number = factory.Sequence(lambda n: f"ID-{n}")


class UpgradeProjectFactory(OfAFacility):
    class Meta:
        model = "facilities.UpgradeProject"

    kind = "upgrade"
    title = factory.Sequence(lambda n: f"改造项目{n}")
    budget = 1_000_000
    status = "planned"


class ProjectFundingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "facilities.ProjectFunding"

    project = factory.SubFactory(UpgradeProjectFactory)
    source = "central"
    amount = 500_000


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "facilities.Milestone"

    project = factory.SubFactory(UpgradeProjectFactory)
    name = factory.Sequence(lambda n: f"节点{n}")


class IndicatorCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "facilities.IndicatorCheck"

    project = factory.SubFactory(UpgradeProjectFactory)
    indicator = None
    met = True
    checked_on = datetime.date(2022, 6, 1)


class OperatingFundFactory(OfAFacility):
    class Meta:
        model = "facilities.OperatingFund"

    year = 2022
    operating_funds = 10_000
    residents_basic_allowance = 100_000


class GroupFactory(factory.django.DjangoModelFactory):
    """A volunteer team of 板桥村, founded 2022-01-01, unless given."""

    class Meta:
        model = "volunteers.Group"

    kind = "volunteer_team"
    name = factory.Sequence(lambda n: f"志愿队{n}")
    region = factory.LazyFunction(banqiao)
    founded_on = datetime.date(2022, 1, 1)


class ElderlyCareAssistantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.ElderlyCareAssistant"

    village = factory.LazyFunction(banqiao)
    name = factory.Sequence(lambda n: f"助老员{n}")
    started_on = datetime.date(2021, 6, 1)


class PolicyFactory(factory.django.DjangoModelFactory):
    """The time bank's rules; every field has the model's default unless given."""

    class Meta:
        model = "volunteers.Policy"


class CatalogueItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "volunteers.CatalogueItem"

    region = factory.LazyFunction(banqiao)
    name = factory.Sequence(lambda n: f"物品{n}")
    hours_price = 1
    stock = 10


class ServiceLogFactory(factory.django.DjangoModelFactory):
    """A submitted claim of two hours on 2026-11-28, unless given."""

    class Meta:
        model = "volunteers.ServiceLog"

    volunteer = factory.SubFactory(VolunteerFactory, village=factory.LazyFunction(banqiao))
    senior = factory.SubFactory(SeniorFactory, village=factory.LazyFunction(banqiao))
    service_type = "visit"
    started_at = datetime.datetime(2026, 11, 28, 1, tzinfo=datetime.UTC)
    ended_at = datetime.datetime(2026, 11, 28, 3, tzinfo=datetime.UTC)
    hours = 2


class SeniorImportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "seniors.SeniorImport"

    id = factory.LazyFunction(uuid.uuid4)
    created_by = None
    region = factory.LazyFunction(baima)
    file_name = "名单.xlsx"


class PersonViewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "audit.PersonView"

    user = None
    region = factory.LazyFunction(banqiao)
    channel = "page"


class RunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coverage.Run"

    date = datetime.date(2022, 12, 31)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coverage.Report"

    region = factory.LazyFunction(district)
    month = datetime.date(2022, 12, 1)


def beds(facility, count, *, kind="ordinary", start=1, in_use_from=datetime.date(2020, 1, 1)):
    return [
        BedFactory(facility=facility, label=f"{n:03d}", kind=kind, in_use_from=in_use_from)
        for n in range(start, start + count)
    ]


def staff(facility, count, *, role="caregiver", started_on=datetime.date(2020, 1, 1)):
    return [
        StaffMemberFactory(facility=facility, name=f"{role}{n}", role=role, started_on=started_on)
        for n in range(count)
    ]


class TransferFactory(factory.django.DjangoModelFactory):
    """The row of a transfer whose movement the ledger has posted: give the two accounts and
    the movement."""

    class Meta:
        model = "volunteers.Transfer"

    from_account = None
    to_account = None
    movement = None


class LeafFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "coverage.Leaf"

    batch = "run-0"
    indicator_id = 1
    code = "500156101201"
