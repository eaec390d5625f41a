from __future__ import annotations

import os
from pathlib import Path

import psutil

from lamtui.actions import files
from lamtui.actions.shell import ShellOptions, run_shell
from lamtui.contract.cancel import CancelToken
from lamtui.contract.result import ActionResult, OutputChunk


def _run(command: str, cwd: Path, **options: object) -> tuple[ActionResult, list[str]]:
    chunks: list[str] = []
    result = None
    for item in run_shell(command, cwd, ShellOptions(**options)):  # type: ignore[arg-type]
        if isinstance(item, OutputChunk):
            chunks.append(item.text)
        else:
            result = item
    assert result is not None
    return result, chunks


def test_exit_code_stderr_and_cwd(tmp_path: Path) -> None:
    result, chunks = _run("pwd; echo oops >&2; exit 3", tmp_path)
    assert result.exit_code == 3 and not result.ok
    assert str(tmp_path) in result.output and "oops" in result.output
    assert "".join(chunks) == result.output + "\n"


def test_child_never_reads_the_terminal(tmp_path: Path) -> None:
    result, _ = _run('read line; echo "got:[$line]"', tmp_path, timeout=10)
    assert result.ok is False or "got:[]" in result.output
    assert result.duration < 5 and not result.timed_out


def test_timeout_kills_the_process_group(tmp_path: Path) -> None:
    result, _ = _run("sleep 41.3 & sleep 41.3", tmp_path, timeout=0.5)
    assert result.timed_out and not result.ok and "timed out" in result.error
    alive = [
        p for p in psutil.process_iter(["cmdline"]) if "41.3" in " ".join(p.info["cmdline"] or [])
    ]
    assert alive == []


def test_cancel_token_stops_a_command(tmp_path: Path) -> None:
    cancel = CancelToken()
    cancel.cancel()
    result = list(run_shell("sleep 5", tmp_path, ShellOptions(), cancel))[-1]
    assert isinstance(result, ActionResult) and result.cancelled and result.duration < 3


def test_huge_output_keeps_memory_bounded(tmp_path: Path) -> None:
    process = psutil.Process()
    before = process.memory_info().rss
    saved = tmp_path / "out.log"
    result, chunks = _run(
        "head -c 1000000000 /dev/zero | tr '\\0' y | fold -w 80",
        tmp_path,
        save_output_to=saved,
        head_lines=5,
        tail_lines=5,
    )
    assert result.ok and result.output_bytes > 1_000_000_000
    assert "lines omitted" in result.output and len(result.output) < 2000
    assert process.memory_info().rss - before < 100 * 1024**2
    assert sum(len(c) for c in chunks) < 400 * 1024  # live display is bounded too
    assert 0 < saved.stat().st_size <= 64 * 1024**2 and "truncated" in result.error


def test_invalid_utf8_is_replaced_not_lost(tmp_path: Path) -> None:
    result, _ = _run("printf 'ok \\xff\\xfe end\\n'", tmp_path)
    assert "ok \ufffd\ufffd end" in result.output


def test_read_file_binary_and_cap(tmp_path: Path) -> None:
    (tmp_path / "bin").write_bytes(b"\x7fELF\0\0\1")
    result = files.read_file("bin", tmp_path)
    assert not result.ok and "binary" in result.error
    (tmp_path / "big.txt").write_text("x" * 200_000)
    big = files.read_file("big.txt", tmp_path)
    assert big.ok and "only the first" in big.output and len(big.output) < 70_000
    assert "no such file" in files.read_file("nope", tmp_path).error


def test_list_dir_shows_non_utf8_names(tmp_path: Path) -> None:
    os.mkdir(tmp_path / "sub")
    with open(os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt"), "wb") as fh:
        fh.write(b"x")
    result = files.list_dir(".", tmp_path)
    assert result.ok and "sub/" in result.output and "caf" in result.output


def test_edit_file_needs_a_unique_match(tmp_path: Path) -> None:
    target = tmp_path / "c.ini"
    target.write_text("port = 80\nport = 80\n")
    assert "2 times" in files.edit_file("c.ini", "port = 80", "port = 1", tmp_path).error
    assert "not found" in files.edit_file("c.ini", "host", "x", tmp_path).error
    target.write_text("port = 80\nhost = a\n")
    ok = files.edit_file("c.ini", "port = 80", "port = 8080", tmp_path)
    assert ok.ok and ok.files_changed == ["c.ini"]
    assert target.read_text() == "port = 8080\nhost = a\n"


def test_write_file_creates_parents(tmp_path: Path) -> None:
    result = files.write_file("a/b/c.txt", "hi", tmp_path)
    assert result.ok and (tmp_path / "a/b/c.txt").read_text() == "hi"
