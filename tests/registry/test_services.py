"""Registry services through the database: validation, duplicates, bulk creation, escaping."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from uplift.core.models import AuditEntry
from uplift.registry.demo import credit_code
from uplift.registry.models import Enterprise
from uplift.registry.services import enterprise_bulk_create, enterprise_create
from uplift.registry.validators import (
    USCC_ALPHABET,
    normalise_credit_code,
    normalise_standard_number,
    standard_level,
    uscc_check_character,
    validate_credit_code,
    validate_standard_number,
)


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110000600037341L"])
def test_published_credit_codes_are_valid(code):
    validate_credit_code(code)


@given(st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17), st.integers(0, 16), st.integers(1, 30))
def test_changing_any_character_breaks_the_check(body, position, shift):
    code = body + uscc_check_character(body)
    validate_credit_code(code)
    changed = list(code)
    changed[position] = USCC_ALPHABET[(USCC_ALPHABET.index(code[position]) + shift) % 31]
    with pytest.raises(ValidationError):
        validate_credit_code("".join(changed))


@pytest.mark.parametrize(
    "code, message",
    [
        ("9135010", "18 characters"),
        ("91350100M000100YI3", "cannot appear"),
        ("91350100M000100Y44", "check character"),
    ],
)
def test_bad_credit_codes_say_what_is_wrong(code, message):
    with pytest.raises(ValidationError, match=message):
        validate_credit_code(code)


def test_full_width_and_lower_case_codes_are_normalised():
    assert normalise_credit_code(" ９１３５０１００m０００１００y４３ ") == "91350100M000100Y43"


# --- Standard numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("GB/T 19580-2012", "GB/T 19580-2012"),
        ("gb/t19580—2012", "GB/T 19580-2012"),
        ("ＧＢ／Ｔ　19580－2012", "GB/T 19580-2012"),
        (" gb / t  19580 – 2012 ", "GB/T 19580-2012"),
        ("GB2760-2014", "GB 2760-2014"),
        ("db42/t1234-2019", "DB42/T 1234-2019"),
        ("DB42/1234-2019", "DB42 1234-2019"),
        ("DB4201/T 001-2019", "DB4201/T 001-2019"),
        ("db4201/t001—2019", "DB4201/T 001-2019"),
        ("t/hbaia 001-2019", "T/HBAIA 001-2019"),
        ("ｑ／ｑｃａｙ　００１－２０１８", "Q/QCAY 001-2018"),
        ("", ""),
        (None, ""),
    ],
)
def test_standard_numbers_are_normalised(typed, stored):
    assert normalise_standard_number(typed) == stored


@pytest.mark.parametrize(
    "number, level",
    [
        ("GB 2760-2014", "national"),
        ("GB/T 19580-2012", "national_rec"),
        ("GB/T 1.1-2020", "national_rec"),
        ("DB42/T 1234-2019", "local"),
        ("DB42 567-2018", "local"),
        ("DB4201/T 001-2019", "local"),
        ("T/HBAIA 001-2019", "group"),
        ("Q/QCAY 001-2018", "enterprise"),
        ("Q/320500 ABC 001-2018", "enterprise"),  # with the region code of the filing
        ("ISO 9001-2015", None),
        ("GB/T 19580", None),
        ("GB/T 19580-12", None),
        ("gb/t 19580-2012", None),  # read after normalising, not before
    ],
)
def test_a_standard_numbers_level_is_read_from_its_prefix(number, level):
    assert standard_level(number) == level


@pytest.mark.django_db
@pytest.mark.parametrize(
    "number, level",
    [
        ("GB 2760-2014", "national"),
        ("GB/T 19580-2012", None),
        ("DB42/T 1234-2019", "local"),
        ("DB4201/T 001-2019", "local"),
        ("DB43/T 5678-2018", "local"),
        ("T/HBAIA 001-2019", "group"),
        ("Q/QCAY 001-2018", "enterprise"),
    ],
)
def test_well_formed_standard_numbers_are_valid(number, level):
    validate_standard_number(number, level)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "number, level, message",
    [
        ("GB/T 19580-2012", "local", "DB42/T 1234-2019"),  # names the level's example
        ("DB42/T 1234-2019", "national_rec", "GB/T 19580-2012"),
        ("T/HBAIA 001-2019", "enterprise", "Q/QCAY 001-2018"),
        ("XYZ 1-2019", None, "not a standard number"),
        ("GB/T 19580-1900", None, "not plausible"),
        ("GB/T 19580-2999", None, "not plausible"),
        ("DB99/T 001-2019", "local", "no province or city"),  # 990000 is in the registry, not GB/T 2260
        ("DB71/T 001-2019", "local", "no province or city"),
        ("DB4299/T 001-2019", "local", "no province or city"),
        ("DB00/T 001-2019", "local", "no province or city"),
    ],
)
def test_bad_standard_numbers_say_what_is_wrong(number, level, message):
    with pytest.raises(ValidationError, match=message):
        validate_standard_number(number, level)


@pytest.mark.django_db
def test_duplicate_enterprise_is_refused_and_nothing_written():
    data = {
        "credit_code": credit_code("91", "420102", 5),
        "name": "甲公司",
        "region_id": "420102",
        "industry_id": "36",
    }
    enterprise_create(actor=None, **data)
    audits = AuditEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        enterprise_create(actor=None, **{**data, "name": "乙公司"})
    assert "credit_code" in exc.value.message_dict
    assert Enterprise.objects.count() == 1
    assert AuditEntry.objects.count() == audits


@pytest.mark.django_db
def test_unknown_region_is_refused():
    with pytest.raises(ValidationError) as exc:
        enterprise_create(
            actor=None,
            credit_code=credit_code("91", "420102", 6),
            name="丙",
            region_id="999999",
            industry_id="36",
        )
    assert "region" in exc.value.message_dict


@pytest.mark.django_db
def test_industry_must_be_a_division():
    with pytest.raises(ValidationError) as exc:
        enterprise_create(
            actor=None,
            credit_code=credit_code("91", "420102", 7),
            name="丁",
            region_id="420102",
            industry_id="C",
        )
    assert "industry" in exc.value.message_dict


@pytest.mark.django_db
def test_bulk_create_is_all_or_nothing_and_names_rows():
    good = {
        "credit_code": credit_code("91", "420102", 8),
        "name": "好",
        "region_id": "420102",
        "industry_id": "36",
    }
    bad = {"credit_code": "91350100M000100Y44", "name": "坏", "region_id": "000000", "industry_id": "36"}
    with pytest.raises(ValidationError) as exc:
        enterprise_bulk_create(actor=None, rows=[good, bad])
    errors = exc.value.message_dict
    assert {"row 2.credit_code", "row 2.region"} <= set(errors)
    assert "row 1.credit_code" not in errors
    assert Enterprise.objects.count() == 0
    assert enterprise_bulk_create(actor=None, rows=[good]) == 1


@pytest.mark.django_db
def test_script_and_sql_are_stored_as_text_and_shown_escaped(client):
    from uplift.core.testing import World

    w = World()
    name = "<script>alert('x')</script>'; DROP TABLE registry_enterprise; --"
    e = enterprise_create(
        actor=None,
        credit_code=credit_code("91", "420102", 9),
        name=name,
        region_id="420102",
        industry_id="36",
    )
    assert Enterprise.objects.get(pk=e.pk).name == name
    client.force_login(w.officer)
    body = client.get(e.get_absolute_url()).content.decode()
    assert "<script>alert" not in body
    assert "&lt;script&gt;alert" in body
