from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """An administrative division (行政区划), keyed by its GB/T 2260 code."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("province")
        CITY = "city", _("city")
        COUNTY = "county", _("county")

    code = models.CharField(_("code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("region above")
    )
    # "440000/440100/": a subtree is one indexed prefix match instead of a recursive query.
    path = models.CharField(max_length=70, db_index=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)

    def ancestor_codes(self) -> list[str]:
        """This region's code and those of every region above it."""
        return [code for code in self.path.split("/") if code]


class Agency(models.Model):
    class Kind(models.TextChoices):
        SAFETY_REGULATOR = "safety_regulator", _("work-safety regulator")
        POLICE = "police", _("public security")
        MARKET_REGULATOR = "market_regulator", _("market regulator")
        CYBERSPACE = "cyberspace", _("cyberspace office")
        INDUSTRY = "industry", _("industry and IT")
        COMMITTEE_OFFICE = "committee_office", _("safety committee office")
        PROCURATORATE = "procuratorate", _("procuratorate")

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    # 机关代字 of the formal numbers of its papers: 穗应急 in 穗应急罚〔2018〕101号.
    abbreviation = models.CharField(
        _("abbreviation in document numbers"), max_length=20, blank=True, help_text=_("e.g. 穗应急")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, models.PROTECT, related_name="agencies", verbose_name=_("region"))
    # Where and how its fines are paid, as its decisions print it (行政处罚法 第59条第五项、第67条).
    payment_instructions = models.CharField(_("how fines are paid"), max_length=300, blank=True)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children")
    # One Django group per agency: guardian grants a case to an agency by granting it to this group.
    group = models.OneToOneField(Group, models.PROTECT, related_name="agency", editable=False)

    class Meta:
        ordering = ["region_id", "slug"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.group_id is None:
            self.group, _created = Group.objects.get_or_create(name=f"agency:{self.slug}")
        super().save(*args, **kwargs)


class Membership(models.Model):
    class Role(models.TextChoices):
        OFFICER = "officer", _("officer")
        HEAD = "head", _("head")
        SUPERVISOR = "supervisor", _("supervisor")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    agency = models.ForeignKey(Agency, models.CASCADE, related_name="memberships", verbose_name=_("agency"))
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    # 法制审核人员: reviews penalty decisions before they are taken (行政处罚法 第58条).
    legal_review = models.BooleanField(_("legal reviewer (法制审核)"), default=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.title})"

    @property
    def title(self) -> str:
        """The role as the agency calls it: a police officer is 民警, a procuratorate's officer 检察官."""
        titles = ROLE_TITLES.get(Agency.Kind(self.agency.kind), {})
        return str(titles.get(Membership.Role(self.role), self.get_role_display()))


# Roles named by the kind of agency; the rest are the Membership.Role labels (执法人员, 负责人, 督查人员).
ROLE_TITLES: dict[Agency.Kind, dict[Membership.Role, Any]] = {
    Agency.Kind.POLICE: {Membership.Role.OFFICER: _("police officer"), Membership.Role.HEAD: _("police head")},
    Agency.Kind.PROCURATORATE: {
        Membership.Role.OFFICER: _("prosecutor"),
        Membership.Role.HEAD: _("chief prosecutor"),
    },
    Agency.Kind.CYBERSPACE: {Membership.Role.OFFICER: _("cyberspace officer")},
}
