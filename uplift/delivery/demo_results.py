"""What the Hubei 2018 programme's work produced: problems solved, standards, benefits.

Runs after :mod:`uplift.delivery.demo` (it needs its started projects and approved activities) and
draws the records from which the published results are computed:

* Hanchuan children's vehicles (汉川小童车): 56 quality problems found in the bureau's own surveys
  and diagnoses (outside any project), at firms that took part in them; all 56 corrected and
  verified on site by the province officer before the end of 2018 — 56 found, 56 solved.
* The 12 pilot projects: a few problems each, found by the institutions in their surveys and
  diagnoses; most closed, some still open (a few past their deadline at the end of 2018, a few due
  in January 2019), a few corrected and waiting for verification, one reopened because the
  correction did not hold up. They count in their own clusters only, never in Hanchuan's. The
  deadlines of the open ones (and the reopened one's new deadline) fall in January 2019, the only
  dates after 2018; note that pages judge "overdue" against today, so a live system shows every
  problem still open as overdue.
* Standards. Qichun mugwort (蕲春蕲艾): 3 local standards (DB42/T, 种植 / 采收 / 加工与贮存)
  drafted in its project, approved and published in 2018; and 88 enterprise-standard evaluation
  reports, one each to 88 distinct cluster firms that took part in the project. A report evaluates
  *the firm's own enterprise standard* (企业标准水平评价): each firm's Q/ standard is registered in
  the standard registry (published by the firm in 2017–2018) and the report is issued against it,
  using the new local standards as the benchmark (named in the report's summary). That is what an
  enterprise-standard evaluation is, and it keeps the registry honest: a report always names the
  exact standard it judged. Qianjiang crayfish (潜江小龙虾): 4 local standards approved in 2018,
  two new and two revisions (the earlier editions are in the registry, one withdrawn when its
  revision was published). Elsewhere: three group standards (T/...), which are not local, and a
  local standard of Enshi still in public consultation, which is not approved — neither counts.
* Benefits. Xiantao women's casual wear (仙桃休闲女装): 144 of the park's 168 firms each avoided
  ¥0.8–1M of losses by labelling correctly; the amounts are drawn and then adjusted so that they
  add up to exactly ¥130,000,000. A handful of verified claims in other pilots; three claims still
  waiting for verification and one rejected, which count nowhere. Claims are submitted by the
  institution's user where the demo has one (Qichun), otherwise by the system, and always verified
  by the province officer.
* KPIs of the new kinds on the Qichun, Qianjiang and Xiantao projects.

Every write goes through the services, dated in the 2018 timeline (``at=`` and the date fields).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from uplift.accounts.choices import Role
from uplift.accounts.models import Membership, User
from uplift.programmes.models import Programme
from uplift.registry.models import Enterprise

from . import services
from .choices import (
    ActivityKind,
    ActivityStatus,
    BenefitKind,
    EvaluationConclusion,
    KpiKind,
    ProblemCategory,
    Severity,
    StandardLevel,
    StandardStatus,
    StandardWorkKind,
)
from .demo import PROGRAMME, _at
from .models import Activity, Participation, Problem, ServiceProject

YEAR_END = datetime.date(2018, 12, 31)
D = datetime.date
HANCHUAN, QICHUN, QIANJIANG, XIANTAO = "汉川小童车", "蕲春蕲艾", "潜江小龙虾", "仙桃休闲女装"
HANCHUAN_PROBLEMS = 56
EVALUATION_REPORTS = 88
XIANTAO_FIRMS, XIANTAO_TOTAL, XIANTAO_RANGE = 144, 130_000_000, (800_000, 1_000_000)
#: Problems each pilot project found (the three featured clusters a few more).
PROJECT_PROBLEMS = {QICHUN: 6, QIANJIANG: 6, XIANTAO: 6}
PROJECT_PROBLEMS_DEFAULT = 5
#: How the pilots' problems stand at the end of 2018 (the rest are closed).
OUTCOMES = {"reopened": 1, "corrected": 5, "overdue": 4, "open": 3}
LOCAL_ISSUER = "湖北省质量技术监督局"

# --- Problems ------------------------------------------------------------------------------------
# (category, severity, description, root cause, corrective action); {prod}, {m} and {std} are the
# product, its model and its safety standard.
HANCHUAN_PRODUCTS = [
    ("婴儿推车", "GB 14748-2006"),
    ("儿童三轮车", "GB 14747-2006"),
    ("儿童自行车", "GB 14746-2006"),
    ("电动童车", "GB 6675-2014"),
]
HANCHUAN_TEMPLATES = [
    (
        ProblemCategory.LABELLING,
        Severity.MINOR,
        "{prod}（{m}）使用说明书缺少“必须在成人监护下使用”等警示语，未标注适用年龄和最大承载质量。",
        "说明书沿用多年前的模板，未对照{std}的标识和警示语条款逐条核对。",
        "按{std}重新编写说明书和警示标签，库存产品逐件加贴；新增说明书出版前由质量负责人审核签字。",
    ),
    (
        ProblemCategory.LABELLING,
        Severity.MAJOR,
        "{prod}（{m}）产品及外包装未标注执行标准编号，3C认证标志使用不规范。",
        "包装由外协印刷厂设计制作，设计稿未经质量部门审核。",
        "修改包装设计稿，加印执行标准{std}和规范的3C标志；建立包装标识审核单，外协印刷首件确认。",
    ),
    (
        ProblemCategory.LABELLING,
        Severity.MINOR,
        "{prod}合格证未标注生产批号和检验员代号，无法对应出厂检验记录。",
        "合格证格式多年未更新，检验员填写随意，无人检查。",
        "重新设计合格证，增加批号、检验员代号和检验日期栏，与出厂检验记录一一对应并抽查。",
    ),
    (
        ProblemCategory.INSPECTION,
        Severity.MAJOR,
        "出厂检验未做{prod}（{m}）驻车制动性能试验，只做外观和装配检查。",
        "缺少坡道试验台，检验员不掌握{std}规定的试验方法。",
        "自制15°坡道试验台，检验员参加童车安全标准技术讲解；每批抽检驻车性能并记录。",
    ),
    (
        ProblemCategory.INSPECTION,
        Severity.MINOR,
        "检验用游标卡尺、推拉力计未经计量检定，已超过检定周期。",
        "未建立计量器具台账，无人负责周期送检。",
        "建立计量器具台账，全部器具送汉川市计量检定测试所检定并张贴合格标识，指定专人管理。",
    ),
    (
        ProblemCategory.INSPECTION,
        Severity.MAJOR,
        "未检测可触及锐利边缘和尖端，{prod}（{m}）车架管口有毛刺。",
        "未配备锐边、锐尖测试器，去毛刺工序无检验要求。",
        "购置锐边锐尖测试器；车架管口增加倒角去毛刺工序，并纳入过程检验项目。",
    ),
    (
        ProblemCategory.PROCESS,
        Severity.SEVERE,
        "{prod}（{m}）折叠锁定装置装配不到位，受力后可能意外折叠。",
        "锁定销孔冲压公差偏大，装配工未按作业指导书做双重锁定检查。",
        "更换锁定销孔冲压模具，装配工位增加双重锁定自检和防错工装；已售同批产品召回更换锁定件。",
    ),
    (
        ProblemCategory.PROCESS,
        Severity.MAJOR,
        "{prod}车架焊缝存在虚焊、漏焊，抽查3件中1件焊缝开裂。",
        "焊工未经培训考核上岗，焊接电流、速度等参数未固化。",
        "焊工参加培训考核后持证上岗；固化焊接工艺参数并张贴作业指导书，焊缝全数目检、每班抽样做破坏性试验。",
    ),
    (
        ProblemCategory.PROCESS,
        Severity.SEVERE,
        "{prod}（{m}）铰链处可触及孔隙在5–12 mm之间，有夹伤儿童手指的风险。",
        "结构设计未对照{std}的孔隙要求评审，沿用仿制图纸。",
        "修改铰链护罩设计消除危险孔隙；建立新品设计安全评审制度，新品投产前送检。",
    ),
    (
        ProblemCategory.PROCESS,
        Severity.MINOR,
        "{prod}紧固件外露螺纹过长，且未加装护帽。",
        "螺栓规格选型偏长，装配后无人检查外露长度。",
        "更换长度合适的螺栓并加装圆头护帽，将外露螺纹检查写入装配检验卡。",
    ),
    (
        ProblemCategory.MATERIALS,
        Severity.SEVERE,
        "{prod}（{m}）塑料把套邻苯二甲酸酯增塑剂超标（DEHP+DBP+BBP 实测0.32%，限值0.1%）。",
        "从无资质的供应商采购再生塑料粒子，进货时未要求检测报告。",
        "更换合格供应商并签订质量协议，每批粒子索取第三方检测报告；库存不合格件全部隔离报废。",
    ),
    (
        ProblemCategory.MATERIALS,
        Severity.SEVERE,
        "{prod}车身涂层可迁移元素铅超标。",
        "为降低成本换用低价油漆，外购油漆未索取检测报告。",
        "改用环保水性漆，建立油漆进货检验制度，每季度送检可迁移元素。",
    ),
    (
        ProblemCategory.MATERIALS,
        Severity.MAJOR,
        "外购轮胎、车轮无供方检验报告，进货只核对数量。",
        "没有进货检验制度，采购员兼做检验。",
        "制定进货检验规程，设专职进货检验员；关键外购件每批索证并抽检。",
    ),
    (
        ProblemCategory.TRACEABILITY,
        Severity.MINOR,
        "原材料进货台账不全，{prod}成品无法追溯到钢管和塑料粒子的批次。",
        "生产流转卡不记录原材料批号。",
        "建立批次管理制度，领料单和生产流转卡记录原材料批号，实现成品到原料的追溯。",
    ),
    (
        ProblemCategory.MANAGEMENT,
        Severity.MINOR,
        "没有不合格品控制程序，返工品与合格品混放。",
        "企业规模小，质量职责不明确，无专人负责。",
        "制定不合格品控制程序，设置并标识不合格品隔离区，任命质量负责人并明确职责。",
    ),
    (
        ProblemCategory.MANAGEMENT,
        Severity.MINOR,
        "顾客投诉无记录、无原因分析，同类问题反复出现。",
        "未建立投诉处理和纠正措施制度。",
        "建立顾客投诉登记和原因分析台账，每月召开质量分析会跟踪整改效果。",
    ),
]
#: The pilots' product, for the generic templates below.
PRODUCTS = {
    "黄石铝型材": "铝型材",
    "十堰汽车铸锻": "铸锻件",
    "襄阳新能源汽车及零部件": "电驱动零部件",
    "宜昌柑橘": "柑橘",
    "荆州汽车零部件": "汽车零部件",
    "应城盐化工": "工业盐",
    QICHUN: "艾制品",
    "咸宁智慧机电": "机电产品",
    "随州专用汽车": "专用汽车",
    "恩施硒产品": "富硒茶",
    XIANTAO: "服装",
    QIANJIANG: "小龙虾",
}
PROJECT_TEMPLATES = [
    (
        ProblemCategory.LABELLING,
        Severity.MINOR,
        "{p}产品标签未标注执行标准编号和生产日期。",
        "对产品标识相关国家标准不熟悉，标签多年未更新。",
        "对照标准修改标签和包装，新增标签审核环节。",
    ),
    (
        ProblemCategory.INSPECTION,
        Severity.MAJOR,
        "出厂检验项目少于{p}产品标准的规定，检验记录不完整。",
        "检验人员不足，检验规程未随标准更新。",
        "修订检验规程补齐检验项目，增配检验员并参加培训。",
    ),
    (
        ProblemCategory.INSPECTION,
        Severity.MINOR,
        "检测设备未按期检定校准。",
        "未建立计量器具台账，无人负责周期送检。",
        "建立计量器具台账，全部送检并指定专人管理。",
    ),
    (
        ProblemCategory.PROCESS,
        Severity.MAJOR,
        "关键工序无作业指导书，{p}批次间质量波动大。",
        "工艺参数凭操作工经验控制，未经验证固化。",
        "编制关键工序作业指导书，固化工艺参数，对关键特性开展SPC监控。",
    ),
    (
        ProblemCategory.MATERIALS,
        Severity.MAJOR,
        "原材料进货验收只凭供方合格证，未按批抽检。",
        "没有进货检验制度，供方未经评价。",
        "制定进货检验规程，关键原料每批抽检；评价供方并更新合格供方名录。",
    ),
    (
        ProblemCategory.TRACEABILITY,
        Severity.MINOR,
        "生产记录不记批号，{p}出现质量问题时无法追溯。",
        "生产记录表格设计不全，未建立批次管理。",
        "修订生产记录表，建立从原料到成品的批次追溯。",
    ),
    (
        ProblemCategory.MANAGEMENT,
        Severity.MINOR,
        "未开展内部质量审核和管理评审。",
        "质量管理体系文件齐全，但执行流于形式。",
        "组织内审员培训，完成内部审核和管理评审，跟踪不符合项整改。",
    ),
]
CLUSTER_TEMPLATES = {
    QICHUN: [
        (
            ProblemCategory.LABELLING,
            Severity.MAJOR,
            "艾条包装标注“五年陈艾、30:1艾绒”，与实际原料和绒度不符。",
            "为迎合市场宣传随意标注，企业标准未规定陈艾年份和绒度的判定方法。",
            "按实际原料修改包装标注，在企业标准中增加陈艾年份和绒度的判定方法并公开。",
        ),
        (
            ProblemCategory.MATERIALS,
            Severity.MAJOR,
            "艾绒含杂率超出企业标准规定（实测8.6%，标准≤5%）。",
            "原料艾叶未按批晾晒陈化，筛选只做一遍。",
            "增加一道筛选工序，原料艾叶按批次晾晒陈化并记录，每批检测含杂率。",
        ),
    ],
    XIANTAO: [
        (
            ProblemCategory.LABELLING,
            Severity.MAJOR,
            "休闲裤耐久性标签纤维含量与实测不符（标注棉95%，实测棉68%）。",
            "面料采购只凭供方口头描述，成品未做纤维含量检测。",
            "面料每批送检纤维含量，按检测结果制作耐久性标签；已出库产品召回换标。",
        ),
        (
            ProblemCategory.LABELLING,
            Severity.MINOR,
            "吊牌未标注安全技术类别（GB 18401 B类）和洗涤方法。",
            "吊牌由外协印刷，设计时未对照GB/T 5296.4。",
            "按GB/T 5296.4和GB 18401重新设计吊牌，建立标识审核单。",
        ),
    ],
    QIANJIANG: [
        (
            ProblemCategory.TRACEABILITY,
            Severity.MAJOR,
            "养殖投入品（饲料、渔药）使用记录缺失，无法说明用药休药期。",
            "养殖户未建立生产记录，合作社未督促检查。",
            "发放统一的养殖生产记录本，合作社每月检查；收购时查验用药记录。",
        ),
        (
            ProblemCategory.PROCESS,
            Severity.MAJOR,
            "冷链运输未记录温度，冻虾到货中心温度-12℃，高于-18℃的要求。",
            "冷藏车未装温度记录仪，装车前未预冷。",
            "冷藏车加装温度记录仪并随货打印温度曲线，装车前预冷至-18℃以下。",
        ),
    ],
    "黄石铝型材": [
        (
            ProblemCategory.INSPECTION,
            Severity.MAJOR,
            "阳极氧化型材膜厚抽检低于GB/T 5237.2要求，检测记录不全。",
            "氧化槽电流密度控制不稳，膜厚只抽检不记录。",
            "加装电流密度自动控制，每槽抽测膜厚并记录。",
        ),
    ],
    "十堰汽车铸锻": [
        (
            ProblemCategory.PROCESS,
            Severity.MAJOR,
            "壳体铸件气孔、缩松缺陷率高达8.2%。",
            "浇注温度和砂型水分控制不稳定。",
            "固化浇注温度窗口，型砂水分每班检测，开展QC小组攻关。",
        ),
    ],
}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱胡郭何罗高林马"
GIVEN = "建华 国强 志勇 秀英 海燕 明 伟 敏 军 丽 杰 涛 春燕 红梅 志刚".split()
DEPARTMENTS = ["质量部", "生产部", "技术部", "采购部", "总经理", "品管部"]
VERIFIED = [
    "现场复查，整改措施已落实。",
    "抽样复检合格，整改有效，同意关闭。",
    "查阅整改记录和复检报告，同意关闭。",
    "现场验证：新的作业指导书已执行，关闭。",
]

# --- Standards -----------------------------------------------------------------------------------
# (number, title, drafting started, approved, published, in force from)
QICHUN_LOCAL = [
    ("DB42/T 1448-2018", "蕲艾种植技术规程", D(2018, 6, 4), D(2018, 9, 14), D(2018, 10, 12), D(2018, 12, 12)),
    ("DB42/T 1449-2018", "蕲艾采收技术规程", D(2018, 6, 4), D(2018, 9, 14), D(2018, 10, 12), D(2018, 12, 12)),
    (
        "DB42/T 1450-2018",
        "蕲艾加工与贮存技术规程",
        D(2018, 6, 11),
        D(2018, 9, 28),
        D(2018, 10, 26),
        D(2018, 12, 26),
    ),
]
#: (number, title, earlier edition or None, drafting started, approved, published or None)
QIANJIANG_LOCAL = [
    # new standards
    ("DB42/T 1456-2018", "潜江龙虾 冷链物流操作规范", None, D(2018, 6, 8), D(2018, 10, 19), D(2018, 11, 16)),
    ("DB42/T 1457-2018", "克氏原螯虾 苗种繁育技术规程", None, D(2018, 6, 15), D(2018, 12, 7), None),
    # revisions of earlier editions (number, approved, published)
    (
        "DB42/T 1193-2018",
        "虾稻共作 克氏原螯虾养殖技术规程",
        ("DB42/T 1193-2016", D(2016, 7, 8), D(2016, 8, 1)),
        D(2018, 6, 8),
        D(2018, 10, 19),
        D(2018, 11, 16),
    ),
    (
        "DB42/T 1089-2018",
        "克氏原螯虾 冻品加工技术规范",
        ("DB42/T 1089-2015", D(2015, 9, 10), D(2015, 10, 9)),
        D(2018, 7, 2),
        D(2018, 12, 7),
        None,
    ),
]
# Group standards elsewhere (cluster, number, title, issued by, started, approved, published).
GROUP = [
    (
        "宜昌柑橘",
        "T/YCGJ 001-2018",
        "宜昌蜜橘 鲜果分等分级",
        "宜昌市柑橘协会",
        D(2018, 6, 20),
        D(2018, 10, 30),
        D(2018, 11, 8),
    ),
    (
        "随州专用汽车",
        "T/SZZQ 003-2018",
        "罐式专用汽车 罐体焊接质量要求",
        "随州市专用汽车行业协会",
        D(2018, 7, 5),
        D(2018, 11, 20),
        D(2018, 12, 3),
    ),
    (
        "黄石铝型材",
        "T/HSLX 001-2018",
        "建筑用隔热铝合金型材 质量分级",
        "黄石市铝型材行业协会",
        D(2018, 7, 16),
        D(2018, 12, 14),
        None,
    ),
]
ENSHI = ("恩施硒产品", "恩施富硒茶 加工技术规程", D(2018, 7, 9))  # local, still in consultation
#: The Qichun firms' products, with what an evaluation of their standard checks.
QICHUN_PRODUCTS = [
    ("艾条", "艾绒含杂率、含水率、燃烧性能和标注内容"),
    ("艾绒", "含杂率、含水率、绒度和标注内容"),
    ("艾柱", "艾绒含杂率、含水率、燃烧性能和标注内容"),
    ("艾灸贴", "艾绒含量、发热温度与持续时间和标注内容"),
    ("艾叶足浴包", "艾叶含量、含水率、微生物指标和标注内容"),
]

VERDICTS = {
    EvaluationConclusion.CONFORMS: "各项技术指标不低于地方标准要求，标注内容完整，评价为符合。",
    EvaluationConclusion.PARTLY: "技术指标符合要求，但检验规则不完整、标注要求不明确，"
    "建议修订后重新自我声明公开。",
    EvaluationConclusion.DOES_NOT: "部分技术指标低于地方标准要求，评价为不符合，已书面告知企业修订企业标准。",
}

# --- Benefits ------------------------------------------------------------------------------------
# (cluster, for a firm?, kind, amount, calculation, evidence, outcome)
OTHER_BENEFITS = [
    (
        QICHUN,
        True,
        BenefitKind.REVENUE_GAINED,
        2_350_000,
        "艾条产品按企业标准评价结论整改后进入连锁药店渠道：2018年7–12月新增销量47万盒 × 毛利5元。",
        "连锁药店供货合同；2018年下半年销售台账和增值税发票汇总；企业标准评价报告。",
        "verified",
    ),
    (
        QIANJIANG,
        True,
        BenefitKind.COST_SAVED,
        1_280_000,
        "冷链温控整改后成品虾损耗率由6.5%降至3.2%：2018年8–12月加工量3,880吨 × 3.3% × 原料成本1万元/吨。",
        "冷库和冷藏车温度记录；整改前后损耗统计表；财务部门出具的成本测算说明。",
        "verified",
    ),
    (
        "黄石铝型材",
        True,
        BenefitKind.COST_SAVED,
        960_000,
        "挤压和氧化工艺参数固化后废品率由4.8%降至2.1%：2018年7–12月产量2,370吨 × 2.7% × 1.5万元/吨。",
        "生产日报和废品统计表；工艺参数变更记录；财务成本核算表。",
        "verified",
    ),
    (
        "随州专用汽车",
        True,
        BenefitKind.REVENUE_GAINED,
        3_400_000,
        "罐体焊接质量提升后取得两家物流企业批量订单：新增罐式车85辆 × 单车利润4万元。",
        "订单合同；出厂检验和焊缝探伤报告；销售台账。",
        "verified",
    ),
    (
        "宜昌柑橘",
        False,
        BenefitKind.REVENUE_GAINED,
        4_500_000,
        "按团体标准分级包装后一级果溢价：一级果1.5万吨 × 溢价0.3元/公斤。",
        "合作社分级销售台账；批发市场价格监测数据；宜昌市柑橘协会出具的说明。",
        "verified",
    ),
    (
        "襄阳新能源汽车及零部件",
        True,
        BenefitKind.COST_SAVED,
        2_100_000,
        "电机壳体加工一次合格率由91%提高到97%：减少返工和报废。",
        "质量月报；返工报废统计。",
        "submitted",
    ),
    (
        "咸宁智慧机电",
        True,
        BenefitKind.COST_SAVED,
        750_000,
        "导入QC小组活动后降低售后维修费用。",
        "售后维修台账；QC成果报告。",
        "submitted",
    ),
    (
        "恩施硒产品",
        False,
        BenefitKind.REVENUE_GAINED,
        1_600_000,
        "富硒茶统一检测和标识后出口订单增加。",
        "出口报关单汇总；检测报告。",
        "submitted",
    ),
    (
        "十堰汽车铸锻",
        True,
        BenefitKind.COST_SAVED,
        5_000_000,
        "质量提升后全年成本下降：按2018年销售额2.5亿元 × 2%测算。",
        "企业年度财务报表。",
        "rejected",
    ),
]
REJECTION = (
    "测算以全年销售额为基数，未扣除与本项目无关的产能扩张和原材料降价因素；"
    "请按质量成本口径（废品、返工、索赔）重新测算并附财务凭证。"
)


def build(ctx) -> None:
    programme = ctx.objects.get("programme") or Programme.objects.get(slug=PROGRAMME)
    if Problem.objects.filter(programme=programme).exists():
        ctx.say("delivery results: already built")
        return
    officer = User.objects.get(username="hubei.officer")
    projects = {
        p.pilot.cluster.name: p
        for p in ServiceProject.objects.filter(pilot__programme=programme)
        .select_related("pilot__cluster__region", "institution")
        .order_by("pilot__cluster__name")
    }
    staff = {
        m.organisation.institution_id: m.user
        for m in Membership.objects.filter(
            role=Role.INSTITUTION_STAFF, is_active=True, organisation__institution__isnull=False
        )
        .select_related("user", "organisation")
        .order_by("pk")
    }

    def actor_of(project):
        """The institution's own demo user where there is one, or the system."""
        return staff.get(project.institution_id, ctx.actor)

    found = _hanchuan_problems(ctx, programme, officer)
    found += _project_problems(ctx, projects, actor_of)
    standards = _standards(ctx, projects, actor_of)
    benefits = _benefits(ctx, projects, actor_of, officer)
    _kpis(ctx, projects)
    ctx.say(
        f"delivery results: {found} problems, {standards} standards and reports, {benefits} benefit claims"
    )


