"""`uplift export ocds`: a valid OCDS 1.1 release package that never reveals a sealed bid.

The package is validated offline against the project's copy of the OCDS 1.1.5 schema
(tests/procurement/data/ocds-1.1.5), with the release package's ``$ref`` to the release schema
resolved from that copy through a ``referencing`` registry that refuses to fetch anything. It is
validated a second time against the release schema with the declared extensions' patches merged in
(tests/procurement/data/ocds-extensions), and every field it holds must be declared there.
"""

from __future__ import annotations

import copy
import datetime
import json
import re
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft4Validator, FormatChecker
from jsonschema.validators import validator_for
from referencing import Registry
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT4

from uplift.procurement import ocds, sealing, services
from uplift.procurement.choices import CriterionKind
from uplift.procurement.models import Bid
from uplift.procurement.testing import TenderScenario, at

DATA = Path(__file__).parent / "data"
CORE = DATA / "ocds-1.1.5"
EXTENSIONS = DATA / "ocds-extensions"
#: The local copy of each declared extension's release-schema patch.
EXTENSION_COPIES = {"lots": "lots-v1.1.5", "bids": "bids-v1.1.5", "awardCriteria": "awardCriteria"}


# --- The validator -----------------------------------------------------------------------------


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")

# jsonschema checks "date-time" and "uri" only with optional packages the project does not install,
# and would otherwise pass any string: check them here (RFC 3339, RFC 3986's scheme and characters).
FORMAT_CHECKER = FormatChecker()


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    datetime.datetime.fromisoformat(value)  # a real day and time
    return True


@FORMAT_CHECKER.checks("uri")
def _uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    scheme = urlsplit(value).scheme
    return bool(URI_SCHEME.match(scheme)) and not re.search(r"[\s<>\"{}|\\^`]", value)


def _no_network(uri: str):
    raise NoSuchResource(ref=uri)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: how OCDS tools apply an extension to the release schema."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def release_schema(*, extended: bool) -> dict[str, Any]:
    schema = _load(CORE / "release-schema.json")
    if extended:
        for folder in EXTENSION_COPIES.values():
            schema = merge_patch(schema, _load(EXTENSIONS / folder / "release-schema.json"))
    return schema


def package_validator(*, extended: bool = False) -> Draft4Validator:
    package_schema = _load(CORE / "release-package-schema.json")
    release = release_schema(extended=extended)
    cls = validator_for(package_schema)
    assert cls is Draft4Validator, "OCDS 1.1 schemas are JSON Schema draft 4"
    registry = Registry(retrieve=_no_network).with_resource(release["id"], DRAFT4.create_resource(release))
    return cls(package_schema, registry=registry, format_checker=FORMAT_CHECKER)


def errors(package: dict[str, Any], *, extended: bool = False) -> list[str]:
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in package_validator(extended=extended).iter_errors(package)
    ]


def undeclared(data: Any, schema: dict[str, Any], root: dict[str, Any], path: str = "") -> list[str]:
    """The fields of ``data`` that ``schema`` (resolved within ``root``) does not declare."""
    while "$ref" in schema:
        schema = root["definitions"][schema["$ref"].removeprefix("#/definitions/")]
    found = []
    if isinstance(data, dict) and "properties" in schema:
        for key, value in data.items():
            if key not in schema["properties"]:
                found.append(f"{path}/{key}")
            else:
                found += undeclared(value, schema["properties"][key], root, f"{path}/{key}")
    elif isinstance(data, list) and isinstance(schema.get("items"), dict):
        for i, value in enumerate(data):
            found += undeclared(value, schema["items"], root, f"{path}/{i}")
    return found


def assert_valid(package: dict[str, Any]) -> None:
    assert errors(package) == [], "invalid against OCDS 1.1.5"
    assert errors(package, extended=True) == [], "invalid against OCDS 1.1.5 with the declared extensions"
    package_schema = _load(CORE / "release-package-schema.json")
    extended = release_schema(extended=True)
    found = [f"/{k}" for k in package if k not in package_schema["properties"]]
    for i, release in enumerate(package["releases"]):
        found += undeclared(release, extended, extended, f"/releases/{i}")
    assert found == [], "fields neither OCDS nor a declared extension defines"


# --- Data --------------------------------------------------------------------------------------


