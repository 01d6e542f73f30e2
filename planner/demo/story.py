"""The history the demo plays, as plain data: people, works, quotes, sources, meetings.

Money is fen. Every quote round is a list of lines whose derived total is exactly the
round's intended total (``lines_for`` puts the rounding in the lump-sum line), so the
retrofit's history reads ¥3,600,000.00 → ¥1,700,000.00 (−52.8 %) as in the reference case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta, timezone
from decimal import Decimal

YUAN = 100

# The story's calendar: (days before the day the demo is loaded, local time). The history
# took eleven months: the needs (questionnaire, common problems, wishes, the equal-shares
# round) first; then the retrofit's rounds came weeks apart, each answered by a counter-offer
# about a week later; the 1栋 meeting sat on the evening it was called for; the 5栋 roof was
# decided by written consultation, its notice posted 15 days before its week of voting, and
# it closes by itself at the end of the load; the 5栋 meeting is in session now (its times
# are minutes before the load). Between the plan's approval and the 5栋 meeting the works were
# delivered, the money collected and the final accounts settled (issue 19). The audit trail
# keeps the order things were recorded in; only their dates are the story's.
ZONE = timezone(timedelta(hours=8), "Asia/Shanghai")
Day = tuple[int, str]
ESTATES_SET_UP: Day = (-340, "09:30")
COMMITTEE_NAMED: Day = (-339, "10:00")
# Before the renovation (issue 18): the needs questionnaire's ~3,000 paper sheets, collected
# door to door over weeks, imported at the end; the common problems listed and followed one
# after another, a step every few hours; the candidate works; the partner units' small
# wishes; the equal-shares round that chose the public works.
QUESTIONNAIRE_IMPORTED: Day = (-304, "16:00")
PROBLEMS_FROM: Day = (-298, "09:00")
CANDIDATE_WORKS: Day = (-246, "10:00")
WISHES_FROM: Day = (-244, "09:00")
CHOICE_OPENED: Day = (-228, "09:00")
CHOICE_CLOSED: Day = (-216, "20:00")
WORKS_PROPOSED: Day = (-209, "14:30")  # suppliers, works approved, reference prices
SUPPLIERS_INVITED: Day = (-202, "10:00")
ROUND_DAYS = (
    -195,
    -174,
    -156,
    -142,
)  # round i of the first negotiation; the others a day later each
ROUND_TIME = "16:00"
COUNTER_DAYS = (-188, -165, -149)  # the committee's answer to round i
COUNTER_TIME = "10:30"
AWARDED: Day = (-139, "10:00")
SOURCES_ADDED: Day = (-125, "09:30")
PLAN_SOLVED: Day = (-123, "15:00")
PLAN_APPROVED: Day = (-118, "10:00")
# How owners pay the approved plan (set by the treasurer right after the approval).
PAYMENT_DUE_AFTER = timedelta(days=60)
PAYMENT_INSTRUCTIONS = {
    "payee": "金桂苑小区业主委员会（专户）",
    "account": "工商银行荷塘支行 6222 0243 0001 2345 678",
    "how_to_pay": "银行转账请注明楼栋和房号；\n或每周六上午 9:00–11:30 到物业服务中心现场缴纳。",
}
# After the approval (issue 19): the roofer's award the next afternoon; the works delivered
# over the following months (the delivery chapter's days, moved back by DELIVERY_BEFORE so
# they end before the 5栋 meeting is called); the collection closed; the final accounts.
ROOF_AWARDED: Day = (-117, "15:00")
DELIVERY_BEFORE = 32
COLLECTION_CLOSED: Day = (-31, "17:00")
COLLECTION_DAYS = 86  # payments dated from the approval to two days before the close
SETTLED: Day = (-30, "10:00")
DISCLOSED: Day = (-29, "09:00")
NEIGHBOUR_JOINED: Day = (-20, "15:00")


@dataclass(frozen=True)
class Person:
    key: str
    role: str
    display_name: str


COMMITTEE_CHAIR = Person("chair", "committee", "业委会主任 王建国")
COMMITTEE_MEMBER = Person("member", "committee", "业委会委员 李秀英")
TREASURER = Person("treasurer", "treasurer", "财务 陈会计")
OBSERVER = Person("observer", "observer", "街道办 观察员 刘芳")
POWER_NEGOTIATOR = Person("power", "supplier", "供电公司 客户经理 张强")
BUILDER_NEGOTIATOR = Person("builder", "supplier", "湘江建设 项目经理 刘洋")
TOUR_OWNER = Person("owner", "owner", "业主 周丽华（5栋）")
# The third committee member: enters the paper sheet the first two typed differently.
THIRD_MEMBER = Person("member3", "committee", "业委会委员 孙志强")
YX_CHAIR = Person("yx_chair", "committee", "银杏苑业委会 赵德福")

POWER_COMPANY = "株洲市供电公司"
BUILDER = "湘江建设工程有限公司"


@dataclass(frozen=True)
class Line:
    """A quote line without its price: description, unit, quantity, share of the total."""

    description: str
    unit: str
    quantity: str
    weight: int


@dataclass(frozen=True)
class Work:
    key: str
    title: str
    category: str
    estimate_fen: int
    benefit_rule: str = "area"
    scope_buildings: tuple[str, ...] = ()
    urgency: int = 3
    difficulty: int = 3
    description: str = ""


@dataclass(frozen=True)
class Negotiation:
    """One supplier's quote on a work: round totals, and the committee's answer to each."""

    work: str
    supplier: str
    lines: tuple[Line, ...]
    rounds: tuple[int, ...]
    counters: tuple[tuple[int, str], ...] = ()  # (target_total_fen, note) after round i
    award_last: bool = False


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    budget_fen: int
    works: tuple[str, ...]
    max_share: str | None = None


@dataclass(frozen=True)
class Vote:
    """How a building meeting's owners voted: counts of persons per choice, in roll order."""

    yes: int
    no: int
    abstain: int
    proxied: int = 0  # of the yes voters, how many cast by the committee member as proxy
    changed: int = 0  # of the yes voters, how many first voted no, then changed their ballot


