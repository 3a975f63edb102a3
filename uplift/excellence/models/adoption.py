"""When a programme counts an enterprise as having adopted the excellence model."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import ScopedModel

from .frameworks import Framework


class AdoptionRule(ScopedModel):
    """When a programme counts an enterprise as having adopted the excellence model (导入卓越绩效).

    By default: it took part in an approved training of the programme covering the excellence
    method, *and* has an accepted self-assessment. It adopted on the later of the first such
    training and the first acceptance, and counts if that day is in the programme's period. A
    programme without a rule of its own uses the default; changing the rule recounts the
    programme's adopters at once.
    """

    programme = models.OneToOneField(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.CASCADE,
        related_name="adoption_rule",
    )
    training_method = models.ForeignKey(
        "delivery.QualityMethod",
        verbose_name=_("training required"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_(
            "The enterprise took part in an approved training of the programme covering this method. "
            "Empty: no training needed."
        ),
    )
    self_assessment_required = models.BooleanField(
        _("accepted self-assessment required"),
        default=True,
        help_text=_("The bureau accepted a self-assessment of the enterprise."),
    )
    framework = models.ForeignKey(
        Framework,
        verbose_name=_("framework"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The framework the self-assessment follows; empty: any."),
    )
    min_self_score = models.PositiveSmallIntegerField(
        _("lowest self-assessed total"),
        null=True,
        blank=True,
        help_text=_("Only a self-assessment totalling at least this many points counts; empty: any."),
    )

    class Meta:
        verbose_name = _("adoption rule")
        verbose_name_plural = _("adoption rules")
        ordering = ["programme_id"]

    def __str__(self) -> str:
        return str(_("Adoption rule of %(programme)s") % {"programme": self.programme})

    def clean(self) -> None:
        if not self.training_method_id and not self.self_assessment_required:
            raise ValidationError(
                {
                    "self_assessment_required": _(
                        "A rule needs at least one condition: a training, an accepted "
                        "self-assessment, or both."
                    )
                }
            )
        if self.min_self_score is not None and not self.self_assessment_required:
            raise ValidationError(
                {"min_self_score": _("A lowest total only applies when a self-assessment is required.")}
            )
