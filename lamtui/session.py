"""The composition root: settings (with the command line folded in) become a ready Agent.

`lamtui run`, the Textual app and `lamtui eval` all build their agent here: no other
module constructs an Agent (tests/unit/test_session.py checks it). The pieces:

- `settings_from_args`: the CLI's --model/--base-url/--max-steps/--timeout/--memory
  flags folded into the layered Settings;
- `build_policy` / `agent_options`: the gate's mode and rules (config lists, the
  project file's capped allows, the user's saved rules) and the agent's budgets;
- `default_sinks`: where the task's records go (audit log, trajectories, undo, rules);
- `new_agent`: the agent itself, with one redactor shared by the agent and its sinks.

Opening the model (lamtui.lam.factory) and the memory store (lamtui.memory.session)
stays with the caller: each reports their failures in its own way.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from lamtui.actions.undo import UndoStore
from lamtui.agent.approval import Approver
from lamtui.agent.loop import Agent, AgentMemory, AgentOptions, ExampleSource
from lamtui.agent.sinks import TaskSinks
from lamtui.config import Settings, load_settings
from lamtui.contract.cancel import CancelToken
from lamtui.contract.modes import as_policy_mode
from lamtui.lam.base import Backend
from lamtui.record.audit import AuditLog
from lamtui.record.trajectory import TrajectoryLog
from lamtui.safety.policy import Policy, RuleDraft
from lamtui.safety.redact import Redactor
from lamtui.safety.rules import Rule, load_saved_rules, rules_from_lists, save_rule
from lamtui.safety.secrets import SecretStore

__all__ = [
    "agent_options",
    "build_policy",
    "default_sinks",
    "new_agent",
    "settings_from_args",
]


def settings_from_args(args: argparse.Namespace, cwd: Path) -> Settings:
    """Settings for `cwd` with the command line's overrides (absent flags change nothing)."""
    overrides: dict[str, Any] = {}
    model: dict[str, Any] = {}
    if getattr(args, "model", None):
        model["name"] = args.model
    if getattr(args, "base_url", None):
        model["base_url"] = args.base_url
        if getattr(args, "model", None):
            model["remote_model"] = args.model
            del model["name"]
    if model:
        overrides["model"] = model
    if getattr(args, "max_steps", None) is not None:
        overrides["agent"] = {"max_steps": args.max_steps}
    if getattr(args, "timeout", None) is not None:
        overrides["shell"] = {"timeout": args.timeout}
    if getattr(args, "memory", None) is not None:
        overrides["memory"] = {"enabled": args.memory == "on"}
    return load_settings(cwd=cwd, overrides=overrides)


def build_policy(settings: Settings, mode: str | None = None) -> Policy:
    """The gate's policy: `mode` (default policy.mode), then the config's rules, then the
    saved ones. Raises LamtuiError for a broken rules.toml."""
    policy = settings.policy
    rules = rules_from_lists(policy.allow, policy.ask, policy.deny, capped=settings.project_allow)
    return Policy(
        mode=as_policy_mode(mode) if mode else settings.policy.mode,
        rules=(*rules, *load_saved_rules()),
    )


def agent_options(settings: Settings, policy_mode: str | None = None) -> AgentOptions:
    """The agent's budgets, policy and sandbox from settings (policy_mode: a --mode flag
    or the app's palette choice)."""
    return AgentOptions(
        max_steps=settings.agent.max_steps,
        max_failures=settings.agent.max_failures,
        max_retries=settings.model.max_retries,
        max_tokens=settings.model.max_tokens,
        shell_timeout=settings.shell.timeout,
        head_lines=settings.shell.output_head_lines,
        tail_lines=settings.shell.output_tail_lines,
        policy=build_policy(settings, policy_mode),
        sandbox=settings.shell.sandbox,
    )


def _save_allow(draft: RuleDraft, note: str) -> Rule:
    return save_rule("allow", draft.pattern, note=note, risk=draft.risk, match=draft.match)


def default_sinks(
    options: AgentOptions, redact: Redactor, secrets: SecretStore | None = None
) -> TaskSinks:
    """The data dir's audit log and trajectories (options.record; without it trajectories
    are still built, for memory, but not written), the undo store (options.undo) and the
    user's rules.toml for "always allow"."""

    def undo_store(task_id: str, workspace: Path) -> UndoStore:
        return UndoStore(task_id, workspace, secrets=secrets)

    return TaskSinks(
        audit=AuditLog(redact=redact) if options.record else None,
        trajectories=TrajectoryLog(redact, keep=options.record),
        undo=undo_store if options.undo else None,
        rules=_save_allow,
    )


def new_agent(
    backend: Backend,
    approver: Approver | None,
    workspace: Path,
    options: AgentOptions | None = None,
    cancel: CancelToken | None = None,
    *,
    secrets: SecretStore | None = None,
    memory: AgentMemory | None = None,
    examples: ExampleSource | None = None,
    sinks: TaskSinks | None = None,
) -> Agent:
    """A ready agent. `sinks` defaults to default_sinks(options); `examples` (the worked
    pairs a trained LAM is shown) to the shipped corpus when the model is one."""
    options = options or AgentOptions()
    # Redaction is always on: stored secrets by value, credentials by pattern.
    redact = secrets.redactor() if secrets is not None else Redactor()
    if examples is None and backend.info.prompt_style == "lam":
        from lamtui.memory.examples import shipped_index  # loads the corpus: only for a LAM

        examples = shipped_index()
    return Agent(
        backend,
        approver,
        workspace,
        options,
        cancel or CancelToken(),
        secrets=secrets,
        memory=memory,
        examples=examples,
        sinks=sinks if sinks is not None else default_sinks(options, redact, secrets),
        redact=redact,
    )