@dataclass(frozen=True)
class Meeting:
    """A building meeting: called (created) on ``called``, held on ``held`` (None: in
    session now, opened ``minutes_ago`` minutes before the load) at its scheduled time."""

    title: str
    building: str
    called: Day
    held: Day | None
    motion_title: str
    motion_text: str
    matter: int
    vote: Vote
    work: str | None = None
    close: bool = True
    agenda: tuple[str, ...] = field(default_factory=tuple)
    minutes_ago: int = 45
    ballot_every_s: int = 75


WORKS = (
    Work(
        "power",
        "二次供电设施改造",
        "power",
        estimate_fen=1_800_000 * YUAN,
        urgency=5,
        difficulty=4,
        description="小区配电房、箱变、高低压电缆及单元计量表箱改造，改造后移交供电公司抄表到户。",
    ),
    Work(
        "pipes",
        "给排水管网改造",
        "water",
        estimate_fen=300_000 * YUAN,
        urgency=4,
        description="更换锈蚀的给水立管和室外排水管，雨污分流，疏通化粪池。",
    ),
    Work(
        "roof",
        "屋面防水（1、2、5、6栋）",
        "roof",
        estimate_fen=236_000 * YUAN,
        benefit_rule="building",
        scope_buildings=("1栋", "2栋", "5栋", "6栋"),
        urgency=4,
        difficulty=2,
        description="顶层渗漏严重的四栋楼：铲除旧卷材，SBS改性沥青防水卷材两道，保温层修复。",
    ),
    Work(
        "parking",
        "地下车库改造",
        "parking",
        estimate_fen=168_000 * YUAN,
        urgency=3,
        description="车库防水堵漏、照明更换为LED、增设充电桩预埋管线和排水沟。",
    ),
    Work(
        "cameras",
        "安防监控补点",
        "cameras",
        estimate_fen=72_000 * YUAN,
        benefit_rule="equal",
        urgency=3,
        difficulty=2,
        description="出入口、车库和楼道新增高清摄像头，接入门岗监控室。",
    ),
    Work(
        "signage",
        "楼栋标识与导视标牌",
        "signage",
        estimate_fen=38_600 * YUAN,
        benefit_rule="equal",
        urgency=2,
        difficulty=1,
        description="楼栋号牌、单元牌、消防通道和车库导视统一更换。",
    ),
)

POWER_LINES = (
    Line("箱式变电站 800kVA", "台", "2", 27),
    Line("高压电缆 YJV22-8.7/15kV 3×70", "米", "1800", 21),
    Line("低压电缆及电缆分支箱", "米", "4200", 21),
    Line("单元计量表箱改造（一户一表）", "户", "516", 18),
    Line("土建、电缆沟及路面恢复", "项", "1", 13),
)
PIPE_LINES = (
    Line("给水立管 PPR dn50 更换", "米", "2600", 38),
    Line("室外排水管 HDPE dn300", "米", "780", 36),
    Line("检查井及化粪池清掏修复", "座", "46", 16),
    Line("路面破除与恢复", "项", "1", 10),
)
PARKING_LINES = (
    Line("车库顶板及侧墙防水堵漏", "平方米", "2400", 48),
    Line("LED 照明灯具更换", "套", "260", 22),
    Line("充电桩预埋管线", "米", "900", 18),
    Line("排水沟及集水井", "项", "1", 12),
)

