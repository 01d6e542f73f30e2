"""The demo's intake chapter (issue 18): the needs questionnaire of 金桂苑 before the renovation.

``play_intake(committee, estate_id)`` plays it through the HTTP API as the committee chair:
it creates the questionnaire round (four fixed questions, the last one's text answers become
suggestions), publishes it, imports the ~3,000 paper questionnaires in one CSV file (the
answers generated with a fixed seed over the estate's own buildings and units; ~400 carry a
suggestion written in residents' words, across the categories), and closes the round.

It returns an ``IntakeResult``: the questionnaire's id, the number of answers and, per theme
(40 of them), the theme's title, category, urgency and difficulty and the ids of its
suggestions, so the problems chapter can merge each theme into one common problem
(``POST /api/estates/{id}/problems {title, category, urgency, difficulty, suggestion_ids}``).
35 themes are urgent (the pilot solved 39 common problems, 35 of them urgent). Wiring::

    intake = await play_intake(committee, estate_id)
    problem_ids, work_ids = await play_problems(
        committee, estate_id, intake.by_title(), categories=intake.categories()
    )

Needs: a committee (or admin) ``Caller`` of the estate, the estate's households imported
(any buildings and units: the generator reads them from ``GET /households``). Runs in about a
second. The same seed gives the same answers, texts and themes.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field

from planner.demo.client import Caller, items

QUESTIONNAIRE_TITLE = "金桂苑小区改造前居民需求调查问卷"
WANTS = ["电梯", "停车", "绿化环境", "安全防范", "医疗服务", "养老托幼"]
QUESTIONS: list[dict[str, object]] = [
    {
        "text": "您对小区目前的居住环境满意吗？",
        "kind": "single",
        "options": ["满意", "基本满意", "不满意"],
    },
    {
        "text": "您最希望改善哪些方面？（可多选）",
        "kind": "multi",
        "options": WANTS,
    },
    {"text": "您家是否有60岁以上的老人？", "kind": "single", "options": ["有", "没有"]},
    {"text": "您对社区和小区还有什么意见建议？", "kind": "text", "suggestion": True},
]


@dataclass(frozen=True)
class Theme:
    """A theme of suggestions: what the problems chapter merges into one common problem."""

    key: str
    title: str
    category: str
    urgency: str
    difficulty: str
    #: how residents put it ({b}: their building)
    texts: tuple[str, ...]


def _t(key: str, title: str, category: str, urgent: bool, hard: bool, *texts: str) -> Theme:
    return Theme(key, title, category, "urgent" if urgent else "normal",
                 "hard" if hard else "easy", texts)  # fmt: skip


THEMES: tuple[Theme, ...] = (
    # facilities (设施改造)
    _t(
        "lift",
        "老旧楼栋加装电梯",
        "facilities",
        True,
        True,
        "{b}没有电梯，老人上下楼太困难，希望加装电梯",
        "家里老人腿脚不便，{b}能不能装电梯",
        "加装电梯的事希望尽快推进，{b}很多住户都同意",
    ),
    _t(
        "roof_leak",
        "屋面漏水维修",
        "facilities",
        True,
        True,
        "{b}顶楼下雨就漏水，墙皮都泡坏了",
        "顶层屋面防水老化，每年雨季都渗水，请尽快维修",
    ),
    _t(
        "pipes",
        "老化供水管网改造",
        "facilities",
        True,
        True,
        "{b}自来水管老化，经常爆管停水",
        "水管锈得厉害，放出来的水发黄，希望更换管网",
    ),
    _t(
        "sewer",
        "下水管道堵塞疏通",
        "facilities",
        True,
        False,
        "{b}下水道经常堵，一楼返水",
        "化粪池和下水管该清理了，夏天味道很大",
    ),
    _t(
        "stair_light",
        "楼道照明修复",
        "facilities",
        True,
        False,
        "{b}楼道灯坏了好久，晚上看不见台阶",
        "楼道感应灯不亮，老人晚上摔过一跤",
    ),
    _t(
        "power",
        "二次供电改造",
        "facilities",
        True,
        True,
        "{b}夏天用电高峰经常跳闸停电",
        "电线老化，空调一开就跳闸，担心起火",
    ),
    _t(
        "walls",
        "外墙脱落修缮",
        "facilities",
        True,
        True,
        "{b}外墙瓷砖掉落，差点砸到人",
        "外墙开裂渗水，希望统一修缮",
    ),
    _t(
        "doors",
        "单元门禁维修",
        "facilities",
        True,
        False,
        "{b}单元门的门禁坏了，外人随便进出",
        "单元门关不上，希望修好门禁",
    ),
    _t("mailbox", "信报箱更换", "facilities", False, False, "{b}信报箱锈坏了，快递信件没地方放"),
    _t(
        "handrail",
        "楼梯扶手加装",
        "facilities",
        True,
        False,
        "{b}楼梯没有扶手，老人上楼很吃力",
        "希望在楼道里加装扶手，方便老年人",
    ),
    # environment (环境卫生)
    _t(
        "garbage",
        "垃圾分类点设置",
        "environment",
        True,
        False,
        "垃圾桶太少，{b}门口经常堆满垃圾",
        "希望设置垃圾分类投放点，定时清运",
    ),
    _t(
        "greening",
        "绿化补种与修剪",
        "environment",
        False,
        False,
        "{b}前面的树太高挡光，需要修剪",
        "小区绿地被踩秃了，希望补种草木",
    ),
    _t(
        "clutter",
        "楼道杂物清理",
        "environment",
        True,
        False,
        "{b}楼道堆满杂物，堵住了通道",
        "楼道里堆放的旧家具要清理，不安全",
    ),
    _t(
        "drainage",
        "雨后积水治理",
        "environment",
        True,
        True,
        "一下雨{b}门口就积水，出门要蹚水",
        "小区主路排水不畅，雨天积水很深",
    ),
    _t(
        "pests",
        "灭鼠灭蟑",
        "environment",
        True,
        False,
        "{b}地下室老鼠很多，希望统一灭鼠",
        "夏天蟑螂蚊子多，希望定期消杀",
    ),
    _t("dogs", "文明养犬", "environment", False, False, "有人遛狗不牵绳，狗粪也不清理"),
    # safety (安全)
    _t(
        "cameras",
        "监控探头补装",
        "safety",
        True,
        False,
        "小区监控太少，{b}附近电动车被偷过",
        "希望在出入口和{b}加装监控",
    ),
    _t(
        "ebike_fire",
        "电动车集中充电",
        "safety",
        True,
        True,
        "{b}有人把电动车推进楼道充电，太危险",
        "希望建集中充电棚，杜绝飞线充电",
    ),
    _t(
        "fire_exits",
        "消防通道清障",
        "safety",
        True,
        False,
        "消防通道被私家车占了，出了事消防车进不来",
        "{b}旁边的消防通道常年堵着",
    ),
    _t(
        "extinguishers",
        "消防器材更新",
        "safety",
        True,
        False,
        "{b}楼道里的灭火器早就过期了",
        "希望更换消防栓和灭火器",
    ),
    _t(
        "gas",
        "燃气管道安全检查",
        "safety",
        True,
        True,
        "燃气管道老化，{b}闻到过燃气味",
        "希望燃气公司上门检查管道",
    ),
    _t(
        "lighting_roads",
        "小区道路照明",
        "safety",
        True,
        False,
        "小区路灯坏了几盏，晚上走路不安全",
        "{b}到大门那段路太黑，希望加装路灯",
    ),
    # livelihood (生产生活)
    _t(
        "parking",
        "停车位规划",
        "livelihood",
        True,
        True,
        "停车位太少，晚上回来没地方停",
        "{b}门口乱停车，希望规划停车位",
    ),
    _t(
        "canteen",
        "老年食堂",
        "livelihood",
        True,
        True,
        "希望办一个老年食堂，方便独居老人吃饭",
        "老人做饭不方便，社区能不能有助餐点",
    ),
    _t("market", "便民菜店", "livelihood", True, False, "附近买菜太远，希望小区周边有便民菜店"),
    _t("drying", "晾晒设施", "livelihood", False, False, "{b}没地方晒被子，希望装晾衣架"),
    _t("benches", "休闲座椅", "livelihood", True, False, "小区里没有座椅，老人散步累了没地方坐"),
    _t(
        "repairs",
        "便民维修服务",
        "livelihood",
        True,
        False,
        "希望社区定期组织义务维修家电、磨刀",
        "家里水龙头坏了找不到人修，希望有便民维修",
    ),
    # health (医疗卫生)
    _t(
        "clinic",
        "家庭医生签约",
        "health",
        True,
        False,
        "希望家庭医生能定期上门给老人量血压",
        "家里有慢性病老人，希望签约家庭医生",
    ),
    _t(
        "free_clinic",
        "义诊进社区",
        "health",
        True,
        False,
        "希望医院来社区义诊，老人看病不方便",
        "社区能不能组织免费体检",
    ),
    _t(
        "aed",
        "急救设备配置",
        "health",
        True,
        False,
        "小区应该配一台除颤仪，老人多",
        "希望社区开展急救培训",
    ),
    _t("pharmacy", "常用药购买", "health", True, False, "附近没有药店，晚上买药不方便"),
    # education (教育就业)
    _t(
        "homework",
        "四点半课堂",
        "education",
        True,
        False,
        "双职工家庭孩子放学没人管，希望办四点半课堂",
        "希望有学生放学后做作业的地方",
    ),
    _t(
        "jobs",
        "就业技能培训",
        "education",
        True,
        False,
        "希望社区组织技能培训，帮助失业人员再就业",
        "有没有家政、电工之类的培训",
    ),
    _t(
        "seniors_school",
        "老年大学课程",
        "education",
        True,
        False,
        "希望开办老年大学，学书法、唱歌",
        "老人想学用智能手机，希望有人教",
    ),
    _t("reading", "社区阅览室", "education", False, False, "希望社区有个阅览室，孩子可以看书"),
    # policy (政策落实)
    _t(
        "subsidy",
        "老旧小区改造政策宣传",
        "policy",
        True,
        False,
        "改造的补贴政策不清楚，希望开会讲一讲",
        "希望公开改造资金怎么用",
    ),
    _t(
        "elderly_allowance",
        "高龄补贴办理",
        "policy",
        True,
        False,
        "高龄补贴怎么申请？希望社区帮忙代办",
        "希望上门帮行动不便的老人办理补贴",
    ),
    _t(
        "property",
        "引入物业管理",
        "policy",
        True,
        True,
        "小区没有物业，希望引进物业管理",
        "希望成立业主委员会，选聘物业公司",
    ),
    _t(
        "low_income",
        "困难家庭帮扶",
        "policy",
        True,
        False,
        "希望多关心困难家庭和独居老人",
        "低保办理手续复杂，希望社区帮忙",
    ),
)


@dataclass
class IntakeResult:
    """What the chapter made: the round, how many answers, the suggestions by theme."""

    questionnaire_id: int
    answers: int
    themes: tuple[Theme, ...]
    #: theme key → the ids of its suggestions (file order)
    suggestion_ids: dict[str, list[int]] = field(default_factory=dict)

    def by_title(self) -> dict[str, list[int]]:
        """Theme title → its suggestion ids, urgent themes first: the ``themes`` argument of
        ``planner.demo.problems_chapter.play_problems`` (which solves the first 39 but the
        last, the first 35 of them urgent: the 35 urgent themes, then 4 of the 5 others)."""
        ordered = sorted(self.themes, key=lambda t: t.urgency != "urgent")
        return {t.title: self.suggestion_ids.get(t.key, []) for t in ordered}

    def categories(self) -> dict[str, str]:
        """Theme title → category key (``play_problems``'s ``categories``)."""
        return {t.title: t.category for t in self.themes}

    def by_category(self) -> dict[str, list[int]]:
        """category → the ids of its suggestions."""
        found: dict[str, list[int]] = {}
        for theme in self.themes:
            found.setdefault(theme.category, []).extend(self.suggestion_ids.get(theme.key, []))
        return found


def answers_csv(
    units: list[tuple[str, str]], *, sheets: int, suggestions: int, seed: int
) -> tuple[str, list[str]]:
    """The CSV of ``sheets`` answered questionnaires over ``units`` (building, unit), of which
    ``suggestions`` carry a suggestion; and the theme key of each suggestion, in file order.
    Every theme gets at least one suggestion (when there are enough)."""
    rng = random.Random(seed)  # noqa: S311 (the demo's data, not a secret)
    with_text = set(rng.sample(range(sheets), min(suggestions, sheets)))
    weights = [3 if t.urgency == "urgent" else 1 for t in THEMES]
    themes_in_order: list[str] = []
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["编号", "楼栋", "房号", "问题1", "问题2", "问题3", "意见建议", "类别"])
    first_round = list(THEMES)
    rng.shuffle(first_round)
    for n in range(sheets):
        building, unit = units[rng.randrange(len(units))]
        q1 = rng.choices(["满意", "基本满意", "不满意"], weights=[2, 5, 3])[0]
        q2 = "、".join(rng.sample(WANTS, rng.randint(1, 3)))
        q3 = rng.choices(["有", "没有"], weights=[6, 4])[0]
        text, category = "", ""
        if n in with_text:
            theme = first_round.pop() if first_round else rng.choices(THEMES, weights)[0]
            text = rng.choice(theme.texts).format(b=building)
            category = theme.category
            themes_in_order.append(theme.key)
        writer.writerow([f"JG-{n + 1:04d}", building, unit, q1, q2, q3, text, category])
    return out.getvalue(), themes_in_order


