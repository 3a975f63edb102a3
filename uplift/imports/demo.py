"""Demo imports: Huanggang's city bureau sends its 2018 list of newly registered quality-programme
enterprises as a spreadsheet. A first dry run finds two bad rows (a mistyped credit code and a
Hanchuan firm that is not Huanggang's to register); the corrected file is then imported — 40
enterprises, all in one transaction — and the same file imported again changes nothing."""

from __future__ import annotations

import io

from uplift.accounts.models import User
from uplift.registry.demo import credit_code
from uplift.registry.models import Region

from . import services
from .kinds import KINDS
from .models import ImportRun
from .workbooks import write_rows

FILE = "黄冈市2018年新增品质提升企业名单.xlsx"
HEADER = KINDS["enterprises"].headers(
    "credit_code", "name", "region", "industry", "size_class", "employees", "annual_revenue"
)
TRADES = [("蕲艾制品", "15"), ("中药饮片", "27"), ("竹木家具", "21"), ("纺织服装", "18"), ("食品加工", "14")]
SIZES = ["小型", "微型", "中型"]


def _rows(ctx, counties: list[Region], n: int = 40) -> list[list[object]]:
    rows = []
    for i in range(n):
        county = counties[i % len(counties)]
        trade, industry = TRADES[i % len(TRADES)]
        place = county.name.removesuffix("市").removesuffix("县").removesuffix("区")
        rows.append(
            [
                credit_code("91", county.code, 880_000 + i),
                f"{place}{trade}示范企业{i + 1:02d}有限公司",
                county.code,
                industry,
                SIZES[ctx.rng.randrange(len(SIZES))],
                ctx.rng.randrange(12, 400),
                f"{ctx.rng.randrange(2, 90) * 100_000:,}",
            ]
        )
    return rows


def _xlsx(rows: list[list[object]]) -> io.BytesIO:
    out = io.BytesIO()
    write_rows(out, title="黄冈市市场监督管理局 2018年新增品质提升企业名单", header=HEADER, rows=rows)
    out.seek(0)
    return out


def build(ctx) -> None:
    if ImportRun.objects.filter(file_name=FILE).exists():
        ctx.say("imports: already built")
        return
    officer = User.objects.get(username="huanggang.officer")
    counties = list(Region.objects.filter(parent_id="421100").order_by("code"))
    rows = _rows(ctx, counties)
    first = [list(r) for r in rows]
    first[6][0] = first[6][0][:-1] + ("0" if first[6][0][-1] != "0" else "1")  # a mistyped check character
    first[17][2] = "420984"  # a Hanchuan (Xiaogan) firm: not Huanggang's to register
    checked = services.import_file(
        actor=officer, kind="enterprises", file=_xlsx(first), name=FILE, dry_run=True
    )
    done = services.import_file(actor=officer, kind="enterprises", file=_xlsx(rows), name=FILE)
    again = services.import_file(actor=officer, kind="enterprises", file=_xlsx(rows), name=FILE)
    ctx.say(
        f"imports: {FILE}: dry run {checked.rejected} rows rejected; imported {done.created} enterprises; "
        f"imported again: {again.unchanged} unchanged"
    )