def make_tender(w, reference: str, *, publish: bool = True, title: str = "蕲春蕲艾品质提升服务采购"):
    """A one-lot tender of the World's Hubei programme, published on 2018-05-01 unless asked not to."""
    tender = services.tender_create(
        actor=w.officer,
        programme=w.programme_in,
        reference=reference,
        title=title,
        description="一个标段。",
        clarification_deadline=at(5, 10),
        bid_deadline=at(5, 20),
        opening_at=at(5, 20, 9, 30),
    )
    services.lot_create(
        actor=w.officer, tender=tender, number=1, pilot=w.pilot_in, title="试点服务", budget_ceiling=200000
    )
    services.criterion_create(
        actor=w.officer, tender=tender, kind=CriterionKind.PRICE, name="价格", weight=40
    )
    services.criterion_create(
        actor=w.officer, tender=tender, kind=CriterionKind.TECHNICAL, name="技术方案", weight=60
    )
    if publish:
        tender = services.tender_publish(actor=w.officer, tender=tender, at=at(5, 1))
    return tender


def sealed_prices(tender) -> set[Decimal]:
    """The prices inside the tender's bids, read from their seals as only the opening may."""
    return {sealing.unseal(b.sealed)[0] for b in Bid.objects.filter(lot__tender=tender)}


def numbers(data: Any) -> set[Decimal]:
    """Every number anywhere in a JSON document."""
    if isinstance(data, dict):
        return set().union(*(numbers(v) for v in data.values())) if data else set()
    if isinstance(data, list):
        return set().union(*(numbers(v) for v in data)) if data else set()
    if isinstance(data, int | float) and not isinstance(data, bool):
        return {Decimal(str(data))}
    return set()


def releases(package, tag: str) -> list[dict[str, Any]]:
    return [r for r in package["releases"] if tag in r["tag"]]


@pytest.fixture
def full(w):
    """Every kind of release: a tender through to its contract with a milestone and a payment, a
    tender cancelled after publication, a draft and a tender cancelled while a draft."""
    s = TenderScenario(w, stage="contract")
    milestone = services.milestone_create(
        actor=w.officer,
        contract=s.contract,
        title="调研报告",
        due_date=datetime.date(2018, 6, 30),
        amount=100000,
    )
    services.payment_create(
        actor=w.officer,
        contract=s.contract,
        milestone=milestone,
        paid_on=datetime.date(2018, 7, 5),
        amount=100000,
    )
    cancelled = make_tender(w, "HBZB-2018-02")
    services.tender_cancel(actor=w.officer, tender=cancelled, reason="预算调整，重新招标。")
    make_tender(w, "HBZB-2018-03", publish=False)
    never = make_tender(w, "HBZB-2018-04", publish=False)
    services.tender_cancel(actor=w.officer, tender=never, reason="草稿作废")
    return s


# --- Tests -------------------------------------------------------------------------------------


def test_the_package_is_valid_ocds_with_its_extensions(full):
    package = ocds.build_package()
    assert_valid(package)
    assert package["version"] == "1.1"
    tags = {tag for r in package["releases"] for tag in r["tag"]}
    assert tags == {
        "tender",
        "tenderUpdate",
        "award",
        "awardUpdate",
        "tenderCancellation",
        "contract",
        "implementation",
    }


def test_the_validator_is_not_vacuous(full):
    """Broken packages fail: the $ref to the release schema resolves, and formats are checked."""
    package = ocds.build_package()
    bad_tag = copy.deepcopy(package)
    bad_tag["releases"][0]["tag"] = ["opening"]
    assert any("'opening' is not one of" in e for e in errors(bad_tag))
    bad_date = copy.deepcopy(package)
    bad_date["releases"][0]["date"] = "2018-03-01"
    assert any("is not a 'date-time'" in e for e in errors(bad_date))
    bad_bid = copy.deepcopy(package)
    next(r for r in bad_bid["releases"] if "bids" in r)["bids"]["details"][0]["status"] = "opened"
    assert errors(bad_bid) == []  # the core schema does not know bids ...
    assert any(
        "'opened' is not one of" in e for e in errors(bad_bid, extended=True)
    )  # ... the extension does
    invented = copy.deepcopy(package)
    invented["releases"][0]["tender"]["sealed"] = "x"
    with pytest.raises(AssertionError, match="fields neither"):
        assert_valid(invented)
    with pytest.raises(NoSuchResource):
        _no_network("https://standard.open-contracting.org/schema/1__1__5/release-schema.json")


def test_only_published_tenders_are_exported(full):
    package = ocds.build_package()
    ocids = {r["ocid"] for r in package["releases"]}
    assert ocids == {"ocds-uplift00-HBZB-2018-01", "ocds-uplift00-HBZB-2018-02"}
    text = json.dumps(package, ensure_ascii=False)
    assert "HBZB-2018-03" not in text and "HBZB-2018-04" not in text and "草稿作废" not in text


