"""Talking to the service as its clients do: the bearer header and a sample register."""

from __future__ import annotations

#: A small household register (CSV import): five flats in two buildings, owner A holding two,
#: one hardship cap of 0 (exempt) and one of ¥500.
SAMPLE_CSV = """building,unit,floor,area_m2,owner_key,owner_name,hardship_cap_fen
1栋,101,1,80.00,A,业主甲,
1栋,102,1,90.50,B,业主乙,
1栋,201,2,100.00,A,业主甲,
2栋,101,1,120.25,C,业主丙,0
2栋,102,1,60.00,D,业主丁,50000
"""


def bearer(token: str) -> dict[str, str]:
    """The ``Authorization`` header for a member's (or the admin's) token."""
    return {"Authorization": f"Bearer {token}"}
