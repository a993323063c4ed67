"""``timebank/accounts/``, ``redemptions/``, ``transfers/``, ``catalogue/`` and ``summary/``:
spending hours. The rules live in ``volunteers.spending`` and ``volunteers.ledger``;
these views only scope, parse and call them.

Who may spend: a volunteer from their own account; a village assistant or township staff on
behalf of a volunteer of their region (the mutual-aid supermarket's counter, for volunteers
without a phone). The bureau does not spend for anyone; it grants from the district fund.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from api.errors import domain_errors
from api.fields import PlausibleDateField, ScopedPrimaryKeyField, ScopedRegionField
from api.idempotency import IdempotentCreateMixin
from api.permissions import WriteRule
from api.scoping import ScopedViewSetMixin
from api.serializers import ModelSerializer
from api.viewsets import ReadCreateUpdateViewSet, ReadCreateViewSet
from api.writes import ServiceWritesMixin
from volunteers import rules, selectors, spending
from volunteers.ledger import system_account
from volunteers.models import (
    Account,
    AccountKind,
    CatalogueItem,
    Entry,
    Redemption,
    Transfer,
)


class AccountSerializer(ModelSerializer):
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True)
    village = serializers.CharField(source="volunteer.village_id", read_only=True)

    class Meta:
        model = Account
        fields = ("id", "kind", "volunteer", "volunteer_name", "village", "balance", "opened_at")
        read_only_fields = fields


class EntrySerializer(ModelSerializer):
    kind = serializers.CharField(source="movement.kind", read_only=True)
    memo = serializers.CharField(source="movement.memo", read_only=True)
    at = serializers.DateTimeField(source="movement.created_at", read_only=True)
    reverses = serializers.IntegerField(source="movement.reverses_id", read_only=True)

    class Meta:
        model = Entry
        fields = ("id", "movement", "kind", "memo", "at", "amount", "balance_after", "reverses")
        read_only_fields = fields


class CatalogueItemSerializer(ServiceWritesMixin, ModelSerializer):
    create_service = staticmethod(spending.catalogue_item_add)
    update_service = staticmethod(spending.catalogue_item_update)
    instance_name = "item"

    region = ScopedRegionField()

    class Meta:
        model = CatalogueItem
        fields = ("id", "region", "name", "hours_price", "stock", "active")

    def validate_hours_price(self, value):
        if value <= 0:
            raise serializers.ValidationError(_("The price must be more than zero hours."))
        return value


class GrantSerializer(serializers.Serializer):
    hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    memo = serializers.CharField(max_length=200)


class AccountViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Volunteers' balances. A volunteer sees only their own account; staff and assistants see
    the accounts of the volunteers in their region; system accounts are not listed."""

    queryset = Account.objects.all()
    serializer_class = AccountSerializer
    ordering_fields = ("balance", "opened_at")
    ordering = ("id",)

    def base_queryset(self):
        return Account.objects.select_related("volunteer")

    @extend_schema(responses=EntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def statement(self, request, pk=None):
        """Every entry of the account, oldest first, with its running balance."""
        entries = selectors.account_statement(self.get_object())
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(EntrySerializer(page, many=True).data)

    @extend_schema(responses=CatalogueItemSerializer(many=True))
    @action(detail=True, methods=["get"])
    def affordable(self, request, pk=None):
        """What the account's hours can buy now (易存难兑)."""
        items = self.scoped(selectors.affordable_items(self.get_object()))
        page = self.paginate_queryset(items)
        return self.get_paginated_response(CatalogueItemSerializer(page, many=True).data)

    @extend_schema(request=GrantSerializer, responses=EntrySerializer(many=True))
    @action(detail=True, methods=["post"])
    def grant(self, request, pk=None):
        """The district fund grants hours to this account (the bureau only)."""
        account = self.get_object()
        payload = GrantSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        with domain_errors():
            movement = spending.timebank_grant(by=request.user, to_account=account, **payload.data)
        return Response(
            EntrySerializer(movement.entries.filter(account=account), many=True).data,
            status=status.HTTP_201_CREATED,
        )


class RedemptionSerializer(ModelSerializer):
    item = ScopedPrimaryKeyField(queryset=CatalogueItem.objects.all())
    account = ScopedPrimaryKeyField(
        queryset=Account.objects.select_related("volunteer"), required=False
    )
    hours = serializers.DecimalField(
        source="movement.hours", max_digits=8, decimal_places=1, read_only=True
    )

    class Meta:
        model = Redemption
        fields = ("id", "account", "item", "quantity", "hours", "client_uuid", "created_at")
        # a repeated client_uuid is the idempotent retry, answered by the service, not a 400
        extra_kwargs = {"client_uuid": {"validators": []}}

    def create(self, validated_data):
        user = self.context["request"].user
        account = validated_data.pop("account", None) or _own_account(user, "account")
        with domain_errors():
            redemption, self.created = spending.timebank_redeem(
                by=user, account=account, **validated_data
            )
        return redemption


class TransferSerializer(ModelSerializer):
    from_account = ScopedPrimaryKeyField(
        queryset=Account.objects.select_related("volunteer"), required=False
    )
    to_account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.filter(kind=AccountKind.VOLUNTEER), required=False
    )
    donate = serializers.BooleanField(
        write_only=True, default=False, help_text=_("Donate to the district fund")
    )
    hours = serializers.DecimalField(source="movement.hours", max_digits=8, decimal_places=1)

    class Meta:
        model = Transfer
        fields = (
            "id",
            "from_account",
            "to_account",
            "donate",
            "hours",
            "relation",
            "client_uuid",
            "created_at",
        )
        extra_kwargs = {"client_uuid": {"validators": []}}

    def validate(self, attrs):
        if not attrs.get("donate") and attrs.get("to_account") is None:
            raise serializers.ValidationError(
                {"to_account": [_("Name the account to give the hours to, or donate them.")]}
            )
        return attrs

    def create(self, validated_data):
        user = self.context["request"].user
        from_account = validated_data.get("from_account") or _own_account(user, "from_account")
        if validated_data["donate"]:
            to_account = system_account(AccountKind.FUND)
        else:
            to_account = validated_data["to_account"]
        with domain_errors():
            transfer, self.created = spending.timebank_transfer(
                by=user,
                from_account=from_account,
                to_account=to_account,
                hours=validated_data["movement"]["hours"],
                relation=validated_data.get("relation", ""),
                client_uuid=validated_data.get("client_uuid"),
            )
        return transfer