def test_release_ids_are_unique_and_stable(full):
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    first, second = ocds.build_package(now=now), ocds.build_package(now=now)
    assert first == second
    ids = [r["id"] for r in first["releases"]]
    assert len(ids) == len(set(ids))
    assert all(r["id"].startswith(r["ocid"] + "-") for r in first["releases"])
    assert "ocds-uplift00-HBZB-2018-01-tender-20180301T010000Z" in ids
    assert first["publishedDate"] == max(r["date"] for r in first["releases"])


def test_the_ocid_prefix_is_a_setting(w, settings):
    settings.OCDS_OCID_PREFIX = "ocds-abc123"
    make_tender(w, "HBZB-2018-05")
    package = ocds.build_package()
    assert {r["ocid"] for r in package["releases"]} == {"ocds-abc123-HBZB-2018-05"}


@pytest.mark.parametrize("stage", ["bids", "closed"])
def test_no_bid_is_revealed_before_the_opening(w, stage):
    s = TenderScenario(w, stage=stage)
    prices = sealed_prices(s.tender)
    assert len(prices) >= 3
    package = ocds.build_package()
    assert_valid(package)
    assert not prices & numbers(package)
    text = json.dumps(package, ensure_ascii=False)
    for bid in Bid.objects.filter(lot__tender=s.tender).select_related("institution"):
        assert bid.sealed not in text and bid.salt not in text and bid.commitment not in text
        assert bid.institution.credit_code not in text  # bidders are not named either
    assert not any("bids" in r or "tenderers" in r.get("tender", {}) for r in package["releases"])
    assert [r["tag"] for r in package["releases"]] == [["tender"]]


def test_prices_are_published_from_the_opening(w):
    s = TenderScenario(w, stage="opened")
    package = ocds.build_package()
    assert_valid(package)
    (opening,) = releases(package, "tenderUpdate")
    assert opening["date"] == "2018-03-20T09:30:00+08:00"
    published = {Decimal(str(d["value"]["amount"])) for d in opening["bids"]["details"]}
    assert published == sealed_prices(s.tender)
    assert {d["status"] for d in opening["bids"]["details"]} == {"valid"}
    stats = {(x["relatedLot"], x["measure"]): x["value"] for x in opening["bids"]["statistics"]}
    assert stats[("1", "bids")] == 3 and stats[("1", "validBids")] == 3
    assert stats[("1", "lowestValidBidValue")] == 380000
    assert opening["tender"]["numberOfTenderers"] == len(
        {d["tenderers"][0]["id"] for d in opening["bids"]["details"]}
    )
    # The notice of publication is unchanged: no bid in it.
    (notice,) = releases(package, "tender")
    assert "bids" not in notice


def test_award_and_contract(full):
    s = full
    package = ocds.build_package()
    (award_release,) = releases(package, "award")
    awards = {a["relatedLots"][0]: a for a in award_release["awards"]}
    s.lot.refresh_from_db()
    award = s.lot.award
    assert Decimal(str(awards["1"]["value"]["amount"])) == award.amount
    assert awards["1"]["value"]["currency"] == "CNY"
    assert awards["1"]["status"] == "pending"  # the standstill period
    assert awards["1"]["relatedBid"] in {d["id"] for d in award_release["bids"]["details"]}
    assert award_release["tender"]["status"] == "complete"
    (standstill,) = releases(package, "awardUpdate")
    assert {a["status"] for a in standstill["awards"]} == {"active"}
    contract_releases = releases(package, "contract")
    assert len(contract_releases) == 1
    (contract,) = contract_releases[0]["contracts"]
    assert contract["id"] == "HBHT-2018-01"
    assert contract["awardID"] == awards["1"]["id"]
    assert Decimal(str(contract["value"]["amount"])) == s.contract.amount == award.amount
    assert contract["dateSigned"] == "2018-04-02T00:00:00+08:00"
    supplier = next(p for p in contract_releases[0]["parties"] if "supplier" in p["roles"])
    assert supplier["identifier"] == {
        "scheme": "CN-USCI",
        "id": award.bid.institution.credit_code,
        "legalName": award.bid.institution.name,
    }
    buyer = next(p for p in contract_releases[0]["parties"] if "buyer" in p["roles"])
    assert buyer["name"] == "湖北省市场监督管理局" == contract_releases[0]["buyer"]["name"]
    (implementation,) = releases(package, "implementation")
    (impl,) = implementation["contracts"]
    assert [t["value"] for t in impl["implementation"]["transactions"]] == [
        {"amount": 100000, "currency": "CNY"}
    ]
    assert [m["status"] for m in impl["implementation"]["milestones"]] == ["scheduled"]