# --- Problems ------------------------------------------------------------------------------------


def _person(ctx) -> str:
    rng = ctx.rng
    return f"{rng.choice(DEPARTMENTS)} {rng.choice(SURNAMES)}{rng.choice(GIVEN)}"


def _participants(activities) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {a.pk: [] for a in activities}
    for activity_id, enterprise_id in (
        Participation.objects.filter(activity__in=list(out))
        .order_by("activity_id", "enterprise_id")
        .values_list("activity_id", "enterprise_id")
    ):
        out[activity_id].append(enterprise_id)
    return out


def _finding_activities(**filters):
    """Approved surveys and diagnoses: where problems are found."""
    return list(
        Activity.objects.filter(
            status=ActivityStatus.APPROVED, kind__in=[ActivityKind.SURVEY, ActivityKind.DIAGNOSIS], **filters
        ).order_by("held_on", "pk")
    )


def _hanchuan_problems(ctx, programme, officer) -> int:
    """56 problems found by the Hanchuan bureau, each corrected and verified before the year's end."""
    rng = ctx.rng
    activities = _finding_activities(programme=programme, cluster__name=HANCHUAN, project__isnull=True)
    people = _participants(activities)
    enterprises = Enterprise.objects.in_bulk([e for ids in people.values() for e in ids])
    # Diagnoses find more than surveys; every activity finds at least one.
    weights = [3 if a.kind == ActivityKind.DIAGNOSIS else 2 for a in activities]
    where = list(activities) + rng.choices(activities, weights, k=HANCHUAN_PROBLEMS - len(activities))
    templates = [HANCHUAN_TEMPLATES[i % len(HANCHUAN_TEMPLATES)] for i in range(HANCHUAN_PROBLEMS)]
    rng.shuffle(templates)
    used: set[tuple[int, int]] = set()
    for activity, template in zip(sorted(where, key=lambda a: (a.held_on, a.pk)), templates, strict=True):
        prod, std = rng.choice(HANCHUAN_PRODUCTS)
        model = f"{rng.choice(['HC', 'TC', 'BB', 'YC'])}-{rng.randint(100, 899)}"
        enterprise_id = rng.choice([e for e in people[activity.pk] if (activity.pk, e) not in used])
        used.add((activity.pk, enterprise_id))
        _problem(
            ctx,
            ctx.actor,
            officer,
            template,
            {"prod": prod, "std": std, "m": model},
            outcome="closed",
            activity=activity,
            enterprise=enterprises[enterprise_id],
            found_on=activity.held_on + datetime.timedelta(days=rng.randint(0, 2)),
        )
    return HANCHUAN_PROBLEMS


