"""Two neighbouring estates' buildings and households, generated with fixed seeds.

Pure: the same call always gives the same CSV text, byte for byte. Layouts follow the old
walk-up blocks of the pilot area: 4–5 stairwells (单元), 6–7 floors, two flats per landing;
flats of one stairwell and side share their floor plan, so their areas repeat floor by floor.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from planner.demo.public_figures import NAMES as PUBLIC_FIGURES

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐"
    "许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = (
    "秀英桂芳建国志强丽华海燕伟明红梅国庆玉兰德福春生淑珍文军小平美玲永红金凤宏伟晓东爱民丽娟振华"
)
COLUMNS = "building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen"


@dataclass(frozen=True)
class Unit:
    building: str
    unit: str
    floor: int
    area_hundredths: int
    owner_key: str
    owner_name: str
    hardship_cap_fen: int | None = None

    @property
    def area(self) -> str:
        return f"{self.area_hundredths // 100}.{self.area_hundredths % 100:02d}"


@dataclass(frozen=True)
class EstatePlan:
    """One estate: its name, owner-key prefix, seed and (stairwells, floors) per building."""

    name: str
    district: str
    prefix: str
    seed: int
    buildings: tuple[tuple[int, int], ...]
    # (building, unit) -> (owner_key, owner_name): flats held by an owner of another flat
    shared: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    # (building, unit) -> cap in fen (0 exempts the household)
    caps: dict[tuple[str, str], int] = field(default_factory=dict)


JINGUI = EstatePlan(
    name="金桂苑小区",
    district="株洲市荷塘区 老旧小区改造试点片区",
    prefix="JG",
    seed=20240928,
    buildings=((4, 6), (4, 6), (4, 7), (4, 6), (5, 6), (4, 7), (4, 7), (4, 6), (5, 6), (3, 6)),
    caps={
        ("1栋", "1-101"): 0,  # 低保户: exempt
        ("2栋", "3-102"): 10_000,
        ("3栋", "2-202"): 15_000,
        ("5栋", "4-101"): 10_000,
        ("6栋", "1-602"): 20_000,
        ("8栋", "2-102"): 15_000,
        ("9栋", "5-301"): 30_000,
    },
)
YINXING = EstatePlan(
    name="银杏苑小区",
    district="株洲市荷塘区 老旧小区改造试点片区",
    prefix="YX",
    seed=20241012,
    buildings=((4, 7), (4, 6), (5, 6), (4, 6), (4, 7), (4, 6), (3, 7), (3, 6)),
    caps={("2栋", "1-102"): 0, ("4栋", "3-201"): 12_000, ("7栋", "2-101"): 20_000},
)
ESTATES = (JINGUI, YINXING)

# The tour's owner: two flats on one landing of building 5 (bought together, one person).
TOUR_OWNER_KEY = "JG-TOUR"
TOUR_OWNER_NAME = "周丽华"
TOUR_OWNER_UNITS = (("5栋", "2-301"), ("5栋", "2-302"))
# The developer's unsold flats count as one owner (SPC interpretation Art. 9).
DEVELOPER = ("JG-DEV", "金桂置业有限公司（未售）")
DEVELOPER_UNITS = (("10栋", "3-501"), ("10栋", "3-502"), ("10栋", "3-601"), ("10栋", "3-602"))


def person_name(rng: random.Random) -> str:
    """A surname and a common given name, never a well-known public figure's name.

    A drawn name on the denylist (``public_figures.NAMES``, e.g. 邓小平) moves on to the next
    given name of the list, without drawing again: the generator's random sequence, and so
    every other flat's area and owner, stays the same.
    """
    surname = rng.choice(SURNAMES)
    start = rng.randrange(0, len(GIVEN) - 1, 2)
    for step in range(0, len(GIVEN), 2):
        at = (start + step) % len(GIVEN)
        name = surname + GIVEN[at : at + 2]
        if name not in PUBLIC_FIGURES:
            return name
    raise ValueError(f"every given name with the surname {surname} is a public figure's")


def units_of(plan: EstatePlan) -> list[Unit]:
    """Every flat of the estate, in building, stairwell, floor, door order."""
    rng = random.Random(plan.seed)  # noqa: S311 (a fixed seed: reproducible, not secret)
    units: list[Unit] = []
    serial = 0
    for b, (stairs, floors) in enumerate(plan.buildings, start=1):
        building = f"{b}栋"
        layouts = {
            (s, door): rng.randint(8_600, 13_800) if door == 1 else rng.randint(6_000, 9_600)
            for s in range(1, stairs + 1)
            for door in (1, 2)
        }
        for s in range(1, stairs + 1):
            for floor in range(1, floors + 1):
                for door in (1, 2):
                    serial += 1
                    unit = f"{s}-{floor}{door:02d}"
                    units.append(
                        Unit(
                            building=building,
                            unit=unit,
                            floor=floor,
                            area_hundredths=layouts[(s, door)],
                            owner_key=f"{plan.prefix}{serial:04d}",
                            owner_name=person_name(rng),
                            hardship_cap_fen=plan.caps.get((building, unit)),
                        )
                    )
    return _with_multi_unit_owners(plan, units, rng)


def _with_multi_unit_owners(plan: EstatePlan, units: list[Unit], rng: random.Random) -> list[Unit]:
    """About 3 % of flats belong to an owner of another flat (same owner_key)."""
    by_key = {(u.building, u.unit): i for i, u in enumerate(units)}
    owners: dict[tuple[str, str], tuple[str, str]] = dict(plan.shared)
    if plan is JINGUI:
        owners.update({k: (TOUR_OWNER_KEY, TOUR_OWNER_NAME) for k in TOUR_OWNER_UNITS})
        owners.update({k: DEVELOPER for k in DEVELOPER_UNITS})
    fixed = set(owners)
    candidates = [i for i, u in enumerate(units) if (u.building, u.unit) not in fixed]
    for _ in range(len(units) * 3 // 100):
        first, second = rng.sample(candidates, 2)
        holder = units[first]
        owners.setdefault(
            (units[second].building, units[second].unit), (holder.owner_key, holder.owner_name)
        )
    result = list(units)
    for key, (owner_key, owner_name) in owners.items():
        i = by_key[key]
        u = result[i]
        result[i] = Unit(
            building=u.building,
            unit=u.unit,
            floor=u.floor,
            area_hundredths=u.area_hundredths,
            owner_key=owner_key,
            owner_name=owner_name,
            hardship_cap_fen=u.hardship_cap_fen,
        )
    return result


def households_csv(plan: EstatePlan) -> str:
    """The estate's households as the import route takes them (UTF-8, one header line)."""
    lines = [COLUMNS]
    for u in units_of(plan):
        cap = "" if u.hardship_cap_fen is None else str(u.hardship_cap_fen)
        lines.append(f"{u.building},{u.unit},{u.floor},{u.area},{u.owner_key},{u.owner_name},{cap}")
    return "\n".join(lines) + "\n"
