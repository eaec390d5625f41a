"""Every shipped demonstration is run for real: a small project tree (with a git history,
logs, archives, permissions and links) is built once, copied for each seed, the seed's
actions are executed there with lamtui's own executors, and the expectation stored with
the seed is checked."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from lamtui.actions import files
from lamtui.actions.shell import ShellOptions, run_shell
from lamtui.contract.result import ActionResult
from lamtui.contract.schema import Action
from lamtui.memory.seeds import Seed, check_expectation, load_seeds

OLD = 1_672_531_200  # 2023-01-01: files the "older than N days" seeds must find
GIT_DATES = ("2024-03-01T10:00:00", "2024-03-05T11:30:00", "2024-03-09T16:45:00")

APP_LOG = """\
2024-05-01 10:00:01 INFO server started on port 8000
2024-05-01 10:00:05 INFO connected to database app.db
2024-05-01 10:02:13 WARNING slow query took 2.4s
2024-05-01 10:03:44 ERROR failed to send mail to bob@example.com
2024-05-01 10:05:00 INFO request from 192.168.1.20
2024-05-01 10:05:02 INFO request from 10.0.0.7
2024-05-01 10:06:30 ERROR timeout contacting 10.0.0.7
2024-05-01 10:07:00 INFO request from 192.168.1.20
2024-05-01 10:08:10 WARNING disk usage at 85%
2024-05-01 10:09:59 ERROR database is locked
2024-05-01 10:10:00 INFO shutting down
"""
ACCESS_LOG = """\
192.168.1.20 - - [01/May/2024:10:05:00 +0000] "GET /index.html HTTP/1.1" 200 512
10.0.0.7 - - [01/May/2024:10:05:02 +0000] "GET /api/users HTTP/1.1" 200 1024
192.168.1.20 - - [01/May/2024:10:05:09 +0000] "POST /login HTTP/1.1" 302 0
172.16.0.3 - - [01/May/2024:10:06:11 +0000] "GET /missing HTTP/1.1" 404 128
192.168.1.20 - - [01/May/2024:10:07:00 +0000] "GET /api/orders HTTP/1.1" 500 64
10.0.0.7 - - [01/May/2024:10:07:30 +0000] "GET /index.html HTTP/1.1" 200 512
"""
USERS_CSV = """\
id,name,email,city,age
1,Alice,alice@example.com,Paris,34
2,Bob,bob@example.com,Berlin,28
3,Chloe,chloe@example.org,Paris,41
4,David,david@example.net,Madrid,23
5,Emma,emma@example.com,Berlin,37
6,Farid,farid@example.org,Lisbon,30
"""
MAIN_PY = '''\
"""Entry point of the demo app."""

from app.utils import greet


def main() -> None:
    # TODO: read the port from config/app.ini
    print(greet("world"))


if __name__ == "__main__":
    main()
'''
UTILS_PY = """\
def greet(name: str) -> str:
    return f"Hello, {name}!"


def add(a: int, b: int) -> int:
    # FIXME: handle overflow for huge inputs
    return a + b


def slugify(text: str) -> str:
    # TODO: strip accents
    return text.lower().replace(" ", "-")
"""
MODELS_PY = """\
class User:
    def __init__(self, name: str) -> None:
        self.name = name


class Order:
    def __init__(self, user: User, total: float) -> None:
        self.user = user
        self.total = total
"""
TEST_UTILS_PY = """\
from app.utils import add, greet


def test_greet() -> None:
    assert greet("x") == "Hello, x!"


def test_add() -> None:
    assert add(2, 3) == 5
"""
APP_INI = """\
[server]
host = 127.0.0.1
port = 8000
debug = false

[database]
name = app.db
timeout = 30
"""
SETTINGS_JSON = {
    "name": "demo",
    "version": "1.2.0",
    "debug": False,
    "workers": 4,
    "features": ["search", "export"],
}
NGINX_CONF = """\
server {
    listen 80;
    server_name example.local;
    root /var/www/html;
}
"""
WORDS = "apple\nBanana\napple\ncherry\nbanana\napple\ndate\ncherry\nElderberry\n"
README = """\
# Demo project

A small app used for examples.

## Install

pip install -e .

## Usage