async def play_intake(
    committee: Caller,
    estate_id: int,
    *,
    sheets: int = 3000,
    suggestions: int = 400,
    seed: int = 18,
) -> IntakeResult:
    """Create, publish, fill (one CSV import of ``sheets`` answers) and close the needs
    questionnaire of the estate as ``committee``; the suggestions by theme (module doc)."""
    households = items(await committee.get(f"/api/estates/{estate_id}/households"))
    units = sorted((h["building"], h["unit"]) for h in households)
    made = await committee.post(
        f"/api/estates/{estate_id}/questionnaires",
        {"title": QUESTIONNAIRE_TITLE, "questions": QUESTIONS},
    )
    qid = made["id"]
    await committee.post(f"/api/questionnaires/{qid}/publish")
    body, theme_keys = answers_csv(units, sheets=sheets, suggestions=suggestions, seed=seed)
    imported = await committee.post(
        f"/api/questionnaires/{qid}/answers/import",
        content=body.encode(),
        headers={"content-type": "text/csv"},
    )
    await committee.post(f"/api/questionnaires/{qid}/close")
    by_theme: dict[str, list[int]] = {}
    for key, sid in zip(theme_keys, imported["suggestion_ids"], strict=True):
        by_theme.setdefault(key, []).append(sid)
    return IntakeResult(qid, imported["imported"], THEMES, by_theme)