def _project_problems(ctx, projects, actor_of) -> int:
    """A few problems in each pilot project, at every stage of their correction."""
    rng = ctx.rng
    slots = [
        (name, i) for name in projects for i in range(PROJECT_PROBLEMS.get(name, PROJECT_PROBLEMS_DEFAULT))
    ]
    outcomes = [o for o, n in OUTCOMES.items() for _ in range(n)]
    outcomes += ["closed"] * (len(slots) - len(outcomes))
    rng.shuffle(outcomes)
    by_project = {name: _finding_activities(project=p) for name, p in projects.items()}
    people = _participants([a for acts in by_project.values() for a in acts])
    enterprises = Enterprise.objects.in_bulk({e for ids in people.values() for e in ids})
    found = {  # when a problem that ends the year this way was found (the activity's day)
        "closed": (D(2018, 5, 1), D(2018, 11, 30)),
        "corrected": (D(2018, 10, 20), D(2018, 12, 10)),  # corrected lately, to verify
        "overdue": (D(2018, 5, 1), D(2018, 11, 15)),  # its deadline passed before the year's end
        "reopened": (D(2018, 5, 1), D(2018, 10, 31)),
        "open": (D(2018, 11, 20), YEAR_END),  # due in January 2019
    }
    for (name, _i), outcome in zip(slots, outcomes, strict=True):
        project = projects[name]
        acts = by_project[name]
        first, last = found[outcome]
        activity = rng.choice([a for a in acts if first <= a.held_on <= last] or acts[-3:])
        found_on = activity.held_on + datetime.timedelta(days=rng.randint(0, 2))
        deadline = None
        if outcome == "open":
            deadline = found_on + datetime.timedelta(days=rng.choice([35, 45, 60]))
        elif outcome == "overdue":
            deadline = found_on + datetime.timedelta(days=rng.randint(15, 30))
        _problem(
            ctx,
            actor_of(project),
            actor_of(project),
            rng.choice(CLUSTER_TEMPLATES.get(name, []) + PROJECT_TEMPLATES),
            {"p": PRODUCTS[name]},
            outcome=outcome,
            activity=activity,
            enterprise=enterprises[rng.choice(people[activity.pk])],
            found_on=found_on,
            deadline=deadline,
        )
    return len(slots)


