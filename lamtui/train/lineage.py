"""Lineage: which adapter each adapter was trained from, on how much new data, and how it
scored. An explore round writes it into its adapter's manifest (`lineage`, plus the
slice score under `validation` and a line under `scores`); `lamtui models` reads every
manifest and draws base → adapter → adapter."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lamtui.errors import LamtuiError
from lamtui.lam.adapters import entry_adapter, find_adapters, read_manifest
from lamtui.lam.catalog import get_entry, load_catalog
from lamtui.train.manifest import write_manifest
from lamtui.train.promotion import SliceScore, promote

if TYPE_CHECKING:
    from lamtui.train.explore_state import ExploreState, RoundState

SCORE_KEY = "pool-validation"


def slice_score_of(adapter: Path, slice_id: str) -> SliceScore | None:
    """The adapter's completed score on this slice, when its manifest holds one."""
    try:
        found = (read_manifest(adapter).get("validation") or {}).get(slice_id)
    except LamtuiError:
        return None
    if not isinstance(found, dict) or not found.get("completed"):
        return None
    return SliceScore.from_dict(found)


def record_round(
    state: ExploreState,
    current: RoundState,
    parent: dict[str, Any],
    score: SliceScore,
    parent_score: SliceScore,
) -> bool:
    """Write the round's lineage and score into its adapter's manifest, then promote it
    when it was kept and the guard allows; whether it became the default."""
    candidate = Path(current.candidate)
    manifest = read_manifest(candidate)
    lineage = {
        "parent": {
            "name": parent.get("name"),
            "path": parent.get("adapter"),
            "score": parent_score.to_dict(),
        },
        "base": state.base.get("name"),
        "run": state.run_id,
        "round": current.n,
        "data_added": {
            "attempted": current.attempted,
            "verified": current.verified,
            "added": current.added,
        },
        "kept": current.kept,
        "promoted": False,
        "reason": current.reason,
    }
    manifest["lineage"] = lineage
    manifest.setdefault("validation", {})[score.slice_id] = score.to_dict()
    manifest.setdefault("scores", {})[SCORE_KEY] = score.shown()
    write_manifest(candidate, manifest)  # the scores are kept whatever comes next
    if current.kept and not state.entry:
        current.reason += "; not made the default: no catalog model sits on this base"
        lineage["reason"] = current.reason
        write_manifest(candidate, manifest)
    if not current.kept or not state.entry:
        return False
    verdict = promote(
        get_entry(state.entry), candidate, score, Path(str(parent["adapter"])), parent_score
    )
    if not verdict.promote:
        current.reason += f"; not made the default: {verdict.reason}"
        lineage["reason"] = current.reason
    lineage["promoted"] = verdict.promote
    write_manifest(candidate, manifest)
    return verdict.promote


# --- reading it back -----------------------------------------------------------------


@dataclass
class Node:
    path: Path
    manifest: dict[str, Any]
    children: list[Node] = field(default_factory=list)
    default_of: list[str] = field(default_factory=list)

    @property
    def lineage(self) -> dict[str, Any]:
        found = self.manifest.get("lineage")
        return found if isinstance(found, dict) else {}

    @property
    def parent(self) -> str:
        return str((self.lineage.get("parent") or {}).get("path") or "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "adapter": self.path.stem,
            "path": str(self.path),
            "base": (self.manifest.get("base") or {}).get("file"),
            "parent": self.parent or None,
            "round": self.lineage.get("round"),
            "data_added": self.lineage.get("data_added"),
            "scores": self.manifest.get("scores") or {},
            "kept": self.lineage.get("kept"),
            "promoted": self.lineage.get("promoted"),
            "reason": self.lineage.get("reason"),
            "default_of": self.default_of,
            "children": [c.to_dict() for c in self.children],
        }


def _defaults() -> dict[Path, list[str]]:
    out: dict[Path, list[str]] = {}
    for entry in load_catalog():
        if entry.adapter:
            out.setdefault(entry_adapter(entry).resolve(), []).append(entry.name)
    return out


def trees() -> list[Node]:
    """Every adapter with a manifest, as trees rooted at adapters with no known parent."""
    defaults = _defaults()
    nodes = {
        p.resolve(): Node(p, m, default_of=defaults.get(p.resolve(), []))
        for p, m in find_adapters()
    }
    roots: list[Node] = []
    for node in nodes.values():
        parent = nodes.get(Path(node.parent).resolve()) if node.parent else None
        (parent.children if parent is not None else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=lambda c: (str(c.lineage.get("run")), c.lineage.get("round", 0)))
    return roots


def _score(node: Node) -> str:
    """Its own slice score, else the one an explore run measured before training on it."""
    own = (node.manifest.get("scores") or {}).get(SCORE_KEY)
    if own:
        return str(own)
    for child in node.children:
        raw = (child.lineage.get("parent") or {}).get("score")
        try:
            return SliceScore.from_dict(raw).shown() if isinstance(raw, dict) else ""
        except TypeError:
            continue
    return ""


def _label(node: Node) -> str:
    parts = [node.path.stem]
    added = node.lineage.get("data_added") or {}
    if added:
        parts.append(
            f"+{added.get('added', 0)} examples ({added.get('verified', 0)} verified of "
            f"{added.get('attempted', 0)} attempted)"
        )
    score = _score(node)
    if score:
        parts.append(f"validation {score}")
    if node.lineage:
        parts.append("kept" if node.lineage.get("kept") else "kept beside (not better)")
    if node.default_of:
        parts.append("DEFAULT of " + ", ".join(node.default_of))
    return "  ".join(parts)


def render(roots: list[Node]) -> list[str]:
    """base → adapter → adapter, one adapter a line, children indented under parents."""
    out: list[str] = []

    def walk(node: Node, depth: int) -> None:
        out.append("   " * (depth - 1) + "└─ " + _label(node))
        for child in node.children:
            walk(child, depth + 1)

    for root in roots:
        out.append(str((root.manifest.get("base") or {}).get("file", "?")))
        walk(root, 1)
    return out
