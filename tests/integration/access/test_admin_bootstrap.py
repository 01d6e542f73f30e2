from pathlib import Path

from planner.access.bootstrap import ensure_admin, saved_admin_token


async def test_admin_is_made_once_and_another_data_folder_does_not_revoke_it(
    db, tmp_path: Path
) -> None:
    here, elsewhere = tmp_path / "here", tmp_path / "elsewhere"
    async with db.connection() as conn:
        first = await ensure_admin(conn, here)
        assert first is not None
        assert await ensure_admin(conn, here) is None
        assert await ensure_admin(conn, elsewhere) is None
        assert await saved_admin_token(conn, here) == first
        assert await saved_admin_token(conn, elsewhere) is None
        rotated = await ensure_admin(conn, elsewhere, rotate=True)
        assert rotated not in (None, first)
        assert await saved_admin_token(conn, here) is None
        assert await saved_admin_token(conn, elsewhere) == rotated
    assert (here / "admin_token").stat().st_mode & 0o777 == 0o600
