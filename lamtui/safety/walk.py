"""Walk a file-tool path the way the kernel does, one component at a time, holding a
directory handle, so that what the gate checks is what the file tools then open.

Each directory is opened with O_NOFOLLOW | O_DIRECTORY relative to its parent's handle.
`..` steps back to the directory the walk came from; it is never normalised as text. A
symlink is read with readlinkat and its target is walked the same way. The walk refuses
(sets `problem`) where the path's meaning is not clear or leads out:

* a symlink that sits inside the workspace and leads to a place outside it;
* a `..` the caller typed after a symlink (the shell, which normalises `..` as text, and
  the kernel, which follows the link first, disagree on where that leads);
* a `..` after a directory that does not exist, a file used as a directory, link loops.
"""

from __future__ import annotations

import os
import stat
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

MAX_LINKS = 40  # what Linux follows before ELOOP
# O_PATH (Linux) opens a directory without needing read permission on it.
DIR_FLAGS = getattr(os, "O_PATH", os.O_RDONLY) | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def display(path: Path, root: Path) -> str:
    """A path as the user should see it: relative inside the workspace, else absolute."""
    if path == root:
        return "."
    return str(path.relative_to(root)) if is_within(path, root) else str(path)


@dataclass
class Walk:
    """Where a path leads. `directory` is the deepest existing directory reached (its
    handle is `dir_fd`, -1 when closed or when the walk failed); `rest` is what lies
    below it: () for the directory itself, one existing non-directory (`leaf` holds its
    lstat), or the names that do not exist yet."""

    root: Path
    dir_fd: int
    directory: Path
    rest: tuple[str, ...] = ()
    leaf: os.stat_result | None = None
    links: tuple[str, ...] = ()  # symlinks followed, as displayed
    problem: str = ""

    @property
    def real(self) -> Path:
        return self.directory.joinpath(*self.rest)

    @property
    def inside(self) -> bool:
        return not self.problem and is_within(self.real, self.root)

    @property
    def shown(self) -> str:
        return display(self.real, self.root)

    def close(self) -> None:
        if self.dir_fd >= 0:
            os.close(self.dir_fd)
            self.dir_fd = -1

    def __enter__(self) -> Walk:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _Walker:
    def __init__(self, root: Path, fd: int, start: Path) -> None:
        self.root = root
        self.stack: list[tuple[int, Path]] = [(fd, start)]  # the directories walked
        self.missing: list[str] = []
        self.leaf: tuple[str, os.stat_result] | None = None
        self.links: list[tuple[str, bool]] = []  # (shown, the link sits in the workspace)
        self.problem = ""

    def run(self, text: str) -> None:
        pending: deque[tuple[str, bool]] = deque((part, True) for part in text.split("/"))
        while pending and not self.problem:
            name, typed = pending.popleft()
            if name in ("", "."):
                continue
            here = self.stack[-1][1]
            if self.leaf is not None:
                self.problem = f"{display(here / self.leaf[0], self.root)} is not a directory"
            elif name == "..":
                self._up(typed)
            elif self.missing:
                self.missing.append(name)
            else:
                self._step(name, pending)

    def _step(self, name: str, pending: deque[tuple[str, bool]]) -> None:
        fd, here = self.stack[-1]
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            self.missing.append(name)
            return
        except OSError as exc:
            self.problem = f"cannot look up {display(here / name, self.root)}: {exc.strerror}"
            return
        if stat.S_ISLNK(st.st_mode):
            self._follow(name, pending)
        elif stat.S_ISDIR(st.st_mode):
            try:
                self.stack.append((os.open(name, DIR_FLAGS, dir_fd=fd), here / name))
            except OSError as exc:  # swapped for a link or a file since the lstat
                self.problem = f"cannot open {display(here / name, self.root)}: {exc.strerror}"
        else:
            self.leaf = (name, st)

    def _up(self, typed: bool) -> None:
        if self.missing:
            shown = display(self.stack[-1][1].joinpath(*self.missing), self.root)
            self.problem = f"the path goes up (`..`) out of {shown}, which does not exist"
            return
        if typed and self.links:
            self.problem = (
                f"`..` after the symbolic link {self.links[0][0]} is ambiguous (the shell "
                "and the file system disagree on where it leads); give the path without it"
            )
            return
        if len(self.stack) > 1:
            os.close(self.stack.pop()[0])
            return
        fd, here = self.stack[0]
        if here.parent == here:
            return  # `/..` is `/`
        try:
            parent = os.open("..", DIR_FLAGS, dir_fd=fd)
        except OSError as exc:
            self.problem = f"cannot open {here.parent}: {exc.strerror}"
            return
        os.close(fd)
        self.stack[0] = (parent, here.parent)

    def _follow(self, name: str, pending: deque[tuple[str, bool]]) -> None:
        fd, here = self.stack[-1]
        shown = display(here / name, self.root)
        if len(self.links) >= MAX_LINKS:
            self.problem = f"{shown}: too many levels of symbolic links"
            return
        try:
            target = os.readlink(name, dir_fd=fd)
        except OSError as exc:
            self.problem = f"cannot read the symbolic link {shown}: {exc.strerror}"
            return
        self.links.append((shown, is_within(here, self.root)))
        if target.startswith("/"):
            try:
                top = os.open("/", DIR_FLAGS)
            except OSError as exc:
                self.problem = f"cannot open /: {exc.strerror}"
                return
            self._close_all()
            self.stack = [(top, Path("/"))]
        pending.extendleft(reversed([(part, False) for part in target.split("/")]))

    def _close_all(self) -> None:
        for fd, _ in self.stack:
            os.close(fd)
        self.stack = []

    def result(self) -> Walk:
        if self.problem:
            start = self.stack[-1][1] if self.stack else self.root
            self._close_all()
            return Walk(self.root, -1, start, problem=self.problem)
        for fd, _ in self.stack[:-1]:
            os.close(fd)
        fd, here = self.stack[-1]
        if self.missing:
            rest, leaf = tuple(self.missing), None
        elif self.leaf is not None:
            rest, leaf = (self.leaf[0],), self.leaf[1]
        else:
            rest, leaf = (), None
        walked = Walk(self.root, fd, here, rest, leaf, tuple(shown for shown, _ in self.links))
        escaping = next((shown for shown, inside in self.links if inside), None)
        if escaping is not None and not is_within(walked.real, self.root):
            walked.close()
            walked.problem = (
                f"{escaping} is a symbolic link that leads outside the workspace "
                f"(to {walked.real}); the file tools do not follow it"
            )
        return walked


def walk(raw: str, workspace: Path) -> Walk:
    """Walk `raw` (relative paths start at the workspace, `~` is the home folder). The
    caller closes the returned Walk (it is a context manager)."""
    root = Path(os.path.realpath(workspace))
    if "\0" in raw:
        return Walk(root, -1, root, problem="path contains a NUL byte")
    if not raw.strip():
        return Walk(root, -1, root, problem="path is empty")
    text = os.path.expanduser(raw)
    start = Path("/") if text.startswith("/") else root
    try:
        fd = os.open(start, DIR_FLAGS)
    except OSError as exc:
        return Walk(root, -1, start, problem=f"cannot open {start}: {exc.strerror}")
    walker = _Walker(root, fd, start)
    try:
        walker.run(text)
    except BaseException:
        walker._close_all()
        raise
    return walker.result()