NEGOTIATIONS = (
    Negotiation(
        "power",
        POWER_COMPANY,
        POWER_LINES,
        rounds=(3_600_000 * YUAN, 2_880_000 * YUAN, 2_150_000 * YUAN, 1_700_000 * YUAN),
        counters=(
            (
                1_500_000 * YUAN,
                "参照市住建局2024年指导价，箱变和电缆单价偏高；表箱改造按已建小区结算价。",
            ),
            (1_600_000 * YUAN, "第二轮仍高于兄弟小区同类改造；请按实际户数和电缆长度重新核算。"),
            (1_650_000 * YUAN, "接近可接受范围；土建恢复请按小区自行组织施工扣减。"),
        ),
        award_last=True,
    ),
    Negotiation(
        "power",
        BUILDER,
        POWER_LINES,
        rounds=(2_460_000 * YUAN, 1_980_000 * YUAN),
        counters=((1_700_000 * YUAN, "请说明箱变品牌和质保期，总价需再降。"),),
    ),
    Negotiation(
        "pipes",
        BUILDER,
        PIPE_LINES,
        rounds=(312_800 * YUAN, 286_400 * YUAN),
        counters=((270_000 * YUAN, "立管长度按实测2,450米计，检查井按40座计。"),),
        award_last=True,
    ),
    Negotiation(
        "parking",
        BUILDER,
        PARKING_LINES,
        rounds=(198_000 * YUAN,),
        counters=((165_000 * YUAN, "防水面积按图纸核定，LED灯具参照政府采购价，请报第二轮。"),),
    ),
)

# Reference (benchmark) unit prices for the retrofit, from the district's settled projects.
POWER_REFERENCE = (
    ("箱式变电站 800kVA", 235_000 * YUAN),
    ("高压电缆 YJV22-8.7/15kV 3×70", 195 * YUAN),
    ("低压电缆及电缆分支箱", 88 * YUAN),
    ("单元计量表箱改造（一户一表）", 600 * YUAN),
)

PLAN_WORKS = ("pipes", "roof", "parking", "cameras", "signage")

# The candidates of the equal-shares round (issue 18) beside the public works: the lift most
# votes would have bought, and the outer walls nobody ticked first.
CANDIDATES = (
    Work(
        "lift",
        "加装电梯（3、4栋）",
        "lift",
        estimate_fen=420_000 * YUAN,
        benefit_rule="building",
        scope_buildings=("3栋", "4栋"),
        urgency=4,
        difficulty=5,
        description="3、4栋每个单元加装一部电梯，含井道基础、管线迁改和首层入口改造。",
    ),
    Work(
        "walls",
        "外墙脱落修缮",
        "walls",
        estimate_fen=260_000 * YUAN,
        urgency=3,
        difficulty=3,
        description="空鼓、开裂的外墙砖铲除，挂网抹灰后涂刷外墙涂料，檐口和窗台防水。",
    ),
)
#: the needs theme (planner.demo.intake_chapter) each candidate work was made from; the
#: signage was the committee's own addition (no theme)
THEME_WORKS = {
    "power": "power",
    "pipes": "pipes",
    "roof_leak": "roof",
    "parking": "parking",
    "cameras": "cameras",
    "lift": "lift",
    "walls": "walls",
}
CHOICE_TITLE = "2026年公共部位改造项目选择（等额份额法）"
#: the money expected for the round: public funds and the residents' share together
CHOICE_BUDGET_FEN = 850_000 * YUAN
#: the owners who gave their approvals (the rest of the estate did not take part)
CHOICE_OWNERS = 240
SOURCES = (
    Source(
        "老旧小区改造中央及省级补贴", "subsidy", 290_000 * YUAN, (*PLAN_WORKS, "power"), "0.5000"
    ),
    Source("专项维修资金（金桂苑账户）", "maintenance_fund", 152_000 * YUAN, ("pipes", "roof")),
    Source(f"{POWER_COMPANY} 配套资金", "utility", 46_000 * YUAN, ("power", "parking")),
    Source("工商银行荷塘支行（共建单位）", "donor", 60_000 * YUAN, ("cameras", "parking")),
    Source("荷塘区第一小学（共建单位）", "donor", 8_000 * YUAN, ("signage",)),
    Source("市第三人民医院（共建单位）", "donor", 50_000 * YUAN, ("pipes",)),
    Source("湘楚律师事务所（共建单位）", "donor", 12_000 * YUAN, ("signage", "cameras")),
)