def _problem(ctx, actor, verifier, template, words, *, outcome, found_on, deadline=None, **fields) -> Problem:
    """Record one problem and take it as far as ``outcome``: open or overdue (with the given
    deadline), corrected (to verify), reopened, or closed — all within 2018."""
    rng = ctx.rng
    category, severity, description, cause, action = template
    left = (YEAR_END - found_on).days
    days = rng.randint(min(5, left), min(70, left))  # from finding to verified correction
    corrected_on = found_on + datetime.timedelta(days=max(1, days * rng.randint(55, 90) // 100))
    if deadline is None:  # most corrections are on time, some a few days late
        late = rng.random() < 0.2
        deadline = corrected_on + datetime.timedelta(days=-rng.randint(2, 10) if late else rng.randint(0, 14))
        deadline = min(max(deadline, found_on), YEAR_END)
    problem = services.problem_create(
        actor=actor,
        category=category,
        severity=severity,
        description=description.format(**words),
        responsible_person=_person(ctx),
        found_on=found_on,
        deadline=deadline,
        **fields,
    )
    if outcome in ("open", "overdue"):
        return problem
    problem = services.problem_correct(
        actor=actor,
        problem=problem,
        root_cause=cause.format(**words),
        corrective_action=action.format(**words),
        corrected_on=min(corrected_on, YEAR_END),
    )
    if outcome == "corrected":
        return problem
    if outcome == "reopened":
        problem = services.problem_reopen(
            actor=verifier,
            problem=problem,
            reason="复查时抽查同批次产品，问题仍然存在：整改只处理了在库产品，未从工艺和进货环节消除原因。",
        )
        return services.problem_update(actor=actor, instance=problem, deadline=D(2019, 1, 20))
    closed_on = min(found_on + datetime.timedelta(days=days), YEAR_END)
    return services.problem_verify(
        actor=verifier, problem=problem, note=rng.choice(VERIFIED), at=_at(closed_on, 15)
    )


# --- Standards -----------------------------------------------------------------------------------


def _local_standard(ctx, actor, project, spec, kind, earlier=None) -> None:
    """A local standard drafted (or revised) in ``project``, taken through consultation to approval
    and, when it has a publication date, publication."""
    number, title, started, approved, published, effective = spec
    cluster = project.pilot.cluster
    if earlier is not None:
        old_number, old_approved, old_published = earlier
        old = services.standard_create(
            actor=actor,
            number=old_number,
            level=StandardLevel.LOCAL,
            title=title,
            status=StandardStatus.PUBLISHED,
            issued_by=LOCAL_ISSUER,
            cluster=cluster,
            approved_on=old_approved,
            published_on=old_published,
            effective_on=old_published + datetime.timedelta(days=60),
        )
    standard = services.standard_create(
        actor=actor, level=StandardLevel.LOCAL, title=title, issued_by=LOCAL_ISSUER, cluster=cluster
    )
    services.standard_work_create(
        actor=actor,
        project=project,
        standard=standard,
        kind=kind,
        started_on=started,
        note=f"修订 {earlier[0]}" if earlier else "新制定",
    )
    standard = services.standard_update(actor=actor, instance=standard, status=StandardStatus.CONSULTATION)
    standard = services.standard_update(
        actor=ctx.actor,
        instance=standard,
        status=StandardStatus.APPROVED,
        number=number,
        approved_on=approved,
    )
    if published:
        services.standard_update(
            actor=ctx.actor,
            instance=standard,
            status=StandardStatus.PUBLISHED,
            published_on=published,
            effective_on=effective,
        )
        if earlier is not None:  # the new edition replaces the old one
            services.standard_update(
                actor=ctx.actor, instance=old, status=StandardStatus.WITHDRAWN, withdrawn_on=published
            )


def _standards(ctx, projects, actor_of) -> int:
    rng = ctx.rng
    qichun = projects[QICHUN]
    qactor = actor_of(qichun)
    for spec in QICHUN_LOCAL:
        _local_standard(ctx, qactor, qichun, spec, StandardWorkKind.NEW)
    for number, title, earlier, started, approved, published in QIANJIANG_LOCAL:
        effective = published + datetime.timedelta(days=30) if published else None
        _local_standard(
            ctx,
            actor_of(projects[QIANJIANG]),
            projects[QIANJIANG],
            (
                number,
                title,
                started,
                approved,
                published,
                effective if effective and effective <= YEAR_END else None,
            ),
            StandardWorkKind.REVISION if earlier else StandardWorkKind.NEW,
            earlier,
        )
    for name, number, title, issuer, started, approved, published in GROUP:
        project = projects[name]
        status = StandardStatus.PUBLISHED if published else StandardStatus.APPROVED
        standard = services.standard_create(
            actor=actor_of(project),
            number=number,
            level=StandardLevel.GROUP,
            title=title,
            status=status,
            issued_by=issuer,
            cluster=project.pilot.cluster,
            approved_on=approved,
            published_on=published,
        )
        services.standard_work_create(
            actor=actor_of(project),
            project=project,
            standard=standard,
            kind=StandardWorkKind.NEW,
            started_on=started,
            note="协助行业协会起草",
        )
    name, title, started = ENSHI
    project = projects[name]
    standard = services.standard_create(
        actor=actor_of(project),
        level=StandardLevel.LOCAL,
        title=title,
        status=StandardStatus.CONSULTATION,
        issued_by=LOCAL_ISSUER,
        cluster=project.pilot.cluster,
    )
    services.standard_work_create(
        actor=actor_of(project),
        project=project,
        standard=standard,
        kind=StandardWorkKind.NEW,
        started_on=started,
        note="征求意见稿已公开征求意见",
    )

    # Qichun: each of 88 firms' own enterprise standard, registered and evaluated.
    firms = sorted(
        set(
            Participation.objects.filter(
                activity__project=qichun, activity__status=ActivityStatus.APPROVED
            ).values_list("enterprise_id", flat=True)
        )
    )
    chosen = Enterprise.objects.in_bulk(rng.sample(firms, EVALUATION_REPORTS))
    codes = rng.sample(
        [a + b for a in "ABCDEFGHJKLMNPQRSTWXYZ" for b in "ABCDEFGHJKLMNPQRSTWXYZ"], len(chosen)
    )
    conclusions = [EvaluationConclusion.CONFORMS] * 70 + [EvaluationConclusion.PARTLY] * 14
    conclusions += [EvaluationConclusion.DOES_NOT] * (EVALUATION_REPORTS - len(conclusions))
    rng.shuffle(conclusions)
    days = sorted(D(2018, 11, 1) + datetime.timedelta(days=rng.randint(0, 55)) for _ in chosen)
    benchmark = QICHUN_LOCAL[2]
    for n, (pk, code, conclusion, issued_on) in enumerate(
        zip(sorted(chosen), codes, conclusions, days, strict=True), start=1
    ):
        enterprise = chosen[pk]
        product, checks = rng.choice(QICHUN_PRODUCTS)
        year = rng.choice([2017, 2018])
        published = D(year, rng.randint(1, 9), rng.randint(1, 28))
        standard = services.standard_create(
            actor=qactor,
            number=f"Q/QC{code} {rng.randint(1, 5):03d}-{year}",
            level=StandardLevel.ENTERPRISE,
            title=product,
            status=StandardStatus.PUBLISHED,
            issued_by=enterprise.name,
            cluster=qichun.pilot.cluster,
            approved_on=published,
            published_on=published,
            effective_on=published,
        )
        services.evaluation_report_create(
            actor=qactor,
            project=qichun,
            enterprise=enterprise,
            standard=standard,
            report_number=f"QCBP-2018-{n:03d}",
            issued_on=issued_on,
            conclusion=conclusion,
            summary=f"对照{benchmark[0]}《{benchmark[1]}》和{QICHUN_LOCAL[0][0]}，对{standard.number}"
            f"《{product}》的{checks}逐项评价：{VERDICTS[conclusion]}",
            evaluator=f"{qichun.institution.name} 标准化室",
        )
    return len(QICHUN_LOCAL) + len(QIANJIANG_LOCAL) + len(GROUP) + 1 + 2 * EVALUATION_REPORTS


# --- Benefits ------------------------------------------------------------------------------------


def _amounts(ctx, count: int, total: int, low: int, high: int, step: int = 100) -> list[int]:
    """``count`` amounts in [low, high], multiples of ``step``, adding up to exactly ``total``."""
    rng = ctx.rng
    units = [rng.randint(low // step, high // step) for _ in range(count)]
    gap = total // step - sum(units)
    while gap:
        i = rng.randrange(count)
        if gap > 0:
            delta = min(gap, high // step - units[i], rng.randint(1, 300))
        else:
            delta = max(gap, low // step - units[i], -rng.randint(1, 300))
        units[i] += delta
        gap -= delta
    return [u * step for u in units]


def _benefits(ctx, projects, actor_of, officer) -> int:
    rng = ctx.rng
    xiantao = projects[XIANTAO]
    firms = sorted(
        set(
            Participation.objects.filter(
                activity__project=xiantao, activity__status=ActivityStatus.APPROVED
            ).values_list("enterprise_id", flat=True)
        )
    )
    chosen = Enterprise.objects.in_bulk(rng.sample(firms, XIANTAO_FIRMS))
    amounts = _amounts(ctx, XIANTAO_FIRMS, XIANTAO_TOTAL, *XIANTAO_RANGE)
    claims = 0
    for pk, amount in zip(sorted(chosen), amounts, strict=True):
        returns = amount * rng.randint(55, 75) // 100
        pieces = rng.randint(18, 60) * 10_000
        submitted = D(2018, 12, 3) + datetime.timedelta(days=rng.randint(0, 7))
        _claim(
            ctx,
            actor_of(xiantao),
            officer,
            "verified",
            submitted,
            project=xiantao,
            enterprise=chosen[pk],
            kind=BenefitKind.LOSS_AVOIDED,
            amount=Decimal(amount),
            year=2018,
            calculation=(
                f"按GB/T 5296.4和GB 18401规范吊牌、耐久性标签（纤维含量、安全类别、洗涤方法）后，"
                f"2018年出货{pieces // 10_000}万件未再因标识不合格被电商平台下架、经销商退货或抽查处罚。"
                f"避免的退货和下架损失{returns:,}元（按2017年同类退货率测算），避免的罚没和整改费用"
                f"{amount - returns:,}元，合计{amount:,}元。"
            ),
            evidence="整改前后吊牌与耐久性标签照片；2017年因标识不合格被下架、退货的记录；"
            "市场监管部门抽查结果通知书；企业财务部门出具的损失测算说明。",
        )
        claims += 1
    for name, per_firm, kind, amount, calculation, evidence, outcome in OTHER_BENEFITS:
        project = projects[name]
        enterprise = None
        if per_firm:
            ids = list(
                Participation.objects.filter(
                    activity__project=project, activity__status=ActivityStatus.APPROVED
                )
                .order_by("enterprise_id")
                .values_list("enterprise_id", flat=True)
                .distinct()[:200]
            )
            enterprise = Enterprise.objects.get(pk=rng.choice(ids))
        _claim(
            ctx,
            actor_of(project),
            officer,
            outcome,
            D(2018, 12, 10) + datetime.timedelta(days=rng.randint(0, 8)),
            project=project,
            enterprise=enterprise,
            kind=kind,
            amount=Decimal(amount),
            year=2018,
            calculation=calculation,
            evidence=evidence,
        )
        claims += 1
    return claims


def _claim(ctx, actor, officer, outcome, submitted: datetime.date, **fields) -> None:
    benefit = services.benefit_create(actor=actor, **fields)
    benefit = services.benefit_submit(actor=actor, benefit=benefit, at=_at(submitted, 16))
    checked = _at(min(submitted + datetime.timedelta(days=ctx.rng.randint(3, 12)), YEAR_END), 10)
    if outcome == "verified":
        services.benefit_verify(
            actor=officer, benefit=benefit, note="测算方法和证据材料齐全，核实无误。", at=checked
        )
    elif outcome == "rejected":
        services.benefit_reject(actor=officer, benefit=benefit, reason=REJECTION, at=checked)


# --- KPIs ----------------------------------------------------------------------------------------

KPIS = {
    QICHUN: [(KpiKind.PROBLEMS_SOLVED, 5), (KpiKind.STANDARDS, 3), (KpiKind.EVALUATION_REPORTS, 80)],
    QIANJIANG: [(KpiKind.PROBLEMS_SOLVED, 5), (KpiKind.STANDARDS, 4), (KpiKind.PASS_RATE, 90)],
    XIANTAO: [(KpiKind.PROBLEMS_SOLVED, 5), (KpiKind.BENEFITS, 100_000_000), (KpiKind.PASS_RATE, 90)],
}


def _kpis(ctx, projects) -> None:
    for name, kpis in KPIS.items():
        for kind, target in kpis:
            services.kpi_create(actor=ctx.actor, project=projects[name], kind=kind, target=Decimal(target))
