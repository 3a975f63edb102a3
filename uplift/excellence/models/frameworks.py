"""Frameworks of excellence criteria as reference data: GB/T 19580-2012 and its kin."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from uplift.core.models import ScopedModel

from ..choices import ItemKind


class Framework(ScopedModel):
    """A set of excellence criteria and how they are scored: GB/T 19580-2012 today; a new version
    of it, the Baldrige criteria or EFQM are added as data (``uplift/excellence/data/``), not code.

    ``bands`` are the scoring bands, each ``{"low", "high", "process", "results"}`` (with ``_en``
    twins): an item is scored as a percentage in steps of ``step`` that falls in one band, and the
    band's text says what a process item (approach, deployment, learning, integration) or a results
    item (level, trend, comparison, integration) in it looks like. An item's score is its points
    times that percentage.
    """

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    total_points = models.PositiveSmallIntegerField(_("total points"))
    step = models.PositiveSmallIntegerField(_("percentage step"), default=5)
    bands = models.JSONField(_("scoring bands"), default=list)

    class Meta:
        verbose_name = _("excellence framework")
        verbose_name_plural = _("excellence frameworks")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def band_of(self, percent: int | None) -> dict[str, Any] | None:
        """The band a percentage falls in, or None when it falls in none (between two bands, over
        100, or off the step)."""
        if percent is None or percent % (self.step or 1):
            return None
        return next((b for b in self.bands if b["low"] <= percent <= b["high"]), None)

    def band_labels(self) -> str:
        return ", ".join(f"{b['low']}–{b['high']}%" for b in self.bands)

    def check_percent(self, percent: int | None, item: Item) -> None:
        """Refuse a percentage that is in no band, naming the bands and the item's points."""
        if percent is not None and self.band_of(percent) is None:
            raise ValidationError(
                _(
                    "%(percent)s%% is in no scoring band of %(framework)s: give a percentage in steps of "
                    "%(step)s within %(bands)s (item %(item)s carries at most %(points)s points)."
                )
                % {
                    "percent": percent,
                    "framework": self.code,
                    "step": self.step,
                    "bands": self.band_labels(),
                    "item": item.code,
                    "points": item.points,
                },
                code="band",
            )

    def checked_items(self, rows: Iterable[tuple], field: str) -> dict[int, Item]:
        """The framework's items by id, once every row ``(item id, percentage, ...)`` names one of
        them with a percentage in a band (None: not given); otherwise a ValidationError under
        ``field`` listing every bad row by its item."""
        items = {i.pk: i for i in Item.objects.filter(category__framework=self)}
        errors: list[str] = []
        for item_id, percent, *_rest in rows:
            item = items.get(item_id)
            if item is None:
                errors.append(
                    _("Item %(item)s is not an item of %(framework)s.")
                    % {"item": item_id, "framework": self.code}
                )
                continue
            try:
                self.check_percent(percent, item)
            except ValidationError as exc:
                errors += exc.messages
        if errors:
            raise ValidationError({field: errors})
        return items


class Category(ScopedModel):
    """A category of a framework (4.1 领导, 4.7 结果...) and the points it carries."""

    framework = models.ForeignKey(
        Framework, verbose_name=_("framework"), on_delete=models.CASCADE, related_name="categories"
    )
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    points = models.PositiveSmallIntegerField(_("points"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("framework category")
        verbose_name_plural = _("framework categories")
        ordering = ["framework_id", "order"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="category_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Item(ScopedModel):
    """An item of a framework (4.1.2 高层领导的作用, 50 points): what is assessed and scored."""

    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("code"), max_length=12)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    points = models.PositiveSmallIntegerField(_("points"))
    kind = models.CharField(_("scored by"), max_length=10, choices=ItemKind.choices)
    guidance = models.TextField(_("what the item asks"), blank=True)
    guidance_en = models.TextField(_("what the item asks (English)"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=1)

    class Meta:
        verbose_name = _("framework item")
        verbose_name_plural = _("framework items")
        ordering = ["category__framework_id", "category__order", "order"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="item_code_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name} ({self.points})"
