"""Every factory makes a record the model's own validation accepts, from its defaults alone
(the few that need a record given say which)."""

import factory
import pytest

from tests import factories as f

pytestmark = pytest.mark.django_db

# the factories that cannot pick a sensible default for a record they hang on
NEEDS = {
    "SeniorFactory": lambda: {"village": f.banqiao()},
    "AssessmentFactory": lambda: {"senior": f.SeniorFactory(village=f.banqiao())},
    "FacilityFactory": lambda: {"region": f.baima()},
    "VolunteerFactory": lambda: {"village": f.banqiao()},
    "PairingFactory": lambda: {
        "helper": f.VolunteerFactory(village=f.banqiao()),
        "senior": f.SeniorFactory(village=f.banqiao()),
    },
    "VisitFactory": lambda: {"senior": f.SeniorFactory(village=f.banqiao())},
    "FamilyDoctorContractFactory": lambda: {"senior": f.SeniorFactory(village=f.banqiao())},
    "UserFactory": lambda: {"region": f.baima()},  # a role needs its region
    "SeniorImportFactory": lambda: {"created_by": f.UserFactory(region=f.baima())},
    "PersonViewFactory": lambda: {"user": f.UserFactory(region=f.baima())},
}
# fields the code fills as it works, which a form could not leave empty
FILLED_LATER = {"RunFactory": ["seconds"], "SeniorImportFactory": ["rows", "errors"]}
# records whose rows another part writes (the ledger, the coverage engine, basic indicators)
NOT_ALONE = {"TransferFactory", "LeafFactory", "IndicatorCheckFactory"}
FACTORIES = sorted(
    name
    for name, value in vars(f).items()
    if isinstance(value, type)
    and issubclass(value, factory.django.DjangoModelFactory)
    and not value._meta.abstract  # a base that declares what its factories share
    and name not in NOT_ALONE
)


@pytest.mark.parametrize("name", FACTORIES)
def test_each_factory_makes_a_valid_record(name, today):
    record = getattr(f, name)(**NEEDS.get(name, dict)())
    record.full_clean(exclude=FILLED_LATER.get(name))
