"""File names built from user text (estate names, building names) never carry a path."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from planner.funding.exports.model import content_disposition

HOSTILE_NAMES = [
    "../../etc/passwd",
    "..\\..\\windows\\win.ini",
    "%2e%2e%2fetc%2fpasswd",
    "/absolute/path",
    "a\x00b",
    'quo"te; filename=evil.exe',
    "\r\nSet-Cookie: planner_session=x",
    "..",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_content_disposition_has_no_path_or_header_injection(name: str) -> None:
    header = content_disposition(f"{name}-资金方案.csv", f"{name}.csv")
    assert "\r" not in header and "\n" not in header and "\x00" not in header
    fallback = re.search(r'filename="([^"]*)"', header)
    encoded = re.search(r"filename\*=UTF-8''(\S+)$", header)
    assert fallback and encoded, header
    assert header.count('filename="') == 1
    for file_name in (fallback.group(1), unquote(encoded.group(1))):
        assert "/" not in file_name and "\\" not in file_name, header
        assert file_name not in ("", ".", ".."), header
