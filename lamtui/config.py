"""Settings: defaults < user config.toml < project .lamtui.toml < LAMTUI_* env < CLI flags.

Every layer is validated by the same pydantic models, so an unknown key or a wrong
type is reported with the file (or variable) and the dotted key that is wrong.

A project file comes with the folder (a clone, an archive, an action's output), so it
cannot widen trust: it may not raise the mode above `workspace`, turn the sandbox off, or
say where prompts, the API key and memories are sent. Such keys are ignored with one
warning; the user's own config, LAMTUI_* variables or a flag can set them.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from lamtui.contract.modes import GUARDED_MODES, PolicyMode
from lamtui.errors import ConfigError
from lamtui.paths import get_paths

PROJECT_FILE = ".lamtui.toml"
# (section, key) -> the values a project file may set (None: none at all).
PROJECT_LIMITS: dict[tuple[str, str], frozenset[Any] | None] = {
    ("policy", "mode"): frozenset(GUARDED_MODES),
    ("shell", "sandbox"): frozenset({"auto", "always"}),
    ("model", "base_url"): None,
    ("model", "api_key_secret"): None,
    ("memory", "url"): None,
}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelSettings(_Section):
    name: str = Field(
        "gemma3-270m-lam", description="catalog name, path to a GGUF file, or BASE+ADAPTER.gguf"
    )
    base_url: str = Field("", description="OpenAI-compatible server; empty = embedded llama.cpp")
    remote_model: str = Field("", description="model name to request from the server")
    api_key_secret: str = Field("", description="keyring entry holding the server's API key")
    threads: int = Field(0, ge=0, description="0 = chosen from the CPU")
    context: int = Field(0, ge=0, description="0 = chosen from free RAM and the model")
    max_retries: int = Field(2, ge=0, le=10)
    max_tokens: int = Field(1024, ge=16, le=32768)  # fits the longest bounded action
    request_timeout: float = Field(120.0, gt=0)
    fast_grammar: bool = Field(True, description="check the greedy token first (llama.cpp-style)")


class AgentSettings(_Section):
    max_steps: int = Field(15, ge=1, le=500)
    max_failures: int = Field(3, ge=1, le=50)


class ShellSettings(_Section):
    timeout: float = Field(120.0, gt=0)
    sandbox: Literal["auto", "always", "never"] = "auto"
    output_head_lines: int = Field(40, ge=1)
    output_tail_lines: int = Field(40, ge=1)


class PolicySettings(_Section):
    mode: PolicyMode = "ask"
    allow: list[str] = Field(default_factory=list, description="command prefixes to run")
    ask: list[str] = Field(default_factory=list, description="command prefixes to always ask")
    deny: list[str] = Field(default_factory=list, description="command prefixes never to run")


class MemorySettings(_Section):
    enabled: bool = True
    url: str = ""
    embedding_model: str = ""


class SecretsSettings(_Section):
    backend: Literal["keyring", "file"] = "keyring"


class Settings(_Section):
    model: ModelSettings = Field(default_factory=ModelSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    shell: ShellSettings = Field(default_factory=ShellSettings)
    policy: PolicySettings = Field(default_factory=PolicySettings)
    memory: MemorySettings = Field(default_factory=MemorySettings)
    secrets: SecretsSettings = Field(default_factory=SecretsSettings)
    _warnings: list[str] = PrivateAttr(default_factory=list)
    _project_allow: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        """What loading ignored, in words (printed to stderr once by load_settings)."""
        return self._warnings

    @property
    def project_allow(self) -> dict[str, str]:
        """Allow patterns only a project file gave, and that file: such a rule is capped
        at a workspace write, since the folder, not the user, wrote it."""
        return self._project_allow


def _describe(err: ValidationError, source: str) -> ConfigError:
    first = err.errors()[0]
    key = ".".join(str(p) for p in first["loc"]) or "(top level)"
    if first["type"] == "extra_forbidden":
        section = first["loc"][0] if len(first["loc"]) > 1 else None
        known = _known_keys(str(section) if section else None)
        return ConfigError(
            f"{source}: unknown setting '{key}'", f"known keys here: {', '.join(known)}"
        )
    value = first.get("input")
    return ConfigError(
        f"{source}: {key} = {value!r} is invalid: {first['msg']}",
        "fix the value or remove the line to use the default",
    )


def _known_keys(section: str | None) -> list[str]:
    if section is None or section not in Settings.model_fields:
        return list(Settings.model_fields)
    annotation = Settings.model_fields[section].annotation
    assert isinstance(annotation, type) and issubclass(annotation, BaseModel)
    return list(annotation.model_fields)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """Later layers override earlier ones; lists (policy rules) add up instead, so a
    project file cannot drop the user's deny rules."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        elif isinstance(value, list) and isinstance(merged.get(key), list):
            merged[key] = [*merged[key], *(v for v in value if v not in merged[key])]
        else:
            merged[key] = value
    return merged


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", "fix the syntax") from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8; tomllib does not say which file
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start})", "save the file as UTF-8"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def _env_layer(environ: dict[str, str]) -> dict[str, Any]:
    """LAMTUI_<SECTION>_<KEY>=value, e.g. LAMTUI_MODEL_BASE_URL. Values are parsed as TOML
    scalars when they can be (numbers, booleans), otherwise taken as strings."""
    layer: dict[str, Any] = {}
    sections = set(Settings.model_fields)
    for name, raw in environ.items():
        if not name.startswith("LAMTUI_"):
            continue
        rest = name[len("LAMTUI_") :].lower()
        section, _, key = rest.partition("_")
        if section not in sections or not key:
            continue  # LAMTUI_HOME, LAMTUI_DEBUG and friends are not settings
        layer.setdefault(section, {})[key] = _parse_scalar(raw)
    return layer


