import factory

from accounts.models import Role, User
from regions.models import Kind, Level, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"500156{n + 101:03d}000")
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
