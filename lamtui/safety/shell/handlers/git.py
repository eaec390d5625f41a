"""git: its global options, then a verdict per subcommand and the repository it changes."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace

from lamtui.contract.risk import Risk
from lamtui.safety.shell.accumulator import Acc, Handler
from lamtui.safety.shell.options import (
    first_operand,
    flags_in,
    given,
    operands_in,
    option_values,
)
from lamtui.safety.shell.tables import (
    GIT_DESTRUCTIVE,
    GIT_NETWORK,
    GIT_READ_ONLY,
    GIT_RUNS,
    GIT_WRITE,
)
from lamtui.safety.shell.targets import UNKNOWN_INPUT, lit, path_verdict, resolve_dir
from lamtui.safety.shell.tokens import Word


def _h_git(acc: Acc, name: str, args: list[Word]) -> None:
    repo = acc.cwd
    i = 0
    while i < len(args):
        value = args[i].value
        if value == "-C" and i + 1 < len(args):
            repo = resolve_dir(args[i + 1], repo)
            i += 2
        elif value in ("-c", "--git-dir", "--work-tree", "--config-env", "--exec-path") or (
            value.startswith(("--git-dir=", "--work-tree=", "--config-env=", "--exec-path="))
        ):
            acc.flag("unknown", f"git {value.partition('=')[0]} changes which programs git runs")
            i += 1 if "=" in value or value == "--exec-path" else 2
        elif value in ("--version", "--help", "-h", "--html-path", "--man-path", "--info-path"):
            acc.flag("read_only", "git only prints information")
            return
        elif value.startswith("-"):
            i += 2 if value in ("--namespace", "--super-prefix", "--list-cmds") else 1
        else:
            break
    if i >= len(args):
        acc.flag("read_only", "git without a subcommand prints help")
    elif args[i].expands:
        acc.flag("unknown", "the git subcommand comes from an expansion")
    else:
        _git_subcommand(acc, args[i].value, args[i + 1 :], repo)


def _git_subcommand(acc: Acc, sub: str, rest: list[Word], repo: str | None) -> None:
    risk, reason = _git_verdict(sub, rest, repo)
    acc.flag(risk, reason)
    if risk in ("workspace_write", "destructive"):
        where = lit(repo) if repo is not None else UNKNOWN_INPUT
        acc.write(where, f"git {sub} changes the repository at", risk, quiet=True)
    for target in option_values(rest, "--output"):
        acc.write(target, f"git {sub} --output writes")
    if sub in ("archive", "format-patch"):
        for target in option_values(rest, "-o"):
            acc.write(target, f"git {sub} -o writes")
    for target in option_values(rest, "--output-directory") if sub == "format-patch" else []:
        acc.write(_in_repo(target, repo), "git format-patch --output-directory writes into")
    bundle = operands_in(rest) if sub == "bundle" else []
    if len(bundle) >= 2 and bundle[0].value == "create":
        acc.write(_in_repo(bundle[1], repo), "git bundle create writes")
    if sub == "help" and given(rest, "-w", "--web"):
        acc.flag("unknown", "git help --web starts a web browser")
    pager = sub == "grep" and given(rest, "-O", "--open-files-in-pager")
    if pager or given(rest, "--ext-diff"):
        acc.flag("unknown", f"git {sub} runs an external program")
    if risk == "read_only" and _git_elsewhere(acc, repo):
        # Outside the workspace git may rewrite that repository's index, and its config
        # (not the user's) names programs git runs (core.fsmonitor, diff.external).
        where = lit(repo) if repo is not None else replace(lit("<git directory>"), expands=True)
        acc.write(where, f"git {sub} works in, and may write, the repository at")
    operands = [word for word in operands_in(rest) if word.value]
    if sub == "clone":
        _git_clone_target(acc, operands, repo)
    elif sub == "worktree" and len(operands) >= 2 and operands[0].value == "add":
        acc.write(_in_repo(operands[1], repo), "git worktree add creates")
    elif sub == "init":
        init_longs = ("--template", "--separate-git-dir", "--initial-branch", "--object-format",
                      "--ref-format")  # fmt: skip
        for target in operands_in(rest, "b", init_longs)[:1] + option_values(
            rest, "--separate-git-dir"
        ):
            acc.write(_in_repo(target, repo), "git init creates a repository in")


def _git_elsewhere(acc: Acc, repo: str | None) -> bool:
    """Is git pointed (by -C or cd) at a directory outside the workspace, or one that
    cannot be told?"""
    if repo is None:
        return True
    verdict = path_verdict(lit(repo), acc.ctx.workspace, acc.cwd)
    return verdict is not None and verdict[0] != "workspace_write"


def _in_repo(word: Word, repo: str | None) -> Word:
    """A path operand of git, which is relative to the -C directory."""
    if os.path.isabs(word.value) or word.expands or word.tilde:
        return word
    if repo is None:
        return replace(word, expands=True)  # relative to a directory that cannot be told
    return replace(word, value=os.path.join(repo, word.value))


def _git_clone_target(acc: Acc, operands: list[Word], repo: str | None) -> None:
    if len(operands) >= 2:
        target = operands[1]
    elif operands:
        name = operands[0].value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        target = replace(operands[0], value=name.removesuffix(".git") or ".", tilde=False)
    else:
        return
    acc.write(_in_repo(target, repo), "git clone writes into", "network")


def _git_verdict(sub: str, rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    special = _GIT_SPECIAL.get(sub)
    if special is not None:
        return special(rest, repo)
    if sub in GIT_READ_ONLY:
        return "read_only", f"git {sub} only reads the repository"
    if sub in GIT_WRITE:
        return "workspace_write", GIT_WRITE[sub]
    if sub in GIT_NETWORK:
        return "network", GIT_NETWORK[sub]
    if sub in GIT_DESTRUCTIVE:
        return "destructive", GIT_DESTRUCTIVE[sub]
    if sub in GIT_RUNS:
        return "unknown", f"git {sub} runs other programs"
    return "unknown", f"git {sub} is not a subcommand the classifier knows (it may be an alias)"


def _git_checkout(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    flags = flags_in(rest)
    values = [word.value for word in rest]
    if "--" in values or given(rest, "-p", "--patch", "--pathspec-from-file"):
        return "destructive", "git checkout of paths discards uncommitted changes"
    if given(
        rest, "-f", "--force", "--ours", "--theirs", "-m", "--merge", "-B", "--overwrite-ignore"
    ):
        return "destructive", "git checkout -f/-B/-m can discard changes or reset a branch"
    if {"-b", "--orphan", "--detach", "-t", "--track"} & flags:
        return "workspace_write", "git checkout switches to a new branch"
    operands = [word.value for word in operands_in(rest)]
    if len(operands) >= 2 or "." in operands or any(_exists(repo, op) for op in operands):
        return "destructive", "git checkout of paths discards uncommitted changes"
    return "workspace_write", "git checkout switches branches"


def _exists(directory: str | None, relative: str) -> bool:
    """Is relative an existing path? Unknown directories count as yes (the stricter answer)."""
    if directory is None:
        return True
    try:
        return os.path.lexists(os.path.join(directory, relative))
    except (ValueError, OSError):
        return True


def _git_switch(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    if given(rest, "-f", "--force", "--discard-changes", "-C", "--force-create", "-m", "--merge"):
        return "destructive", "git switch --force/-C can discard changes or reset a branch"
    return "workspace_write", "git switch changes branches"


def _git_restore(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    flags = flags_in(rest)
    if {"-S", "--staged"} & flags and not {"-W", "--worktree"} & flags:
        return "workspace_write", "git restore --staged unstages changes"
    return "destructive", "git restore discards uncommitted changes in the working tree"


def _git_reset(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    if given(rest, "--hard", "--merge", "--keep"):
        return "destructive", "git reset --hard discards uncommitted changes"
    return "workspace_write", "git reset moves HEAD or unstages (the working tree is kept)"


def _git_clean(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    flags = flags_in(rest)
    if {"-n", "--dry-run"} & flags:
        return "read_only", "git clean -n only lists what it would delete"
    ignored = " including ignored ones" if {"-x", "-X"} & flags else ""
    return "destructive", f"git clean deletes untracked files{ignored}"


def _git_push(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    forceful = {"-f", "--force", "--force-with-lease", "--force-if-includes", "--mirror",
                "--delete", "-d", "--prune"}  # fmt: skip
    refspecs = [word.value for word in operands_in(rest)]
    if given(rest, *forceful) or any(ref.startswith(("+", ":")) for ref in refspecs[1:]):
        return "destructive", "git push --force/--delete can overwrite or delete remote history"
    return "network", "git push uploads commits"


def _git_rm(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    flags = flags_in(rest)
    if {"-n", "--dry-run"} & flags:
        return "read_only", "git rm -n only lists"
    if "--cached" in flags:
        return "workspace_write", "git rm --cached stops tracking files"
    return "destructive", "git rm deletes files from the working tree"


def _git_branch(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    flags = flags_in(rest)
    deleting = given(rest, "-d", "--delete")
    forcing = given(rest, "-f", "--force")
    if {"-D", "-M", "-C"} & flags or (deleting and forcing):
        return "destructive", "git branch -D/-M/-C deletes or overwrites branches"
    if deleting:
        return "workspace_write", "git branch -d deletes a merged branch"
    moving = {"-m", "--move", "-c", "--copy", "-u", "--set-upstream-to", "--unset-upstream",
              "-t", "--track", "--no-track"}  # fmt: skip
    if given(rest, *moving):
        return "workspace_write", "git branch renames, copies or re-tracks a branch"
    if given(rest, "--edit-description"):
        return "unknown", "git branch --edit-description opens an editor"
    if {"-l", "--list"} & flags or not operands_in(rest):
        return "read_only", "git branch only lists branches"
    if forcing:
        return "destructive", "git branch -f resets an existing branch"
    return "workspace_write", "git branch creates a branch"


def _git_tag(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    flags = flags_in(rest)
    if given(rest, "-d", "--delete", "-f", "--force"):
        return "destructive", "git tag -d/-f deletes or moves tags"
    listing = {"-l", "--list", "-n", "--contains", "--no-contains", "--points-at", "--merged",
               "--no-merged", "-v", "--verify"}  # fmt: skip
    if listing & flags or not operands_in(rest):
        return "read_only", "git tag only lists tags"
    return "workspace_write", "git tag creates a tag"


def _git_stash(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    action = rest[0].value if rest and not rest[0].value.startswith("-") else "push"
    if action in ("list", "show"):
        return "read_only", f"git stash {action} only reads"
    if action in ("drop", "clear"):
        return "destructive", f"git stash {action} deletes stashed changes"
    return "workspace_write", f"git stash {action} changes the working tree"


def _git_reflog(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    action = first_operand(rest, "show")
    if action in ("expire", "delete"):
        return "destructive", f"git reflog {action} deletes the history that makes undo possible"
    return "read_only", "git reflog only reads"


def _git_config(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    flags = flags_in(rest)
    operands = [word.value for word in operands_in(rest)]
    reads = {"--get", "--get-all", "--get-regexp", "--get-urlmatch", "--get-color",
             "--get-colorbool", "-l", "--list"}  # fmt: skip
    writes = {"--unset", "--unset-all", "--add", "--replace-all", "--rename-section",
              "--remove-section"}  # fmt: skip
    if given(rest, "-e", "--edit") or operands[:1] == ["edit"]:
        return "unknown", "git config --edit opens an editor"
    if reads & flags or operands[:1] in (["get"], ["list"]):
        return "read_only", "git config only reads settings"
    if not given(rest, *writes) and len(operands) <= 1:
        return "read_only", "git config only reads a setting"
    if given(rest, "--system"):
        return "privileged", "git config --system changes the machine-wide git settings"
    if given(rest, "--global"):
        return "outside_write", "git config --global changes your user-wide git settings"
    return "unknown", "git config changes can make later git commands run programs"


def _git_remote(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    action = first_operand(rest)
    if action in ("", "get-url"):
        return "read_only", "git remote only lists remotes"
    if action in ("show", "update", "prune"):
        return "network", f"git remote {action} contacts the remote"
    return "workspace_write", f"git remote {action} changes the repository's remotes"


def _git_submodule(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    action = first_operand(rest, "status")
    if action in ("status", "summary"):
        return "read_only", f"git submodule {action} only reads"
    if action in ("update", "add"):
        return "network", f"git submodule {action} downloads repositories"
    if action == "foreach":
        return "unknown", "git submodule foreach runs a command in each submodule"
    if action == "deinit" and given(rest, "-f", "--force"):
        return "destructive", "git submodule deinit --force discards submodule changes"
    return "workspace_write", f"git submodule {action} changes submodule settings"


def _git_gc(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    if any(word.value in ("--prune=now", "--prune=all") for word in rest):
        return "destructive", "git gc --prune=now deletes unreachable objects at once"
    return "workspace_write", "git gc packs the repository"


def _git_update_ref(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    if "-d" in flags_in(rest):
        return "destructive", "git update-ref -d deletes a ref"
    return "workspace_write", "git update-ref moves a ref"


def _git_worktree(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    action = first_operand(rest, "list")
    if action == "list":
        return "read_only", "git worktree list only reads"
    if action in ("remove", "prune") and given(rest, "-f", "--force"):
        return "destructive", f"git worktree {action} --force discards a working tree"
    return "workspace_write", f"git worktree {action} changes working trees"


def _git_bisect(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    action = first_operand(rest)
    if action == "run":
        return "unknown", "git bisect run runs a command at each step"
    if action in ("log", "visualize", "view", "terms"):
        return "read_only", f"git bisect {action} only reads"
    return "workspace_write", "git bisect checks out commits"


def _git_notes(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    action = first_operand(rest, "list")
    if action in ("list", "show", "get-ref"):
        return "read_only", f"git notes {action} only reads"
    return "workspace_write", f"git notes {action} changes notes"


def _git_apply(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    flags = flags_in(rest)
    if {"--check", "--stat", "--numstat", "--summary"} & flags and "--apply" not in flags:
        return "read_only", "git apply --check/--stat only inspects a patch"
    if given(rest, "--unsafe-paths", "--directory"):
        return "outside_write", "git apply --unsafe-paths may write outside the repository"
    return "workspace_write", "git apply changes files"


def _git_rebase(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    if given(rest, "-x", "--exec", "-i", "--interactive", "--edit-todo"):
        return "unknown", "git rebase -i/--exec runs commands or an editor"
    return "workspace_write", "git rebase rewrites history (recoverable from the reflog)"


def _git_format_patch(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    if "--stdout" in flags_in(rest):
        return "read_only", "git format-patch --stdout only prints"
    return "workspace_write", GIT_WRITE["format-patch"]


def _git_archive(rest: list[Word], repo: str | None) -> tuple[Risk, str]:
    if given(rest, "--remote"):
        return "network", "git archive --remote contacts a remote"
    return "read_only", "git archive reads the repository"


# git subcommands whose risk depends on their options.
_GIT_SPECIAL: dict[str, Callable[[list[Word], str | None], tuple[Risk, str]]] = {
    "checkout": _git_checkout,
    "switch": _git_switch,
    "restore": _git_restore,
    "reset": _git_reset,
    "clean": _git_clean,
    "push": _git_push,
    "rm": _git_rm,
    "branch": _git_branch,
    "tag": _git_tag,
    "stash": _git_stash,
    "reflog": _git_reflog,
    "config": _git_config,
    "remote": _git_remote,
    "submodule": _git_submodule,
    "gc": _git_gc,
    "update-ref": _git_update_ref,
    "worktree": _git_worktree,
    "bisect": _git_bisect,
    "notes": _git_notes,
    "apply": _git_apply,
    "rebase": _git_rebase,
    "format-patch": _git_format_patch,
    "archive": _git_archive,
}


# The commands this family classifies (the engine merges every family's table).
HANDLERS: dict[str, Handler] = {
    "git": _h_git,
}