def _parse_scalar(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def _limit_project(layer: dict[str, Any], source: str) -> tuple[dict[str, Any], str]:
    """The project layer without the keys it may not set, and a warning naming them."""
    limited = {k: dict(v) if isinstance(v, dict) else v for k, v in layer.items()}
    ignored: list[str] = []
    for (section, key), allowed in PROJECT_LIMITS.items():
        table = limited.get(section)
        if not isinstance(table, dict) or key not in table:
            continue
        value = table[key]
        if allowed is None or not isinstance(value, str) or value not in allowed:
            ignored.append(f"{section}.{key} = {value!r}")
            del table[key]
    if not ignored:
        return limited, ""
    return limited, (
        f"{source}: ignored {', '.join(ignored)}: a project file cannot raise the mode "
        "above workspace, turn the sandbox off or choose where prompts, keys and memories "
        "go; set it in your own config.toml or pass a flag"
    )


def _allow(layer: dict[str, Any]) -> list[str]:
    policy = layer.get("policy")
    allow = policy.get("allow", []) if isinstance(policy, dict) else []
    return [p for p in allow if isinstance(p, str)]


def _validate(data: dict[str, Any], source: str) -> None:
    try:
        Settings.model_validate(data)
    except ValidationError as err:
        raise _describe(err, source) from None


def load_settings(
    cwd: Path | None = None,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    """Build the effective settings. Each layer is validated on its own so errors name it."""
    environ = dict(os.environ) if environ is None else environ
    data: dict[str, Any] = {}
    layers: list[tuple[str, dict[str, Any]]] = []
    user_file = get_paths().config_file
    if user_file.exists():
        layers.append((str(user_file), _read_toml(user_file)))
    project_file = (cwd or Path.cwd()) / PROJECT_FILE
    warnings: list[str] = []
    if project_file.exists():
        source = str(project_file)
        project = _read_toml(project_file)
        _validate(project, source)  # a wrong key is reported even where it is ignored
        project, warning = _limit_project(project, source)
        layers.append((source, project))
        warnings += [warning] if warning else []
    layers.append(("environment (LAMTUI_*)", _env_layer(environ)))
    if overrides:
        layers.append(("command line", overrides))
    for source, layer in layers:
        _validate(layer, source)
        data = _merge(data, layer)
    settings = Settings.model_validate(data)
    settings.warnings.extend(warnings)
    trusted = {p for source, layer in layers if source != str(project_file) for p in _allow(layer)}
    for source, layer in layers:
        if source == str(project_file):
            settings.project_allow.update({p: source for p in _allow(layer) if p not in trusted})
    for warning in warnings:
        print(f"lamtui: warning: {warning}", file=sys.stderr)
    return settings
