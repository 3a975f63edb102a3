"""Amounts of money written one way everywhere: ``yuan`` (¥1,300,000) and ``yuan_short``
(1.3亿元 / ¥130M), in each language, with rounding, negatives and nothing."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from uplift.core.money import yuan, yuan_short


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (1300000, "¥1,300,000"),
        (Decimal("1300000.00"), "¥1,300,000"),  # whole yuan: no ".00"
        (Decimal("1300000.5"), "¥1,300,000.50"),  # cents: always two places
        (Decimal("0.005"), "¥0.01"),  # half a fen rounds up
        (142490000, "¥142,490,000"),
        (0, "¥0"),
        (-1300, "-¥1,300"),
        (Decimal("-0.5"), "-¥0.50"),
        (12.5, "¥12.50"),  # a float through its shortest form
        ("58,660,000", "¥58,660,000"),
        (None, "—"),
        ("", "—"),
        ("n/a", "n/a"),  # not a number: left as it is
    ],
)
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_yuan_is_the_full_figure_in_every_language(value, shown, language):
    with translation.override(language):
        assert yuan(value) == shown


@pytest.mark.parametrize(
    ("value", "chinese", "english"),
    [
        (142490000, "1.42亿元", "¥142M"),  # the dashboard's verified benefit
        (130000000, "1.3亿元", "¥130M"),
        (100000000, "1亿元", "¥100M"),
        (5800000, "580万元", "¥5.8M"),
        (5000000, "500万元", "¥5M"),
        (4684000, "468万元", "¥4.68M"),
        (12345, "1.23万元", "¥12.3K"),
        (12345678, "1,235万元", "¥12.3M"),  # three digits, never rounding away a whole unit
        (1500000000, "15亿元", "¥1.5B"),
        (99999999, "1亿元", "¥100M"),  # rounding up reaches the next unit
        (999950, "100万元", "¥1M"),
        (Decimal("14999.5"), "1.5万元", "¥15K"),  # half up
        (9999, "¥9,999", "¥9,999"),  # below 10,000 the full figure is short already
        (Decimal("10.50"), "¥10.50", "¥10.50"),
        (0, "¥0", "¥0"),
        (-5800000, "-580万元", "-¥5.8M"),
        (-9999, "-¥9,999", "-¥9,999"),
        (None, "—", "—"),
    ],
)
def test_yuan_short_counts_in_wan_and_yi_in_chinese_and_k_m_b_in_english(value, chinese, english):
    with translation.override("zh-hans"):
        assert yuan_short(value) == chinese
    with translation.override("en"):
        assert yuan_short(value) == english


def test_traditional_chinese_writes_its_own_units_and_groups_by_thousands():
    with translation.override("zh-hant"):
        assert yuan_short(142490000) == "1.42億元"
        assert yuan_short(5800000) == "580萬元"
        assert yuan(1300000) == "¥1,300,000"


def test_the_template_filters_and_the_card_form():
    template = Template(
        '{% load money %}<a title="{{ v|yuan }}">{{ v|yuan_short }}</a>|{{ none|yuan_short }}'
    )
    with translation.override("zh-hans"):
        assert (
            template.render(Context({"v": 142490000, "none": None}))
            == '<a title="¥142,490,000">1.42亿元</a>|—'
        )
    with translation.override("en"):
        assert (
            template.render(Context({"v": 142490000, "none": None})) == '<a title="¥142,490,000">¥142M</a>|—'
        )