PASSED_MEETING = Meeting(
    title="1栋楼栋议事会：公共部位改造居民自筹",
    building="1栋",
    called=(-137, "10:00"),
    held=(-132, "19:30"),
    motion_title="1栋居民按面积自筹公共部位改造资金",
    motion_text="按照“居民出一点、补贴拿一点、共建单位帮一点”的原则，本栋居民按专有面积分摊"
    "公共部位改造费用中的居民自筹部分，困难家庭按认定的上限缴纳。",
    matter=6,
    vote=Vote(yes=36, no=4, abstain=2, proxied=3, changed=1),
    agenda=("通报二次供电改造议价结果", "表决居民自筹方案"),
)
OPEN_MEETING = Meeting(
    title="5栋楼栋议事会：外墙修补使用维修资金",
    building="5栋",
    called=(-23, "10:00"),
    held=None,
    ballot_every_s=60,
    motion_title="5栋外墙修补使用专项维修资金",
    motion_text="5栋西山墙和北侧外墙渗水，拟使用本栋专项维修资金修补外墙并更换五个单元的单元门。",
    matter=5,
    vote=Vote(yes=17, no=3, abstain=2, proxied=1),
    close=False,
    agenda=("外墙修补方案介绍", "表决使用专项维修资金"),
)


@dataclass(frozen=True)
class Consultation:
    """A written consultation (书面征求意见) of one building, decided over a week.

    Drafted and published on the story's days; it opens ``notice`` days after publication
    (the estate's notice period) and closes by itself at ``closes_at``, a few seconds after
    the load has written its ballots (real time: the schedule closes it, see
    ``planner.demo.loader``). Of the building's owners (the tour owner aside, in roll order
    shuffled by a fixed seed): ``online`` vote on the phone over the week (counts per choice),
    the next two give written proxies to the first online voter, who votes ``proxy_choices``
    for them (a split), the next ``paper`` vote on paper sheets the committee enters twice;
    the one at ``mismatch`` is typed differently by the second member (``mistyped``) and a
    third member's entry resolves it. The rest do not take part."""

    title: str
    building: str
    drafted: Day
    published: Day
    opens: Day
    motion_title: str
    motion_text: str
    matter: int
    work: str
    online: Vote
    proxy_choices: tuple[str, str]
    paper: tuple[str, ...]
    mismatch: int
    mistyped: str
    proxy_day: Day
    first_entries: Day
    second_entries: Day
    third_entry: Day
    retried: int = 3  # this online voter's phone sends its ballot twice (same idempotency key)


ROOF_CONSULTATION = Consultation(
    title="5栋屋面防水使用专项维修资金书面征求意见",
    building="5栋",
    drafted=(-22, "16:30"),
    published=(-21, "07:30"),
    opens=(-6, "08:00"),
    motion_title="5栋屋面防水工程使用专项维修资金",
    motion_text="5栋顶层渗漏，拟使用本栋专项维修资金支付屋面防水工程中维修资金承担的部分"
    "（工程费用以筹资方案第1版为准）。",
    matter=5,
    work="roof",
    online=Vote(yes=22, no=5, abstain=3),
    proxy_choices=("yes", "no"),
    paper=("yes", "yes", "no", "yes", "abstain", "yes", "yes", "no", "yes", "yes"),
    mismatch=3,
    mistyped="no",
    proxy_day=(-4, "19:40"),
    first_entries=(-2, "19:00"),
    second_entries=(-1, "09:30"),
    third_entry=(-1, "20:10"),
)

YX_WORKS = (
    Work("yx_roof", "屋面防水（全部楼栋）", "roof", estimate_fen=318_000 * YUAN, urgency=4),
    Work("yx_cameras", "安防监控改造", "cameras", estimate_fen=64_000 * YUAN, benefit_rule="equal"),
)


def lines_for(lines: tuple[Line, ...], total_fen: int) -> list[dict[str, object]]:
    """Quote lines whose derived total is exactly ``total_fen``.

    Each line gets its weight's share of the total as a whole-yuan unit price; the last
    line (a lump sum, quantity 1) takes the remainder.
    """
    weights = sum(line.weight for line in lines)
    out: list[dict[str, object]] = []
    running = 0
    for line in lines[:-1]:
        quantity = Decimal(line.quantity)
        budget = total_fen * line.weight // weights
        unit_price = int(budget / quantity) // YUAN * YUAN
        running += int(unit_price * quantity)
        out.append(_line(line, unit_price))
    last = lines[-1]
    assert Decimal(last.quantity) == 1
    out.append(_line(last, total_fen - running))
    return out


def _line(line: Line, unit_price_fen: int) -> dict[str, object]:
    return {
        "description": line.description,
        "unit": line.unit,
        "quantity": line.quantity,
        "unit_price_fen": unit_price_fen,
    }