def test_a_cancelled_tender_says_why(full):
    package = ocds.build_package()
    (cancellation,) = releases(package, "tenderCancellation")
    assert cancellation["ocid"] == "ocds-uplift00-HBZB-2018-02"
    assert cancellation["tender"]["status"] == "cancelled"
    assert cancellation["tender"]["lots"][0]["status"] == "cancelled"
    assert cancellation["tender"]["documents"][0]["documentType"] == "cancellationDetails"
    assert cancellation["tender"]["documents"][0]["description"] == "预算调整，重新招标。"


def test_award_criteria_are_broken_down(full):
    package = ocds.build_package()
    notice = next(
        r for r in package["releases"] if r["ocid"].endswith("HBZB-2018-01") and r["tag"] == ["tender"]
    )
    criteria = notice["tender"]["lots"][0]["awardCriteria"]["criteria"]
    assert [(c["type"], c["name"], c["numbers"][0]["number"]) for c in criteria] == [
        ("price", "价格", 30),
        ("quality", "技术方案", 40),
        ("quality", "服务方案", 20),
        ("quality", "资质与业绩", 10),
    ]
    assert notice["tender"]["awardCriteria"] == "ratedCriteria"
    assert "100 points" in notice["tender"]["awardCriteriaDetails"]


def test_extension_urls_are_declared_strings():
    """Declared as plain URL strings (OCDS tools fetch them; the test never does)."""
    assert set(ocds.EXTENSIONS) == set(EXTENSION_COPIES)
    for name, url in ocds.EXTENSIONS.items():
        assert isinstance(url, str)
        assert url.startswith("https://raw.githubusercontent.com/open-contracting-extensions/")
        assert url.endswith("/extension.json")
        assert _uri(url)
        assert (EXTENSIONS / EXTENSION_COPIES[name] / "release-schema.json").exists()


def test_the_export_reads_a_fixed_number_of_queries(w):
    TenderScenario(w, stage="contract")
    services.tender_cancel(actor=w.officer, tender=make_tender(w, "HBZB-2018-20"), reason="取消")
    with CaptureQueriesContext(connection) as few:
        ocds.build_package()
    for i in range(3):
        make_tender(w, f"HBZB-2018-1{i}")
    services.tender_cancel(actor=w.officer, tender=make_tender(w, "HBZB-2018-21"), reason="取消")
    with CaptureQueriesContext(connection) as more:
        package = ocds.build_package()
    assert len({r["ocid"] for r in package["releases"]}) == 6
    assert len(more) == len(few)


def test_language_follows_the_export(w):
    make_tender(w, "HBZB-2018-05")
    assert ocds.build_package(language="zh-hans")["releases"][0]["language"] == "zh-Hans"
    assert ocds.build_package(language="en")["releases"][0]["language"] == "en"


# --- The command -------------------------------------------------------------------------------


def test_the_command_writes_a_file(full, tmp_path):
    out = tmp_path / "export" / "ocds.json"
    stdout = StringIO()
    call_command("export", "ocds", out=str(out), stdout=stdout)
    package = json.loads(out.read_text(encoding="utf-8"))
    assert_valid(package)
    assert "HBZB-2018-01" in out.read_text(encoding="utf-8")
    assert str(out) in stdout.getvalue()


def test_the_command_writes_to_standard_output_by_default(full):
    stdout = StringIO()
    call_command("export", "ocds", "--programme", "hubei-2018", stdout=stdout)
    package = json.loads(stdout.getvalue())
    assert package["uri"] == "urn:uplift:ocds:ocds-uplift00:hubei-2018"
    assert len(package["releases"]) >= 7


def test_the_command_refuses_what_it_cannot_export(w):
    with pytest.raises(CommandError, match="nothing to export"):
        call_command("export", "ocds", stdout=StringIO())
    with pytest.raises(CommandError, match="Unknown programme"):
        call_command("export", "ocds", "--programme", "nowhere", stdout=StringIO())
    make_tender(w, "HBZB-2018-05")
    with pytest.raises(CommandError, match="no published tender"):
        call_command("export", "ocds", "--programme", "hunan-2018", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("export", "bulletin", stdout=StringIO())
