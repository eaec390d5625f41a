"""No path escapes the workspace through .., symlinks, absolute paths or odd encodings."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lamtui.safety.paths import check_path

PARTS = st.sampled_from(
    [
        "..",
        ".",
        "a",
        "b",
        "link_out",
        "link_in",
        "",
        "~",
        "é",
        "%2e%2e",
        "..\\..",
        "...",
        ".git",
        "a/../..",
        "\u2025",
        "\uff0e\uff0e",
    ]
)


def _workspace(tmp_path: Path) -> tuple[Path, Path]:
    root = tmp_path / "ws"
    outside = tmp_path / "outside"
    for d in (root / "a" / "b", outside):
        d.mkdir(parents=True, exist_ok=True)
    if not (root / "link_out").is_symlink():
        os.symlink(outside, root / "link_out")
        os.symlink(root / "a", root / "link_in")
        os.symlink(outside, root / "a" / "link_out")
    return root, outside


@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(PARTS, min_size=1, max_size=6), absolute=st.booleans())
def test_inside_means_really_inside(tmp_path: Path, parts: list[str], absolute: bool) -> None:
    root, _ = _workspace(tmp_path)
    raw = ("/" if absolute else "") + "/".join(parts)
    check = check_path(raw, root)
    real = Path(os.path.realpath(check.resolved))
    # The property: whatever the spelling, "inside" is true only of paths whose real
    # location (every symlink followed) is the workspace or below it.
    if check.inside:
        assert real == root.resolve() or root.resolve() in real.parents
    else:
        assert not (real == root.resolve() or root.resolve() in real.parents) or check.problem


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=40))
def test_arbitrary_text_never_crashes_or_escapes(tmp_path: Path, text: str) -> None:
    root, _ = _workspace(tmp_path)
    check = check_path(text, root)
    if check.problem:
        assert not check.inside
        return
    if check.inside:
        real = Path(os.path.realpath(check.resolved))
        assert real == root.resolve() or root.resolve() in real.parents


def test_known_escapes(tmp_path: Path) -> None:
    root, outside = _workspace(tmp_path)
    for raw in (
        "../outside/x",
        "/etc/passwd",
        "link_out/x",
        "a/link_out/x",
        "~/x",
        str(outside / "x"),
        "a/b/../../../outside",
    ):
        assert not check_path(raw, root).inside, raw
    assert check_path("a/b/new.txt", root).inside
    assert check_path("link_in/b", root).inside
    assert check_path(".git/config", root).in_git_dir
    assert check_path("bad\0path", root).problem