Run `python -m app`.
"""


def _write(root: Path, rel: str, text: str | bytes, mode: int | None = None) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    if mode is not None:
        path.chmod(mode)
    return path


def _git(root: Path, *args: str, date: str = GIT_DATES[0], author: str = "Alice") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author,
        "GIT_AUTHOR_EMAIL": f"{author.lower()}@example.com",
        "GIT_COMMITTER_NAME": author,
        "GIT_COMMITTER_EMAIL": f"{author.lower()}@example.com",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def _tar_gz(members: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = OLD
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def build_fixture(root: Path) -> Path:
    """A small, deterministic project. Seeds refer to these names."""
    root.mkdir(parents=True)
    _write(root, "README.md", README)
    _write(root, ".gitignore", "__pycache__/\n*.pyc\nbuild/\n")
    _write(root, "src/app/__init__.py", '__version__ = "1.2.0"\n')
    _write(root, "src/app/main.py", MAIN_PY)
    _write(root, "src/app/utils.py", UTILS_PY)
    _write(root, "config/app.ini", APP_INI)
    _write(root, "config/settings.json", json.dumps(SETTINGS_JSON, indent=2) + "\n")
    _write(root, "config/nginx.conf", NGINX_CONF)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "Initial commit")
    _write(root, "src/app/models.py", MODELS_PY)
    _write(root, "tests/test_utils.py", TEST_UTILS_PY)
    _git(root, "add", ".", date=GIT_DATES[1], author="Bob")
    _git(root, "commit", "-q", "-m", "Add models and tests", date=GIT_DATES[1], author="Bob")
    _git(root, "branch", "feature/login", date=GIT_DATES[1])
    _write(root, "CHANGELOG.md", "# Changelog\n\n## 1.2.0\n\n- models and tests\n")
    _git(root, "add", ".", date=GIT_DATES[2])
    _git(root, "commit", "-q", "-m", "Release 1.2.0", date=GIT_DATES[2])
    _git(root, "tag", "v1.2.0", date=GIT_DATES[2])
    # Uncommitted work: one modified tracked file, one untracked file.
    with (root / "README.md").open("a", encoding="utf-8") as fh:
        fh.write("\n## Contributing\n\nOpen a pull request.\n")
    _write(root, "notes.txt", "call the landlord\nrenew the domain before June\n")

    _write(root, "src/web/index.html", "<html><body><h1>Demo</h1></body></html>\n")
    _write(root, "src/web/app.js", "console.log('demo');\nfetch('/api/users');\n")
    _write(root, "src/web/style.css", "body { margin: 0; }\nh1 { color: #333; }\n")
    _write(root, "src/app/__pycache__/main.cpython-311.pyc", b"\x00\x01compiled\x00")
    _write(root, "scripts/build.sh", "#!/bin/sh\necho building\n", 0o644)
    _write(root, "scripts/deploy.sh", "#!/bin/sh\necho deploying\n", 0o755)
    _write(root, "scripts/clean.sh", "#!/bin/sh\nrm -rf build\n", 0o777)
    _write(root, "logs/app.log", APP_LOG)
    _write(root, "logs/access.log", ACCESS_LOG)
    old_log = _write(root, "logs/old/app-2023-01-01.log", "2023-01-01 INFO old entry\n")
    _write(root, "data/users.csv", USERS_CSV)
    _write(root, "data/scores.txt", "12\n7\n42\n7\n19\n")
    _write(root, "data/words.txt", WORDS)
    _write(root, "data/dos.txt", b"first line\r\nsecond line\r\n")
    _write(root, "data/empty.txt", "")
    _write(root, "data/list_a.txt", "alpha\nbeta\ngamma\n")
    _write(root, "data/list_b.txt", "beta\ngamma\ndelta\n")
    _write(root, "data/cities.txt", "Paris\nBerlin\nParis\nMadrid\nBerlin\nParis\n")
    _write(root, "docs/guide.md", "# Guide\n\nSee config/app.ini for the port.\n")
    _write(root, "build/app.o", b"\x7fELF" + b"\x00" * 60)
    _write(root, "build/session.tmp", "scratch\n")
    _write(root, "build/cache/index.tmp", "scratch\n")
    _write(
        root,
        "archive/backup.tar.gz",
        _tar_gz({"backup/todo.txt": "ship it\n", "backup/notes.md": "# Notes\n"}),
    )
    _write(root, "archive/report.txt.gz", gzip.compress(b"quarterly report\nrevenue up\n", mtime=0))
    _write(root, "media/photo.JPG", b"\xff\xd8\xff" + b"\x00" * 2000)
    _write(root, "media/holiday.jpg", b"\xff\xd8\xff" + b"\x01" * 3000)
    _write(root, "big/dataset.bin", b"\x00" * 300_000)
    _write(root, "big/sample.bin", b"\x00" * 10_000)
    (root / "links").mkdir()
    os.symlink("../config/app.ini", root / "links/current.ini")
    os.symlink("../missing.txt", root / "links/dangling")
    (root / "empty_dir").mkdir()
    for path in (old_log, root / "build/session.tmp", root / "archive/backup.tar.gz"):
        os.utime(path, (OLD, OLD))
    return root


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_fixture(tmp_path_factory.mktemp("seed-fixture") / "project")


def run_action(action: Action, workspace: Path) -> ActionResult:
    args = action.args
    if action.tool == "shell":
        options = ShellOptions(timeout=20, head_lines=2000, tail_lines=2000)
        result = None
        for item in run_shell(args["command"], workspace, options):
            if isinstance(item, ActionResult):
                result = item
        assert result is not None
        return result
    if action.tool == "read_file":
        return files.read_file(args["path"], workspace)
    if action.tool == "list_dir":
        return files.list_dir(args["path"], workspace)
    if action.tool == "write_file":
        return files.write_file(args["path"], args["content"], workspace)
    if action.tool == "edit_file":
        return files.edit_file(args["path"], args["search"], args["replace"], workspace)
    raise AssertionError(f"seeds only use executable tools, not {action.tool}")


SEEDS = load_seeds()


def test_there_are_enough_seeds_across_categories() -> None:
    assert len(SEEDS) >= 150
    assert len({s.id for s in SEEDS}) == len(SEEDS)
    categories = {s.category for s in SEEDS}
    for needed in (
        "find",
        "count",
        "disk",
        "archive",
        "permissions",
        "text",
        "git",
        "config",
        "process",
        "files",
    ):
        assert needed in categories, needed


@pytest.mark.parametrize("seed", SEEDS, ids=[s.id for s in SEEDS])
def test_seed_does_what_it_claims(seed: Seed, pristine: Path, tmp_path: Path) -> None:
    workspace = tmp_path / "project"
    shutil.copytree(pristine, workspace, symlinks=True)
    outputs: list[ActionResult] = []
    for action in seed.actions:
        result = run_action(action, workspace)
        outputs.append(result)
        assert result.ok or seed.expect.get("exit") not in (None, 0), (
            f"{seed.id}: {action.tool} failed: {result.error or result.output}"
        )
    problems = check_expectation(seed.expect, outputs, workspace)
    assert not problems, f"{seed.id}: " + "; ".join(problems)
