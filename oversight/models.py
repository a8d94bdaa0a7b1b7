from django.db import models
from django.utils.translation import gettext_lazy as _


class Campaign(models.Model):
    """An enforcement campaign (专项行动): cases created while it runs belong to it."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # [{"name": "动员部署", "starts_on": "2018-07-10", "ends_on": "2018-07-31"}, ...]
    phases = models.JSONField(_("phases"), default=list, blank=True)
    report_due_day = models.PositiveSmallIntegerField(_("monthly report due day"), default=25)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.title

    @classmethod
    def running_on(cls, day):
        return cls.objects.filter(starts_on__lte=day, ends_on__gte=day).order_by("-starts_on").first()