def _own_account(user, field: str) -> Account:
    """A volunteer spends from their own account when they name none; others must name one."""
    account = Account.objects.visible_to(user).filter(volunteer__user=user).first()
    if account is None:
        raise serializers.ValidationError({field: [_("Name the volunteer's account.")]})
    return account


class _MovementViewSet(ScopedViewSetMixin, IdempotentCreateMixin, ReadCreateViewSet):
    """Records that move hours, each with its ledger movement. A phone's retry sends the same
    request under the same ``client_uuid``: it answers 200 with the first record (another user
    or other content under it: 400)."""

    permission_classes = (WriteRule,)
    ordering_fields = ("created_at",)

    def base_queryset(self):
        return self.queryset.select_related("movement")


class RedemptionViewSet(_MovementViewSet):
    """Hours spent at the mutual-aid supermarket. A short balance or stock answers 400 and
    writes nothing; the same request under the same ``client_uuid`` answers 200 with the first
    redemption."""

    queryset = Redemption.objects.all()
    serializer_class = RedemptionSerializer

    @staticmethod
    def write_rule(user) -> bool:
        return rules.can_work_counter(user)


class TransferViewSet(_MovementViewSet):
    """Hours given to a family member's account, or donated to the fund (``donate: true``).
    Refused with 400 and nothing written when the balance is short or the policy forbids."""

    queryset = Transfer.objects.all()
    serializer_class = TransferSerializer

    @staticmethod
    def write_rule(user) -> bool:
        return rules.can_work_counter(user)


class CatalogueItemViewSet(
    ScopedViewSetMixin,
    ReadCreateUpdateViewSet,
):
    """The mutual-aid supermarket's items, priced in hours: those of the user's region and of
    the township and district above it. The bureau and township staff keep the catalogue."""

    queryset = CatalogueItem.objects.all()
    serializer_class = CatalogueItemSerializer
    permission_classes = (WriteRule,)
    ordering_fields = ("hours_price", "name", "stock")

    @staticmethod
    def write_rule(user) -> bool:
        return rules.can_keep_catalogue(user)


class TownshipHoursSerializer(serializers.Serializer):
    township = serializers.CharField()
    name = serializers.CharField()
    earned = serializers.DecimalField(max_digits=12, decimal_places=1)
    redeemed = serializers.DecimalField(max_digits=12, decimal_places=1)


class SummaryViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Hours earned versus redeemed per township (易存难兑), for the bureau and township
    staff; ``?since=YYYY-MM-DD`` counts from a date."""

    queryset = Account.objects.all()
    serializer_class = TownshipHoursSerializer
    pagination_class = None

    @extend_schema(responses=TownshipHoursSerializer(many=True))
    def list(self, request):
        if not rules.can_read_timebank_summary(request.user):
            raise PermissionDenied(_("Your role may not see this summary."))
        since = PlausibleDateField(required=False, allow_null=True, label="since")
        try:
            day = since.to_internal_value(request.query_params["since"])
        except KeyError:
            day = None
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"since": exc.detail}) from None
        rows = selectors.hours_by_township(user=request.user, since=day)
        return Response(TownshipHoursSerializer(rows, many=True).data)
