"""The categories suggestions and common problems are sorted into (pure data).

The pilot's four (政策落实, 生产生活, 医疗卫生, 教育就业) and, for estates, 设施改造, 环境卫生,
安全; ``other`` for what fits none. The web shows the names from its i18n files
(``needs.category.<key>``); the Chinese names here are for printed pages and imports.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

NeedCategory = Literal[
    "policy", "livelihood", "health", "education", "facilities", "environment", "safety", "other"
]
CATEGORIES: Final[tuple[str, ...]] = get_args(NeedCategory)

CATEGORY_NAMES_ZH: Final[dict[str, str]] = {
    "policy": "政策落实",
    "livelihood": "生产生活",
    "health": "医疗卫生",
    "education": "教育就业",
    "facilities": "设施改造",
    "environment": "环境卫生",
    "safety": "安全",
    "other": "其他",
}
CATEGORY_NAMES_EN: Final[dict[str, str]] = {
    "policy": "Policy implementation",
    "livelihood": "Daily life",
    "health": "Health care",
    "education": "Education and jobs",
    "facilities": "Facilities",
    "environment": "Environment and sanitation",
    "safety": "Safety",
    "other": "Other",
}

Urgency = Literal["urgent", "normal"]
Difficulty = Literal["hard", "easy"]
ProblemStatus = Literal["collecting", "listed", "in_progress", "solved", "declined"]
PROBLEM_STATUSES: Final[tuple[str, ...]] = get_args(ProblemStatus)
