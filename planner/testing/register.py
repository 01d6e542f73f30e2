"""A realistic household register of any size, as a CSV import (for tests and bench/csv_import).

Flats of 20 buildings × 4 entrances × 33 floors × 4 flats per floor (more buildings past
10,560 rows), areas from 45 to 180 m², an owner per flat or two, Chinese names, one flat in
40 with a hardship cap.
"""

from __future__ import annotations

import random

HEADER = "楼栋,单元/房号,楼层,面积,业主编号,业主姓名,困难户上限\n"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧"


def household_register(rows: int, seed: int = 15, bad_line: int | None = None) -> bytes:
    """``rows`` households as UTF-8 CSV with Chinese headers (about 55 bytes a row).

    ``bad_line`` (a file line number, 2 = the first row) gets a negative area there, so the
    whole file must be refused with ``line {bad_line}.area_m2``.
    """
    rng = random.Random(seed)  # noqa: S311  (sample data, not secrets)
    out = [HEADER]
    for i in range(rows):
        flat, rest = i % 4, i // 4
        floor, rest = rest % 33 + 1, rest // 33
        entrance, building = rest % 4 + 1, rest // 4 + 1
        area = f"{rng.randint(4500, 18000) / 100:.2f}"
        if bad_line is not None and i + 2 == bad_line:
            area = "-1"
        owner = i - i % 2 if rng.random() < 0.1 else i
        name = rng.choice(_SURNAMES) + "".join(rng.choices(_GIVEN, k=rng.randint(1, 2)))
        cap = str(rng.randint(0, 50) * 10_000) if rng.random() < 0.025 else ""
        unit = f"{entrance}-{floor}{flat + 1:02d}"
        out.append(f"{building}栋,{unit},{floor},{area},OWN{owner:07d},{name},{cap}\n")
    return "".join(out).encode()
