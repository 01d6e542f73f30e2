"""The printable board and the figures' CSV (pure)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from planner.needs.board_page import bar_chart, board_csv, render_board
from planner.needs.problem_model import BoardOut, BoardProblem, CategoryCount, StatusCount

FIGURES = {
    "suggestions_received": 412,
    "suggestions_sorted": 405,
    "self_help": 61,
    "problems_total": 40,
    "problems_listed": 40,
    "problems_solved": 39,
    "problems_urgent_solved": 35,
    "problems_declined": 0,
}


def board() -> BoardOut:
    return BoardOut(
        estate_id=1,
        estate_name="金桂苑<script>",
        figures=FIGURES,
        by_category=[
            CategoryCount(category="facilities", suggestions=300, problems=30),
            CategoryCount(category="safety", suggestions=112, problems=10),
        ],
        by_status=[
            StatusCount(status=s, problems=n)
            for s, n in (
                ("collecting", 0),
                ("listed", 0),
                ("in_progress", 1),
                ("solved", 39),
                ("declined", 0),
            )
        ],
        problems=[
            BoardProblem(
                id=7,
                title="电梯<b>异响</b>",
                category="facilities",
                urgency="urgent",
                status="solved",
                responsible="物业 & 居委会",
                supporters_owners=12,
                supporters_units=14,
                solved_at=datetime(2026, 11, 30, 17, 0, tzinfo=UTC),
            )
        ],
        generated_at=datetime(2026, 12, 4, 2, 0, tzinfo=UTC),
    )


def test_the_page_escapes_and_shows_the_figures_in_chinese() -> None:
    page = render_board(board(), "Asia/Shanghai", "zh")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "电梯&lt;b&gt;异响&lt;/b&gt;" in page and "物业 &amp; 居委会" in page
    assert '<td class="n">35</td>' in page and "其中急事已解决" in page
    # the estate's wall clock: 17:00 UTC on 30 Nov is 1 Dec in Beijing
    assert "2026-12-01" in page and "2026-12-04 10:00" in page
    text = re.sub(r"<[^>]+>|&\w+;", " ", page.split("<body>", 1)[1])
    assert not re.search(r"[A-Za-z]{3,}(?:\W+[A-Za-z]{3,}){2,}", text)


def test_the_english_page() -> None:
    page = render_board(board(), "Asia/Shanghai", "en")
    assert 'lang="en"' in page and "Urgent ones solved" in page and "Facilities" in page


def test_charts_are_labelled_and_scaled() -> None:
    svg = bar_chart("各进度", [("已解决", 39), ("处理中", 1), ("收集", 0)])
    assert 'role="img"' in svg and 'aria-label="各进度"' in svg and "<title>各进度</title>" in svg
    widths = [int(w) for w in re.findall(r'<rect [^>]*width="(\d+)"', svg)]
    assert widths[0] == max(widths) and widths[2] == 0


def test_csv_rows() -> None:
    rows = list(csv.reader(io.StringIO(board_csv(board(), "en"))))
    assert rows[0] == ["section", "key", "name", "value"]
    assert ["figures", "problems_solved", "Solved", "39"] in rows
    assert ["problems_by_category", "safety", "Safety", "10"] in rows
    assert ["problems_by_status", "in_progress", "In progress", "1"] in rows
