"""Classify a bash command by what it could do, purely from parsing its text.

The confirmation gate trusts this module and never the model: nothing the model says about a
command is read here. A command is as risky as the strictest thing any part of it may do, and
anything the parser cannot follow is "unknown", which is never auto-approved.

The only outside input is the file system, read (never written) to resolve symlinks in write
targets and to tell a path from a branch name in `git checkout X`.
"""

from __future__ import annotations

import contextlib
import fnmatch
import itertools
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, TypeAlias

__all__ = [
    "RISK_ORDER",
    "CommandRisk",
    "Risk",
    "Segment",
    "classify_command",
    "secret_path_reason",
    "stricter",
]

Risk = Literal[
    "read_only",
    "workspace_write",
    "sensitive_read",
    "unknown",
    "outside_write",
    "network",
    "destructive",
    "privileged",
]
# Least to most strict; the strictest segment decides. sensitive_read (reading credentials or
# the environment) ranks above workspace_write so `cp ~/.ssh/id_rsa key` is not a plain write;
# no mode but full-auto approves it.
RISK_ORDER: tuple[Risk, ...] = (
    "read_only",
    "workspace_write",
    "sensitive_read",
    "unknown",
    "outside_write",
    "network",
    "destructive",
    "privileged",
)
_RANK: dict[str, int] = {risk: rank for rank, risk in enumerate(RISK_ORDER)}
_RISK_NAMED: dict[str, Risk] = {risk: risk for risk in RISK_ORDER}


def stricter(a: Risk, b: Risk) -> Risk:
    """The stricter of two risks."""
    return a if _RANK[a] >= _RANK[b] else b


# =============================================================================================
# Classification tables
# =============================================================================================

# Commands that only read or print, whatever their arguments. The few options that make one of
# them write a file or run a program are listed in _OPTION_WRITES, _OUTPUT_OPERAND and
# _RISKY_OPTIONS below. (less/more/top are interactive, but harmless without a terminal.)
_READ_ONLY: frozenset[str] = frozenset(
    {
        # files and text
        "ls", "dir", "vdir", "cat", "tac", "head", "tail", "less", "more", "most", "wc", "nl",
        "fold", "fmt", "pr", "cut", "tr", "paste", "join", "column", "expand", "unexpand", "rev",
        "sort", "uniq", "shuf", "comm", "diff", "cmp", "grep", "egrep", "fgrep", "rg", "ag",
        "ack", "zgrep", "zcat", "bzcat", "xzcat", "zstdcat", "lzcat", "zless", "zmore", "zdiff",
        "file", "stat", "realpath", "readlink", "basename", "dirname", "pathchk", "tree", "du",
        "df", "md5sum", "sha1sum", "sha224sum", "sha256sum", "sha384sum", "sha512sum", "b2sum",
        "cksum", "sum", "base64", "base32", "basenc", "xxd", "od", "hexdump", "hd", "strings",
        "jq", "iconv", "locate", "plocate", "mlocate", "look", "bat", "batcat", "eza", "exa",
        "lsd", "fd", "fdfind", "zipinfo", "apt-cache",
        # shell builtins that only touch the shell's own state
        "echo", "printf", "true", "false", ":", "test", "[", "pwd", "dirs", "read",
        "mapfile", "readarray", "set", "unset", "shopt", "shift", "exit", "return", "break",
        "continue", "wait", "jobs", "fg", "bg", "disown", "getopts", "umask", "ulimit",
        "times", "type", "caller", "compgen", "unalias", "logout", "help", "which", "whereis",
        "whatis", "apropos", "man", "info",
        # system and process information
        "cal", "whoami", "id", "groups", "logname", "who", "w", "last", "uname", "arch", "uptime",
        "free", "vmstat", "iostat", "ps", "pstree", "top", "pgrep", "pidof", "lsof", "nproc",
        "lscpu", "lsblk", "lsusb", "lspci", "lsmod", "findmnt", "getconf", "locale", "tty",
        "tput", "printenv", "getent", "ss", "netstat", "sleep", "seq", "expr", "bc",
        "factor", "numfmt", "yes", "clear",
    }
)  # fmt: skip

# Options of read-only commands whose value is a file they write.
_OPTION_WRITES: dict[str, tuple[str, ...]] = {
    "sort": ("-o", "--output"),
    "shuf": ("-o", "--output"),
    "iconv": ("-o", "--output"),
    "tree": ("-o",),
    "less": ("-o", "-O", "--log-file", "--LOG-FILE"),
    "info": ("-o", "--output"),
}
# Read-only commands with an output-file operand: name -> (operand index, value-taking letters).
_OUTPUT_OPERAND: dict[str, tuple[int, str]] = {
    "uniq": (1, "fsw"),
    "xxd": (1, "cglosn"),
}
# Options that make a read-only command do more: name -> ((options, risk, what they do), ...).
_RUN_OPTIONS = ("-x", "--exec", "-X", "--exec-batch")
_RISKY_OPTIONS: dict[str, tuple[tuple[tuple[str, ...], Risk, str], ...]] = {
    "sort": ((("--compress-program",), "unknown", "runs a compression program"),),
    "rg": ((("--pre",), "unknown", "runs a preprocessor program"),),
    "ack": ((("--pager",), "unknown", "runs a pager program"),),
    "ag": ((("--pager",), "unknown", "runs a pager program"),),
    "bat": ((("--pager",), "unknown", "runs a pager program"),),
    "batcat": ((("--pager",), "unknown", "runs a pager program"),),
    "man": ((("-P", "--pager", "-H", "--html"), "unknown", "runs a pager or browser"),),
    "fd": ((_RUN_OPTIONS, "unknown", "runs a command for each match"),),
    "fdfind": ((_RUN_OPTIONS, "unknown", "runs a command for each match"),),
    "compgen": ((("-C", "-F"), "unknown", "runs a command or function"),),
    # the callback is eval'd with each line appended, so the file's text runs as commands
    "mapfile": ((("-C",), "unknown", "evaluates a callback with the lines it reads"),),
    "readarray": ((("-C",), "unknown", "evaluates a callback with the lines it reads"),),
    "jobs": ((("-x",), "unknown", "runs a command"),),
    "ss": ((("-K", "--kill"), "destructive", "kills sockets"),),
    "file": ((("-C", "--compile"), "workspace_write", "compiles a magic file"),),
}

# Commands that create or modify their operands: name -> (verb, value-taking short options).
_WRITERS: dict[str, tuple[str, str]] = {
    "touch": ("touch creates or updates", "dtr"),
    "mkdir": ("mkdir creates", "mZ"),
    "tee": ("tee writes", ""),
    "dos2unix": ("dos2unix rewrites", ""),
    "unix2dos": ("unix2dos rewrites", ""),
}

# Commands that delete or overwrite their operands: name -> (reason, verb, value-taking options).
_DESTROYERS: dict[str, tuple[str, str, str]] = {
    "rm": ("rm deletes files", "rm deletes", ""),
    "rmdir": ("rmdir deletes directories", "rmdir deletes", ""),
    "unlink": ("unlink deletes a file", "unlink deletes", ""),
    "shred": ("shred overwrites files beyond recovery", "shred overwrites", "ns"),
    "truncate": ("truncate cuts files to a size", "truncate cuts", "sr"),
}

# Commands that wreck disks, filesystems or running processes whatever their arguments.
_ALWAYS_DESTRUCTIVE: dict[str, str] = {
    "mkfs": "mkfs formats a filesystem",
    "mke2fs": "mke2fs formats a filesystem",
    "mkswap": "mkswap formats a swap area",
    "wipefs": "wipefs erases filesystem signatures",
    "fdisk": "fdisk rewrites partition tables",
    "sfdisk": "sfdisk rewrites partition tables",
    "gdisk": "gdisk rewrites partition tables",
    "sgdisk": "sgdisk rewrites partition tables",
    "cfdisk": "cfdisk rewrites partition tables",
    "parted": "parted rewrites partition tables",
    "blkdiscard": "blkdiscard discards every block of a device",
    "skill": "skill kills processes",
    "xkill": "xkill kills a program",
}

# Commands whose purpose is talking to other machines.
_NETWORK: frozenset[str] = frozenset(
    {
        "ssh", "scp", "sftp", "nc", "netcat", "ncat", "socat", "telnet", "ftp", "lftp", "ping",
        "ping6", "dig", "nslookup", "host", "traceroute", "traceroute6", "tracepath", "mtr",
        "whois", "http", "https", "xh", "aria2c", "ssh-copy-id", "ssh-keyscan", "nmap", "npx",
        "pnpx", "bunx", "uvx", "git-lfs", "gh", "hub",
    }
)  # fmt: skip

# Commands that act as root or change the system: users, kernel, firewall, boot, time.
_PRIVILEGED: frozenset[str] = frozenset(
    {
        "sudoedit", "chroot", "useradd", "userdel", "usermod", "groupadd", "groupdel",
        "groupmod", "passwd", "chpasswd", "visudo", "adduser", "deluser", "addgroup", "delgroup",
        "insmod", "rmmod", "modprobe", "iptables", "ip6tables", "nft", "ufw", "firewall-cmd",
        "swapon", "swapoff", "setcap", "chattr", "ldconfig", "update-grub", "grub-install",
        "shutdown", "reboot", "halt", "poweroff", "init", "telinit", "umount", "losetup",
        "cryptsetup", "update-alternatives", "dpkg-reconfigure", "apt-mark", "setenforce",
    }
)  # fmt: skip

# Programs that run code the classifier cannot see: inline, from a file, or from the
# project's own build and test files (which the model may just have written).
_RUNS_CODE: dict[str, str] = {
    "python": "python runs Python code",
    "pypy": "pypy runs Python code",
    "pypy3": "pypy3 runs Python code",
    "perl": "perl runs Perl code",
    "ruby": "ruby runs Ruby code",
    "irb": "irb runs Ruby code",
    "node": "node runs JavaScript",
    "nodejs": "nodejs runs JavaScript",
    "deno": "deno runs JavaScript",
    "php": "php runs PHP code",
    "lua": "lua runs Lua code",
    "luajit": "luajit runs Lua code",
    "Rscript": "Rscript runs R code",
    "R": "R runs R code",
    "julia": "julia runs Julia code",
    "tclsh": "tclsh runs Tcl code",
    "expect": "expect runs a script",
    "osascript": "osascript runs AppleScript",
    "java": "java runs a program",
    "pwsh": "pwsh runs PowerShell code",
    "powershell": "powershell runs PowerShell code",
    "dc": "dc can run shell commands",
    "make": "make runs the project's build recipes",
    "gmake": "gmake runs the project's build recipes",
    "cmake": "cmake runs the project's build scripts",
    "ninja": "ninja runs the project's build rules",
    "meson": "meson runs the project's build scripts",
    "gradle": "gradle runs the project's build scripts",
    "gradlew": "gradlew runs the project's build scripts",
    "mvn": "mvn runs the project's build plugins",
    "ant": "ant runs the project's build file",
    "bazel": "bazel runs the project's build rules",
    "pytest": "pytest runs the project's test code",
    "py.test": "py.test runs the project's test code",
    "tox": "tox runs the project's test environments",
    "nox": "nox runs the project's sessions",
    "watch": "watch runs a command repeatedly",
    "parallel": "parallel runs commands built from its input",
    "screen": "screen runs a shell",
    "tmux": "tmux runs a shell",
    "script": "script runs a shell",
}

# Shells: `-c` payloads and here-documents are classified; scripts and stdin are unknown.
_SHELLS: frozenset[str] = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "fish", "csh", "tcsh"}
)

# Environment variables that change which programs run or what they load: setting one is
# "unknown" at least, because the rest of the command no longer means what it says.
_DANGEROUS_ENV: frozenset[str] = frozenset(
    {
        "PATH", "IFS", "BASH_ENV", "ENV", "PROMPT_COMMAND", "PS4", "SHELLOPTS", "BASHOPTS",
        "CDPATH", "HOME", "ZDOTDIR", "XDG_CONFIG_HOME", "SHELL", "PYTHONPATH", "PYTHONHOME",
        "PYTHONSTARTUP", "NODE_OPTIONS", "NODE_PATH", "PERL5OPT", "PERL5LIB", "PERLLIB",
        "RUBYOPT", "RUBYLIB", "PAGER", "MANPAGER", "EDITOR", "VISUAL", "BROWSER", "LESSOPEN",
        "LESSCLOSE", "SUDO_ASKPASS", "SSH_ASKPASS", "GIT_SSH", "GIT_SSH_COMMAND", "GIT_PAGER",
        "GIT_EDITOR", "GIT_SEQUENCE_EDITOR", "GIT_EXTERNAL_DIFF", "GIT_ASKPASS", "GIT_EXEC_PATH",
        "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_TEMPLATE_DIR", "GIT_PROXY_COMMAND",
        "GIT_CONFIG", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_PARAMETERS",
        "GIT_CONFIG_COUNT",
    }
)  # fmt: skip
_DANGEROUS_ENV_PREFIXES: tuple[str, ...] = ("LD_", "DYLD_", "BASH_FUNC_", "GIT_CONFIG_")

# Writing under these is a system change, whoever runs it.
_SYSTEM_DIRS: tuple[str, ...] = (
    "/etc", "/usr", "/boot", "/sys", "/proc", "/dev", "/bin", "/sbin", "/lib", "/lib32",
    "/lib64", "/libx32", "/root",
)  # fmt: skip
# Redirecting to these writes no file.
_NOT_FILES: frozenset[str] = frozenset(
    {"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/fd/1", "/dev/fd/2"}
)
# `/usr/bin/rm` is plain `rm`; any other path is a program the classifier cannot know.
_SYSTEM_BIN_DIRS: frozenset[str] = frozenset(
    {"/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin"}
)

# --- git ------------------------------------------------------------------------------------
# Subcommands that only read the repository.
_GIT_READ_ONLY: frozenset[str] = frozenset(
    {
        "status", "log", "diff", "show", "rev-parse", "ls-files", "ls-tree", "blame", "annotate",
        "describe", "shortlog", "grep", "cat-file", "rev-list", "whatchanged", "name-rev",
        "merge-base", "for-each-ref", "show-ref", "show-branch", "count-objects", "cherry",
        "version", "help", "check-ignore", "check-attr", "check-ref-format", "var", "diff-tree",
        "diff-files", "diff-index", "range-diff", "verify-commit", "verify-tag", "fsck",
        "get-tar-commit-id", "archive", "column", "check-mailmap", "verify-pack", "show-index",
    }
)  # fmt: skip
# Subcommands that change the repository or working tree in ways that can be undone.
_GIT_WRITE: dict[str, str] = {
    "add": "git add stages changes",
    "stage": "git stage stages changes",
    "commit": "git commit records a commit",
    "mv": "git mv moves tracked files",
    "init": "git init creates a repository",
    "merge": "git merge merges another branch",
    "cherry-pick": "git cherry-pick applies commits",
    "revert": "git revert adds reverting commits",
    "am": "git am applies mailed patches",
    "sparse-checkout": "git sparse-checkout changes which files are checked out",
    "update-index": "git update-index changes the index",
    "write-tree": "git write-tree writes a tree object",
    "commit-tree": "git commit-tree writes a commit object",
    "read-tree": "git read-tree changes the index",
    "symbolic-ref": "git symbolic-ref changes a ref",
    "replace": "git replace adds replacement refs",
    "rerere": "git rerere records conflict resolutions",
    "merge-file": "git merge-file merges into a file",
    "mktag": "git mktag writes a tag object",
    "mktree": "git mktree writes a tree object",
    "hash-object": "git hash-object may write an object",
    "pack-refs": "git pack-refs packs refs",
    "repack": "git repack repacks objects",
    "prune-packed": "git prune-packed removes loose objects that are packed",
    "format-patch": "git format-patch writes patch files",
    "bundle": "git bundle writes or unpacks a bundle",
}
# Subcommands that talk to remotes.
_GIT_NETWORK: dict[str, str] = {
    "pull": "git pull downloads and merges commits",
    "fetch": "git fetch downloads commits",
    "clone": "git clone downloads a repository",
    "ls-remote": "git ls-remote contacts a remote",
    "send-email": "git send-email sends mail",
    "request-pull": "git request-pull contacts a remote",
}
# Subcommands that discard work or rewrite history for good.
_GIT_DESTRUCTIVE: dict[str, str] = {
    "filter-branch": "git filter-branch rewrites all history",
    "filter-repo": "git filter-repo rewrites all history",
    "prune": "git prune deletes unreachable objects",
}
# Subcommands that run other programs (tools, daemons, credential helpers, hooks).
_GIT_RUNS: frozenset[str] = frozenset(
    {
        "difftool", "mergetool", "daemon", "instaweb", "web--browse", "credential",
        "maintenance", "hook", "fast-import", "p4", "svn", "cvsimport", "archimport",
        "quiltimport", "upload-pack", "receive-pack",
    }
)  # fmt: skip


# --- package managers and similar tools ------------------------------------------------------
@dataclass(frozen=True)
class _Tool:
    """How a subcommand-style tool is classified."""

    subs: Mapping[str, Risk]  # subcommand (or "group sub") -> risk
    bare: Risk = "read_only"  # no subcommand (usually prints help)
    other: Risk = "unknown"  # any subcommand not listed (often a project script)
    groups: frozenset[str] = frozenset()  # words that take a second subcommand
    value_opts: str = ""  # global short options that take a value


def _subs(**groups: Iterable[str]) -> dict[str, Risk]:
    """Build a subcommand table from risk=[names] groups."""
    table: dict[str, Risk] = {}
    for risk, names in groups.items():
        for sub in names:
            table[sub] = _RISK_NAMED[risk]
    return table


_PIP_SUBS = _subs(
    network=["install", "download", "wheel", "search", "index"],
    destructive=["uninstall"],
    read_only=["list", "show", "freeze", "check", "help", "inspect", "hash", "debug"],
)
# Installing downloads code (network); removing is destructive; running scripts is unknown.
_TOOLS: dict[str, _Tool] = {
    "pip": _Tool(_PIP_SUBS),
    "uv": _Tool(
        _subs(
            network=["add", "sync", "lock", "publish", "tree", "export", "pip install",
                     "pip sync", "pip compile", "tool install", "tool run", "tool upgrade",
                     "python install", "self"],
            destructive=["remove", "pip uninstall", "tool uninstall", "cache clean",
                         "cache prune", "python uninstall"],
            unknown=["run", "build"],
            workspace_write=["venv", "init", "python pin"],
            read_only=["version", "help", "pip list", "pip show", "pip freeze", "pip tree",
                       "pip check", "tool list", "python list", "python find", "cache dir"],
        ),
        groups=frozenset({"pip", "tool", "python", "cache"}),
    ),
    "pipx": _Tool(
        _subs(
            network=["install", "inject", "upgrade", "upgrade-all", "reinstall", "reinstall-all",
                     "run"],
            destructive=["uninstall", "uninstall-all", "uninject"],
            outside_write=["ensurepath"],
            read_only=["list", "environment"],
        )
    ),
    "poetry": _Tool(
        _subs(
            network=["install", "add", "update", "lock", "publish", "search", "self"],
            destructive=["remove"],
            unknown=["run", "shell", "build", "config"],
            workspace_write=["new", "init"],
            read_only=["show", "check", "version", "about", "env", "help", "list"],
        )
    ),
    "npm": _Tool(
        _subs(
            network=["install", "i", "in", "isntall", "add", "ci", "clean-install",
                     "install-clean", "update", "up", "upgrade", "publish", "login", "adduser",
                     "outdated", "view", "info", "show", "search", "find", "audit", "fund",
                     "doctor", "ping", "dist-tag", "owner", "access", "token", "exec", "x",
                     "init", "create", "whoami", "install-test", "it"],
            destructive=["uninstall", "remove", "rm", "r", "un", "unlink", "prune",
                         "unpublish", "deprecate", "cache"],
            unknown=["run", "run-script", "rum", "urn", "test", "tst", "t", "start", "stop",
                     "restart", "rebuild", "rb", "explore", "pack", "version", "config",
                     "set", "edit"],
            read_only=["ls", "list", "la", "ll", "help", "prefix", "root", "bin", "explain",
                       "why", "query", "help-search"],
        )
    ),
    "yarn": _Tool(
        _subs(
            network=["install", "add", "upgrade", "up", "upgrade-interactive", "global", "dlx",
                     "create", "publish", "npm", "login", "info", "outdated", "audit", "import"],
            destructive=["remove", "cache"],
            read_only=["list", "why", "help", "bin"],
        ),
        bare="network",
    ),
    "pnpm": _Tool(
        _subs(
            network=["install", "i", "add", "update", "up", "upgrade", "dlx", "create",
                     "publish", "fetch", "outdated", "audit", "info", "view", "import"],
            destructive=["remove", "rm", "uninstall", "un", "prune"],
            read_only=["list", "ls", "why", "root", "bin", "help"],
        )
    ),
    "bun": _Tool(
        _subs(
            network=["install", "i", "add", "a", "update", "upgrade", "x", "create", "c",
                     "publish", "outdated", "pm"],
            destructive=["remove", "rm"],
            read_only=["help"],
        )
    ),
    "cargo": _Tool(
        _subs(
            network=["install", "add", "publish", "fetch", "update", "search", "login", "owner",
                     "yank", "vendor", "generate-lockfile"],
            destructive=["uninstall", "clean", "remove", "rm"],
            unknown=["build", "b", "test", "t", "run", "r", "check", "c", "bench", "clippy",
                     "doc", "d", "rustc", "rustdoc", "miri", "fix", "expand"],
            workspace_write=["fmt", "new", "init"],
            read_only=["tree", "metadata", "pkgid", "locate-project", "verify-project",
                       "read-manifest", "version", "help"],
        )
    ),
    "go": _Tool(
        _subs(
            network=["get", "install", "mod download", "mod tidy", "mod vendor", "work sync"],
            workspace_write=["fmt", "mod init", "mod edit", "work init", "work use",
                             "work edit"],
            read_only=["version", "env", "list", "doc", "help", "mod graph", "mod why",
                       "mod verify"],
            destructive=["clean"],
            unknown=["build", "test", "run", "generate", "vet", "tool", "fix"],
        ),
        groups=frozenset({"mod", "work"}),
    ),
    "gem": _Tool(
        _subs(
            network=["install", "update", "fetch", "push", "sources", "search", "owner", "yank",
                     "signin"],
            destructive=["uninstall", "cleanup"],
            read_only=["list", "query", "info", "env", "environment", "contents", "which",
                       "help", "specification", "dependency"],
        )
    ),
    "bundle": _Tool(
        _subs(
            network=["install", "update", "add", "lock", "outdated", "cache", "package"],
            destructive=["remove", "clean"],
            unknown=["exec"],
            read_only=["check", "list", "show", "info", "platform", "help"],
        ),
        bare="network",
    ),
    "composer": _Tool(
        _subs(
            network=["install", "update", "require", "create-project", "global", "outdated"],
            destructive=["remove"],
            unknown=["run", "run-script", "exec"],
            read_only=["show", "validate", "help", "list", "licenses"],
        )
    ),
    "conda": _Tool(
        _subs(
            network=["install", "create", "update", "upgrade", "search", "env create",
                     "env update"],
            destructive=["remove", "uninstall", "clean", "env remove"],
            unknown=["run", "config"],
            read_only=["list", "info", "env list", "activate", "deactivate", "help"],
        ),
        groups=frozenset({"env"}),
    ),
    "apt": _Tool(
        _subs(
            network=["install", "reinstall", "upgrade", "full-upgrade", "dist-upgrade",
                     "update", "download", "source", "build-dep", "changelog"],
            destructive=["remove", "purge", "autoremove", "autopurge", "clean", "autoclean"],
            read_only=["search", "show", "list", "policy", "depends", "rdepends", "showpkg",
                       "madison", "showsrc", "check", "help"],
        ),
        value_opts="ocqt",
    ),
    "dnf": _Tool(
        _subs(
            network=["install", "update", "upgrade", "reinstall", "downgrade", "groupinstall",
                     "makecache", "download", "check-update", "distro-sync"],
            destructive=["remove", "erase", "autoremove", "clean", "groupremove"],
            read_only=["list", "info", "search", "provides", "whatprovides", "repolist",
                       "history", "deplist", "repoquery", "help"],
        )
    ),
    "zypper": _Tool(
        _subs(
            network=["install", "in", "update", "up", "dist-upgrade", "dup", "refresh", "ref",
                     "patch"],
            destructive=["remove", "rm", "clean"],
            read_only=["search", "se", "info", "if", "list-updates", "lu", "repos", "lr"],
        )
    ),
    "apk": _Tool(
        _subs(
            network=["add", "update", "upgrade", "fetch", "fix"],
            destructive=["del", "cache"],
            read_only=["info", "search", "list", "policy", "stats"],
        )
    ),
    "brew": _Tool(
        _subs(
            network=["install", "upgrade", "update", "reinstall", "tap", "fetch", "search",
                     "info", "outdated", "bundle", "install-bundler-gems"],
            destructive=["uninstall", "remove", "rm", "untap", "cleanup", "autoremove"],
            read_only=["list", "ls", "leaves", "deps", "config", "doctor", "uses", "desc",
                       "--prefix", "--cellar", "--repository", "help", "commands"],
        )
    ),
    "snap": _Tool(
        _subs(
            network=["install", "refresh", "download", "find", "info"],
            destructive=["remove"],
            read_only=["list", "version", "connections", "services", "help"],
        )
    ),
    "flatpak": _Tool(
        _subs(
            network=["install", "update", "search"],
            destructive=["uninstall"],
            unknown=["run"],
            read_only=["list", "info", "remotes", "history", "help"],
        )
    ),
    "docker": _Tool(
        _subs(
            network=["pull", "push", "login", "logout", "search", "build", "run", "create",
                     "image pull", "image push", "image build", "container run",
                     "container create", "compose up", "compose pull", "compose build",
                     "compose run", "compose create", "compose push", "buildx build"],
            unknown=["exec", "attach", "cp", "commit", "save", "load", "import", "export",
                     "tag", "start", "restart", "pause", "unpause", "update", "rename",
                     "container exec", "container cp", "container start", "compose exec",
                     "compose start", "compose restart", "context use", "image tag"],
            destructive=["rm", "rmi", "kill", "stop", "prune", "image rm", "image prune",
                         "container rm", "container prune", "container stop", "container kill",
                         "volume rm", "volume prune", "network rm", "network prune",
                         "system prune", "compose down", "compose rm", "compose stop",
                         "compose kill", "builder prune", "buildx prune"],
            read_only=["ps", "images", "inspect", "logs", "version", "info", "stats", "top",
                       "port", "diff", "history", "events", "image ls", "image list",
                       "image inspect", "image history", "container ls", "container list",
                       "container inspect", "container logs", "volume ls", "volume inspect",
                       "network ls", "network inspect", "context ls", "compose ps",
                       "compose logs", "compose config", "compose ls", "system df",
                       "system info", "help"],
        ),
        groups=frozenset(
            {"image", "container", "volume", "network", "system", "compose", "context",
             "buildx", "builder"}
        ),
        value_opts="Hcl",
    ),
}  # fmt: skip
_TOOL_ALIASES: dict[str, str] = {
    "apt-get": "apt",
    "aptitude": "apt",
    "yum": "dnf",
    "microdnf": "dnf",
    "bundler": "bundle",
    "mamba": "conda",
    "micromamba": "conda",
    "podman": "docker",
    "nerdctl": "docker",
}
# How a tool subcommand's risk reads in a reason.
_TOOL_PHRASE: dict[str, str] = {
    "read_only": "only reads",
    "workspace_write": "changes project files",
    "sensitive_read": "reads secrets",
    "unknown": "runs project code or scripts the classifier cannot see",
    "outside_write": "writes outside the workspace",
    "network": "downloads or uploads over the network",
    "destructive": "removes software or data",
    "privileged": "changes the system",
}
# Docker/podman options that give a container root-equivalent access to the host.
_CONTAINER_ESCAPES: tuple[str, ...] = (
    "--privileged", "-v", "--volume", "--mount", "--pid=host", "--network=host", "--net=host",
    "--cap-add", "--device", "--userns=host", "--ipc=host",
)  # fmt: skip

# --- system services ------------------------------------------------------------------------
# systemctl subcommands that only report.
_SYSTEMCTL_READ: frozenset[str] = frozenset(
    {
        "status", "show", "list-units", "list-unit-files", "list-timers", "list-sockets",
        "list-dependencies", "list-jobs", "list-machines", "is-active", "is-enabled",
        "is-failed", "is-system-running", "cat", "help", "get-default",
    }
)  # fmt: skip
# `ip OBJECT ACTION`: actions that only report.
_IP_READ_ACTIONS: frozenset[str] = frozenset({"show", "list", "ls", "lst", "sh", "s", "get"})


# =============================================================================================
# Public result types
# =============================================================================================


@dataclass(frozen=True)
class Segment:
    """One simple command inside the whole command line."""

    text: str
    argv: tuple[str, ...]
    risk: Risk
    reasons: tuple[str, ...]
    writes: tuple[str, ...]
    privileged: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "argv": list(self.argv),
            "risk": self.risk,
            "reasons": list(self.reasons),
            "writes": list(self.writes),
        }


@dataclass(frozen=True)
class CommandRisk:
    """The verdict on a whole command line: the strictest of its segments."""

    command: str
    risk: Risk
    segments: tuple[Segment, ...]
    reasons: tuple[str, ...]
    writes: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "risk": self.risk,
            "segments": [segment.to_dict() for segment in self.segments],
            "reasons": list(self.reasons),
            "writes": list(self.writes),
        }


# =============================================================================================
# Lexer: text -> words, operators and redirections, the way bash splits them
# =============================================================================================


class _ParseError(Exception):
    """The text is not something bash would run as written."""


_MAX_NESTING = 24  # substitutions/payloads nested deeper than this are not followed


@dataclass(frozen=True)
class _Word:
    raw: str  # source text
    value: str  # after quote removal; expansions are kept as written
    start: int = 0
    end: int = 0
    quoted: bool = False  # any quoting or escaping (so it is never a reserved word)
    expands: bool = False  # holds $var, ${...}, $(...), `...` or <(...): value is not final
    glob: bool = False  # unquoted * ? [ { }: the shell may expand it to other words
    tilde: bool = False  # starts with an unquoted ~
    arith: bool = False  # an arithmetic command ((...))
    subs: tuple[str, ...] = ()  # source of command/process substitutions inside
    ariths: tuple[str, ...] = ()  # text bash evaluates as arithmetic ($((..)), ${a[i]}, ${s:n})
    evals: tuple[str, ...] = ()  # why expanding the word runs code the parser cannot see


@dataclass(frozen=True)
class _Op:
    op: str
    start: int
    end: int


@dataclass
class _Redir:
    op: str
    fd: str
    start: int
    end: int
    target: _Word | None = None  # the file, fd or here-document delimiter
    body: str | None = None  # here-document text
    body_literal: bool = True  # the here-document has no expansions
    body_subs: tuple[str, ...] = ()
    body_ariths: tuple[str, ...] = ()
    body_evals: tuple[str, ...] = ()


_Token: TypeAlias = _Word | _Op | _Redir

_CONTROL_OPS = (";;&", ";;", ";&", "&&", "||", "|&", ";", "&", "|", "(", ")")
_REDIR_OPS = ("&>>", "&>", "<<<", "<<-", "<<", "<>", "<&", ">>", ">|", ">&", "<", ">")
_METACHARS = frozenset(" \t\n;&|()<>")
_FD_PREFIX = re.compile(r"\d+(?=[<>])")
_DUP_TARGET = re.compile(r"(?:\d+-?|-)(?=$|[\s;&|()<>])")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ARRAY_ASSIGN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
# Words after which a new command starts (so `((` there is an arithmetic command).
_COMMAND_START_WORDS = frozenset(
    {"do", "then", "else", "elif", "if", "while", "until", "!", "{", "for", "time"}
)
_ANSI_ESCAPES = {
    "a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
    "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?",
}  # fmt: skip


@dataclass
class _WordState:
    """A word being built."""

    value: list[str] = field(default_factory=list)
    quoted: bool = False
    expands: bool = False
    glob: bool = False
    subs: list[str] = field(default_factory=list)
    ariths: list[str] = field(default_factory=list)
    evals: list[str] = field(default_factory=list)

    def absorb(self, other: _WordState) -> None:
        """Take the substitutions and arithmetic found while scanning a nested part."""
        self.subs.extend(other.subs)
        self.ariths.extend(other.ariths)
        self.evals.extend(other.evals)


class _Lexer:
    """Split text into tokens; a nested lexer stops at the `)` closing a substitution."""

    def __init__(self, text: str, pos: int = 0, *, nested: bool = False, depth: int = 0):
        if depth > _MAX_NESTING:
            raise _ParseError("substitutions are nested too deeply")
        self.text = text
        self.pos = pos
        self.nested = nested
        self.depth = depth
        self.tokens: list[_Token] = []
        self.parens = 0
        self.heredocs: list[tuple[_Redir, str, bool, bool]] = []  # redir, delim, strip, quoted
        self.level = 0  # nesting of ${...} and $((...)) inside one word

    def run(self) -> list[_Token]:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t":
                self.pos += 1
            elif text.startswith("\\\n", self.pos):
                self.pos += 2
            elif char == "\n":
                self._emit_op("\n", 1)
                self._read_heredocs()
            elif char == "#":
                end = text.find("\n", self.pos)
                self.pos = len(text) if end < 0 else end
            elif char == ")" and self.nested and self.parens == 0:
                return self.tokens  # the caller reads self.pos
            elif text.startswith("((", self.pos) and self._at_command_start():
                self._arith_command()
            elif text.startswith(("<(", ">("), self.pos):
                self._word()
            else:
                self._operator_or_word()
        if self.nested:
            raise _ParseError("a substitution is missing its closing )")
        self._read_heredocs()
        return self.tokens

    # --- tokens ---------------------------------------------------------------------------

    def _emit_op(self, op: str, length: int) -> None:
        self.tokens.append(_Op(op, self.pos, self.pos + length))
        self.pos += length

    def _at_command_start(self) -> bool:
        if not self.tokens:
            return True
        last = self.tokens[-1]
        if isinstance(last, _Op):
            return last.op != ")"
        return isinstance(last, _Word) and not last.quoted and last.value in _COMMAND_START_WORDS

    def _operator_or_word(self) -> None:
        text, start = self.text, self.pos
        fd_match = _FD_PREFIX.match(text, start)
        pos = fd_match.end() if fd_match else start
        for op in _REDIR_OPS:
            if text.startswith(op, pos) and not text.startswith(("<(", ">("), pos):
                self._redirect(op, fd_match.group() if fd_match else "", start, pos + len(op))
                return
        for op in _CONTROL_OPS:
            if text.startswith(op, start):
                self.parens += {"(": 1, ")": -1}.get(op, 0)
                self._emit_op(op, len(op))
                return
        self._word()

    def _redirect(self, op: str, fd: str, start: int, after: int) -> None:
        redir = _Redir(op, fd, start, after)
        self.tokens.append(redir)
        self.pos = after
        while self.pos < len(self.text) and self.text[self.pos] in " \t":
            self.pos += 1
        dup = _DUP_TARGET.match(self.text, self.pos) if op in (">&", "<&") else None
        if dup:
            value = dup.group()
            self.tokens.append(_Word(value, value, self.pos, dup.end()))
            self.pos = dup.end()
        elif self.pos >= len(self.text) or (
            self.text[self.pos] in _METACHARS and not self.text.startswith(("<(", ">("), self.pos)
        ):
            raise _ParseError(f"redirection {op} has no target")
        else:
            target = self._word()
            if op in ("<<", "<<-"):
                self.heredocs.append((redir, target.value, op == "<<-", target.quoted))

    def _read_heredocs(self) -> None:
        """Here-document bodies start on the line after their operator."""
        text = self.text
        for redir, delimiter, strip_tabs, quoted in self.heredocs:
            lines: list[str] = []
            while self.pos < len(text):
                end = text.find("\n", self.pos)
                end = len(text) if end < 0 else end
                line = text[self.pos : end]
                self.pos = min(end + 1, len(text))
                line = line.lstrip("\t") if strip_tabs else line
                if line == delimiter:
                    break
                lines.append(line + "\n")
            redir.body = "".join(lines)
            if not quoted:
                state = _WordState()
                _Lexer(redir.body, depth=self.depth + 1)._dquote(0, state, None)
                redir.body_literal = not state.expands
                redir.body_subs = tuple(state.subs)
                redir.body_ariths = tuple(state.ariths)
                redir.body_evals = tuple(state.evals)
        self.heredocs.clear()

    def _arith_command(self) -> None:
        """`((...))` is arithmetic when it closes with `))`; otherwise bash reads `( (`."""
        start = self.pos
        if not self._arith_closes(start + 2):
            self.parens += 1
            self._emit_op("(", 1)
            return
        state = _WordState()
        end = self._arith(start + 2, state)
        raw = self.text[start:end]
        word = _Word(raw, raw, start, end, arith=True, subs=tuple(state.subs))
        self.tokens.append(replace(word, ariths=tuple(state.ariths), evals=tuple(state.evals)))
        self.pos = end

    # --- words ----------------------------------------------------------------------------

    def _word(self) -> _Word:
        text, start = self.text, self.pos
        state = _WordState()
        pos = start
        if text.startswith(("<(", ">("), pos):
            inner, pos = self._command_sub(pos + 2)
            state.subs.append(inner)
            state.expands = True
            state.value.append(text[start:pos])
        while pos < len(text) and text[pos] not in _METACHARS:
            pos = self._word_char(pos, state)
        if pos < len(text) and text[pos] == "(" and _ARRAY_ASSIGN.fullmatch(text, start, pos):
            pos = self._array_literal(pos + 1, state)
        if pos == start:
            raise _ParseError(f"unexpected {text[pos]!r}")
        self.pos = pos
        word = _Word(
            raw=text[start:pos],
            value="".join(state.value),
            start=start,
            end=pos,
            quoted=state.quoted,
            expands=state.expands,
            glob=state.glob,
            tilde=text.startswith("~", start),
            subs=tuple(state.subs),
            ariths=tuple(state.ariths),
            evals=tuple(state.evals),
        )
        self.tokens.append(word)
        return word

    def _word_char(self, pos: int, state: _WordState) -> int:
        """Consume one unquoted character or quoted run at pos; return the next position."""
        text = self.text
        char = text[pos]
        if char == "\\":
            if pos + 1 >= len(text):
                state.value.append("\\")
                return pos + 1
            if text[pos + 1] != "\n":
                state.value.append(text[pos + 1])
                state.quoted = True
            return pos + 2
        if char == "'":
            end = text.find("'", pos + 1)
            if end < 0:
                raise _ParseError("unterminated single quote")
            state.value.append(text[pos + 1 : end])
            state.quoted = True
            return end + 1
        if char == '"':
            state.quoted = True
            return self._dquote(pos + 1, state, '"')
        if char == "$":
            return self._dollar(pos, state, in_dquote=False)
        if char == "`":
            return self._backtick(pos, state, in_dquote=False)
        if char in "*?[{}":
            state.glob = True
        state.value.append(char)
        return pos + 1

    def _dquote(self, pos: int, state: _WordState, terminator: str | None) -> int:
        """Scan double-quoted text (or a here-document body when terminator is None)."""
        text = self.text
        while pos < len(text):
            char = text[pos]
            if char == terminator:
                return pos + 1
            if char == "\\" and pos + 1 < len(text):
                nxt = text[pos + 1]
                if nxt == "\n":
                    pos += 2
                elif nxt in '$`"\\':
                    state.value.append(nxt)
                    pos += 2
                else:
                    state.value.append(char)
                    pos += 1
            elif char == "$":
                pos = self._dollar(pos, state, in_dquote=True)
            elif char == "`":
                pos = self._backtick(pos, state, in_dquote=True)
            else:
                state.value.append(char)
                pos += 1
        if terminator is None:
            return pos
        raise _ParseError("unterminated double quote")

    def _dollar(self, pos: int, state: _WordState, *, in_dquote: bool) -> int:
        self.level += 1
        try:
            if self.level + self.depth > 2 * _MAX_NESTING:
                raise _ParseError("expansions are nested too deeply")
            return self._dollar_expansion(pos, state, in_dquote=in_dquote)
        finally:
            self.level -= 1

    def _dollar_expansion(self, pos: int, state: _WordState, *, in_dquote: bool) -> int:
        text = self.text
        nxt = text[pos + 1] if pos + 1 < len(text) else ""
        if text.startswith("$((", pos) and self._arith_closes(pos + 3):
            end = self._arith(pos + 3, state)
        elif nxt == "(":
            inner, end = self._command_sub(pos + 2)
            state.subs.append(inner)
        elif nxt == "{":
            end = self._brace_param(pos + 2, state)
        elif nxt == "'" and not in_dquote:
            decoded, end = _ansi_c(text, pos + 2)
            state.value.append(decoded)
            state.quoted = True
            return end
        elif nxt == '"' and not in_dquote:
            state.quoted = True
            return self._dquote(pos + 2, state, '"')
        elif name := _NAME.match(text, pos + 1):
            end = name.end()
        elif nxt and nxt in "@*#?$!-0123456789":
            end = pos + 2
        else:
            state.value.append("$")
            return pos + 1
        state.expands = True
        state.value.append(text[pos:end])
        return end

    def _command_sub(self, pos: int) -> tuple[str, int]:
        """Scan `$(` ... `)` from just inside it; return the inner source and the end."""
        sub = _Lexer(self.text, pos, nested=True, depth=self.depth + 1)
        sub.level = self.level  # one nesting budget for the whole text
        sub.run()
        return self.text[pos : sub.pos], sub.pos + 1

    def _array_literal(self, pos: int, state: _WordState) -> int:
        sub = _Lexer(self.text, pos, nested=True, depth=self.depth + 1)
        for token in sub.run():
            if isinstance(token, _Word):
                state.subs.extend(token.subs)
                state.ariths.extend(token.ariths)
                state.evals.extend(token.evals)
                if key := _ELEMENT_KEY.match(token.value):
                    state.ariths.append(key.group(1))  # `([k]=v)`: bash expands k, quoted or not
            elif not (isinstance(token, _Op) and token.op == "\n"):
                raise _ParseError("unexpected operator in an array assignment")
        state.expands = True
        state.value.append(self.text[pos - 1 : sub.pos + 1])
        return sub.pos + 1

    def _backtick(self, pos: int, state: _WordState, *, in_dquote: bool) -> int:
        text, start = self.text, pos
        inner: list[str] = []
        pos += 1
        while pos < len(text):
            char = text[pos]
            if char == "`":
                state.subs.append("".join(inner))
                state.expands = True
                state.value.append(text[start : pos + 1])
                return pos + 1
            if char == "\\" and pos + 1 < len(text):
                nxt = text[pos + 1]
                if nxt in "$`\\" or (in_dquote and nxt == '"'):
                    inner.append(nxt)
                    pos += 2
                    continue
            inner.append(char)
            pos += 1
        raise _ParseError("unterminated backquote")

    def _brace_param(self, pos: int, state: _WordState) -> int:
        """Scan `${...}` from just inside it, collecting substitutions in it."""
        text, depth, start = self.text, 0, pos
        if text[pos : pos + 1] in (" ", "\t", "\n", "|"):
            # bash 5.3 runs `${ cmd; }` and `${| cmd; }` as commands; older ones refuse them
            raise _ParseError("${ ...; } runs commands in this shell, which is not followed")
        scratch = _WordState()
        while pos < len(text):
            char = text[pos]
            if char == "}" and depth == 0:
                state.absorb(scratch)
                body = text[start:pos]
                state.ariths.append(_param_arith(body))
                if body.endswith("@P"):
                    state.evals.append("${...@P} expands the value as a prompt, running any "
                                       "command substitution in it")  # fmt: skip
                return pos + 1
            if char in "{}":
                depth += 1 if char == "{" else -1
                pos += 1
            elif char == "\\":
                pos += 2
            elif char == "'":
                end = text.find("'", pos + 1)
                if end < 0:
                    raise _ParseError("unterminated single quote")
                pos = end + 1
            elif char == '"':
                pos = self._dquote(pos + 1, scratch, '"')
            elif char == "$":
                pos = self._dollar(pos, scratch, in_dquote=True)
            elif char == "`":
                pos = self._backtick(pos, scratch, in_dquote=True)
            else:
                pos += 1
        raise _ParseError("unterminated ${")

    def _arith_closes(self, pos: int) -> bool:
        """Like bash, count parens from just inside `((`: arithmetic only if it ends in `))`."""
        text, depth = self.text, 0
        while pos < len(text):
            char = text[pos]
            if char == "\\":
                pos += 1
            elif char in "'\"":
                end = text.find(char, pos + 1)
                pos = len(text) if end < 0 else end
            elif char == "(":
                depth += 1
            elif char == ")":
                if depth == 0:
                    return text.startswith("))", pos)
                depth -= 1
            pos += 1
        return False

    def _arith(self, pos: int, state: _WordState) -> int:
        """Scan arithmetic from just inside `((`; return the position after `))`."""
        text, depth, start = self.text, 0, pos
        scratch = _WordState()
        while pos < len(text):
            char = text[pos]
            if char == ")" and depth == 0:
                if not text.startswith("))", pos):
                    raise _ParseError("unbalanced ) in arithmetic")
                state.absorb(scratch)
                state.ariths.append(text[start:pos])
                return pos + 2
            if char in "()":
                depth += 1 if char == "(" else -1
                pos += 1
            elif char == "$":
                pos = self._dollar(pos, scratch, in_dquote=True)
            elif char == "`":
                pos = self._backtick(pos, scratch, in_dquote=True)
            elif char == "\\":
                pos += 2
            elif char in "'\"":
                end = text.find(char, pos + 1)
                if end < 0:
                    raise _ParseError("unterminated quote in arithmetic")
                pos = end + 1
            else:
                pos += 1
        raise _ParseError("unterminated arithmetic")


_PARAM_NAME = re.compile(r"#?(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!-])")


def _param_arith(body: str) -> str:
    """The part of a ${...} body bash evaluates as arithmetic: subscripts, offsets, ${!ref}."""
    if body.startswith("!"):
        return body[1:]
    name = _PARAM_NAME.match(body)
    rest = body[name.end() :] if name else body
    subscript = ""
    if rest.startswith("["):
        close = _closing_bracket(rest)
        if close < 0:
            return rest
        subscript, rest = rest[: close + 1], rest[close + 1 :]
    if rest.startswith(":") and rest[1:2] not in ("-", "=", "?", "+"):
        return f"{subscript} {rest[1:]}"
    return subscript


def _closing_bracket(text: str) -> int:
    """Index of the `]` closing the `[` at text[0], or -1."""
    depth = 0
    for index, char in enumerate(text):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if depth == 0:
            return index
    return -1


_ELEMENT_KEY = re.compile(r"\[(.*?)\]\+?=", re.DOTALL)  # `[key]=value` inside `name=( ... )`
# A subscript bash cannot run code from: a number, a name, @ or *.
_INERT_SUBSCRIPT = re.compile(r"-?[0-9]+|[A-Za-z_][A-Za-z0-9_]*|[@*]")
_INERT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[(?:-?[0-9]+|[A-Za-z_][A-Za-z0-9_]*|[@*])\])?")
_BACKQUOTE_OR_SUB = re.compile(r"`|\$\(")


def _arith_hides_command(text: str) -> bool:
    """Does text bash evaluates as arithmetic hold a command substitution, even quoted?

    Bash expands array subscripts again when it evaluates them, so `a[$(cmd)]` runs cmd however
    it is quoted, and the output of an unquoted `$(cmd)` is itself evaluated as arithmetic."""
    for match in _BACKQUOTE_OR_SUB.finditer(text):
        at = match.start()
        if match.group() == "`" or not text.startswith("$((", at):
            return True
        if not _Lexer(text)._arith_closes(at + 3):  # `$((cmd) )` is a command substitution
            return True
    return False


def _ansi_c(text: str, pos: int) -> tuple[str, int]:
    """Decode a $'...' string from just inside the quote; return (value, end)."""
    out: list[str] = []
    truncated = False  # bash ends the string at a NUL byte
    while pos < len(text):
        char = text[pos]
        if char == "'":
            return "".join(out), pos + 1
        if char != "\\" or pos + 1 >= len(text):
            decoded, pos = char, pos + 1
        else:
            decoded, pos = _ansi_escape(text, pos + 1)
        truncated = truncated or decoded == "\x00"
        if not truncated:
            out.append(decoded)
    raise _ParseError("unterminated $'")


def _ansi_escape(text: str, pos: int) -> tuple[str, int]:
    """Decode the escape whose letter is at pos."""
    letter = text[pos]
    if letter in _ANSI_ESCAPES:
        return _ANSI_ESCAPES[letter], pos + 1
    patterns = {"x": r"[0-9a-fA-F]{1,2}", "u": r"[0-9a-fA-F]{1,4}", "U": r"[0-9a-fA-F]{1,8}"}
    if letter in patterns:
        digits = re.compile(patterns[letter]).match(text, pos + 1)
        if digits and int(digits.group(), 16) <= 0x10FFFF:
            return chr(int(digits.group(), 16)), digits.end()
        return "\\" + letter, pos + 1
    if letter in "01234567":
        octal = re.compile(r"[0-7]{1,3}").match(text, pos)
        assert octal is not None
        return chr(int(octal.group(), 8) & 0xFF), octal.end()
    if letter == "c" and pos + 1 < len(text):
        return chr(ord(text[pos + 1]) & 0x1F), pos + 2
    return "\\" + letter, pos + 1


# =============================================================================================
# Parser: tokens -> simple commands, following compound commands just enough
# =============================================================================================


@dataclass
class _Simple:
    """One simple command: what becomes a Segment."""

    start: int
    end: int
    words: list[_Word] = field(default_factory=list)
    assigns: list[_Word] = field(default_factory=list)
    redirs: list[_Redir] = field(default_factory=list)
    extra: list[_Word] = field(default_factory=list)  # expanded but not run (loop/case words)
    tail: bool = False  # redirections after a compound command: `{ ...; } > out`
    forked: bool = False  # runs in a subshell (pipeline element or `&`): its cd does not last


@dataclass(frozen=True)
class _Scope:
    """A subshell starts (enter) or ends: `cd` inside it does not last."""

    enter: bool


@dataclass(frozen=True)
class _FuncDef:
    name: str
    start: int
    end: int


@dataclass(frozen=True)
class _LoopVar:
    """`for NAME in WORDS`: NAME holds values that may not be numbers."""

    name: str
    numeric: bool


@dataclass(frozen=True)
class _Loop:
    """A loop body starts (enter) or ends: what it sets is seen again on the next pass."""

    enter: bool


_Item: TypeAlias = _Simple | _Scope | _FuncDef | _LoopVar | _Loop


@dataclass
class _Frame:
    closer: str  # ")", "}", "fi", "done" or "esac"
    case_state: str = ""  # "pattern" or "body" inside case


_RESERVED = frozenset(
    {"{", "}", "if", "then", "elif", "else", "fi", "while", "until", "for", "select", "do",
     "done", "case", "esac", "!", "function", "[[", "coproc", "in"}
)  # fmt: skip
_CLOSERS = frozenset({"}", "fi", "done", "esac"})
# Reserved words that may directly follow a compound command's closer.
_AFTER_CLOSER = frozenset({"}", "fi", "done", "esac", "then", "do", "else", "elif"})
_SEPARATORS = frozenset({";", "&"})
_JOINERS = frozenset({"&&", "||", "|", "|&"})
_CASE_ENDS = frozenset({";;", ";&", ";;&"})


class _Parser:
    """A flat parser: it emits simple commands in order and checks that compounds balance."""

    def __init__(self, tokens: list[_Token]):
        self.tokens = tokens
        self.i = 0
        self.items: list[_Item] = []
        self.frames: list[_Frame] = []
        self.cur: _Simple | None = None
        self.patterns: list[_Word] = []
        self.have_cmd = False  # something since the last separator
        self.need_cmd = False  # an && || | waits for its right-hand side
        self.piped = False  # the next command reads a pipe

    def parse(self) -> list[_Item]:
        while self.i < len(self.tokens):
            token = self._next()
            frame = self.frames[-1] if self.frames else None
            if frame is not None and frame.case_state == "pattern":
                self._case_pattern(token, frame)
            elif isinstance(token, _Redir):
                self._redirect(token)
            elif isinstance(token, _Op):
                self._operator(token)
            else:
                self._word(token)
        self._finish()
        if self.need_cmd:
            raise _ParseError("a command is missing after an operator")
        if self.frames:
            raise _ParseError(f"missing {self.frames[-1].closer!r}")
        return self.items

    # --- helpers --------------------------------------------------------------------------

    def _next(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def _peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _next_word(self, what: str) -> _Word:
        token = self._peek()
        if not isinstance(token, _Word):
            raise _ParseError(f"missing {what}")
        self.i += 1
        return token

    def _skip_newlines(self) -> None:
        while isinstance(token := self._peek(), _Op) and token.op == "\n":
            self.i += 1

    def _top(self, *closers: str) -> _Frame:
        if not self.frames or self.frames[-1].closer not in closers:
            raise _ParseError(f"unexpected {closers[0]!r} keyword")
        return self.frames[-1]

    def _finish(self) -> None:
        cur, self.cur = self.cur, None
        if cur is not None and not (cur.tail and not cur.redirs):
            self.items.append(cur)

    def _start(self, start: int) -> _Simple:
        if self.cur is None:
            self.cur = _Simple(start, start, forked=self.piped)
            self.piped = False
        self.need_cmd = False
        self.have_cmd = True
        return self.cur

    def _close(self, frame: _Frame, end: int) -> None:
        self._finish()
        if self.need_cmd:
            raise _ParseError("a command is missing before a closing keyword")
        self.frames.pop()
        if frame.closer == ")":
            self.items.append(_Scope(enter=False))
        elif frame.closer == "done":
            self.items.append(_Loop(enter=False))
        self.cur = _Simple(end, end, tail=True)
        self.have_cmd = True

    def _emit_extra(self, words: list[_Word]) -> None:
        # loop and case words are expanded: substitutions run, arithmetic is evaluated
        if any(word.subs or word.ariths or word.evals for word in words):
            self.items.append(_Simple(words[0].start, words[-1].end, extra=list(words)))

    # --- tokens ---------------------------------------------------------------------------

    def _operator(self, token: _Op) -> None:
        op = token.op
        if op == "\n":
            self._finish()
            self.have_cmd = self.have_cmd and self.need_cmd
        elif op in _SEPARATORS or op in _JOINERS:
            if not self.have_cmd or self.need_cmd:
                raise _ParseError(f"unexpected {op!r}")
            forked = op in ("|", "|&", "&")
            if forked and self.cur is not None:
                self.cur.forked = True
            self.piped = op in ("|", "|&")
            self._finish()
            self.have_cmd = False
            self.need_cmd = op in _JOINERS
        elif op in _CASE_ENDS:
            frame = self._top("esac")
            if frame.case_state != "body" or self.need_cmd:
                raise _ParseError(f"unexpected {op!r}")
            self._finish()
            frame.case_state = "pattern"
            self.have_cmd = False
        elif op == "(":
            self._open_paren(token)
        else:  # ")"
            self._close(self._top(")"), token.end)

    def _open_paren(self, token: _Op) -> None:
        cur = self.cur
        after = self._peek()
        if cur is not None and isinstance(after, _Op) and after.op == ")":
            if len(cur.words) != 1 or cur.assigns or cur.redirs or cur.tail:
                raise _ParseError("unexpected '('")
            self.i += 1
            self.items.append(_FuncDef(cur.words[0].value, cur.start, after.end))
            self.cur = None
            self.have_cmd = False
            return
        if cur is not None:
            raise _ParseError("unexpected '('")
        self.frames.append(_Frame(")"))
        self.items.append(_Scope(enter=True))
        self.piped = False  # the whole subshell is the pipeline element
        self.need_cmd = False
        self.have_cmd = False

    def _redirect(self, token: _Redir) -> None:
        token.target = self._next_word("redirection target")
        cur = self._start(token.start)
        if cur.tail and not cur.redirs:
            cur.start = token.start
        cur.redirs.append(token)
        cur.end = token.target.end

    def _word(self, token: _Word) -> None:
        if self.cur is not None and self.cur.tail:
            if token.quoted or token.value not in _AFTER_CLOSER:
                raise _ParseError(f"unexpected word {token.value!r} after a compound command")
            self._finish()
        if self.cur is None and not token.quoted and token.value in _RESERVED:
            self._reserved(token)
            return
        cur = self._start(token.start)
        if not cur.words and _ASSIGNMENT.match(token.raw):
            cur.assigns.append(token)
        else:
            cur.words.append(token)
        cur.end = token.end

    def _reserved(self, token: _Word) -> None:
        word = token.value
        self.piped = False  # a compound command in a pipeline forks as a whole
        if word in ("{", "if"):
            self.frames.append(_Frame({"{": "}", "if": "fi"}[word]))
        elif word in ("while", "until"):
            self.frames.append(_Frame("done"))
            self.items.append(_Loop(enter=True))
        elif word in ("for", "select"):
            self.frames.append(_Frame("done"))
            self.items.append(_Loop(enter=True))
            self._loop_header(token)
        elif word == "case":
            self.frames.append(_Frame("esac"))
            self._case_header()
        elif word in ("then", "elif", "else"):
            self._top("fi")
        elif word == "do":
            self._top("done")
        elif word in _CLOSERS:
            self._close(self._top(word), token.end)
            return
        elif word == "function":
            self._function_keyword(token)
            return
        elif word == "[[":
            self._double_bracket(token)
            return
        elif word == "in":
            raise _ParseError("unexpected 'in'")
        self.need_cmd = word == "!" and self.need_cmd
        self.have_cmd = False

    def _loop_header(self, token: _Word) -> None:
        nxt = self._peek()
        if isinstance(nxt, _Word) and nxt.arith:
            self.i += 1
            self._emit_extra([nxt])
        else:
            variable = self._next_word("loop variable")
            self._skip_newlines()
            nxt = self._peek()
            words: list[_Word] = []
            if isinstance(nxt, _Word) and not nxt.quoted and nxt.value == "in":
                self.i += 1
                while isinstance(nxt := self._peek(), _Word):
                    words.append(nxt)
                    self.i += 1
                if words:
                    self._emit_extra(words)
            numeric = bool(words) and all(_numeric_word(word) for word in words)
            self.items.append(_LoopVar(variable.value, numeric))
        nxt = self._peek()
        if isinstance(nxt, _Op) and nxt.op in (";", "\n"):
            self.i += 1

    def _case_header(self) -> None:
        subject = self._next_word("case subject")
        self._skip_newlines()
        keyword = self._next_word("'in'")
        if keyword.quoted or keyword.value != "in":
            raise _ParseError("case without 'in'")
        self._emit_extra([subject])
        self.frames[-1].case_state = "pattern"

    def _case_pattern(self, token: _Token, frame: _Frame) -> None:
        if isinstance(token, _Op) and token.op in ("\n", "|", "("):
            return
        if isinstance(token, _Op) and token.op == ")" and self.patterns:
            self._emit_extra(self.patterns)
            self.patterns = []
            frame.case_state = "body"
            self.have_cmd = False
        elif isinstance(token, _Word) and not self.patterns and token.raw == "esac":
            self._close(frame, token.end)
        elif isinstance(token, _Word):
            self.patterns.append(token)
        else:
            raise _ParseError("unexpected token in a case pattern")

    def _function_keyword(self, token: _Word) -> None:
        name = self._next_word("function name")
        end = name.end
        nxt = self._peek()
        if isinstance(nxt, _Op) and nxt.op == "(":
            self.i += 1
            close = self._next()
            if not (isinstance(close, _Op) and close.op == ")"):
                raise _ParseError("bad function definition")
            end = close.end
        self.items.append(_FuncDef(name.value, token.start, end))
        self.have_cmd = False

    def _double_bracket(self, token: _Word) -> None:
        """`[[ ... ]]`: operators inside are plain words, not pipes or redirections."""
        cmd = self._start(token.start)
        cmd.words.append(token)
        while True:
            if self.i >= len(self.tokens):
                raise _ParseError("missing ']]'")
            item = self._next()
            word = item if isinstance(item, _Word) else _Word(item.op, item.op, item.start)
            cmd.words.append(word)
            cmd.end = item.end
            if isinstance(item, _Word) and not item.quoted and item.value == "]]":
                return


# =============================================================================================
# Paths: where does a write land?
# =============================================================================================

_BRACE = re.compile(r"\{([^{}]*)\}")
_BRACE_SEQUENCE = re.compile(r"-?\w+\.\.-?\w+(?:\.\.-?\d+)?")


def _is_within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _in_git_dir(path: str) -> bool:
    return any(part.lower() == ".git" for part in path.split("/"))


def _pattern_escapes(value: str) -> bool:
    """Could glob or brace expansion of this write target reach outside where it points?"""
    for part in value.split("/"):
        # A pattern only matches dot-files (and so `..`) when it starts with a literal dot.
        if part.startswith(".") and part not in (".", "..") and fnmatch.fnmatchcase("..", part):
            return True
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth > 1:
            return True  # nested braces: not worth expanding
    for body in _BRACE.findall(value):
        alternatives = body.split(",")
        if len(alternatives) > 1 and any(_escaping_part(alt) for alt in alternatives):
            return True
        if len(alternatives) == 1 and ".." in body and not _BRACE_SEQUENCE.fullmatch(body):
            return True
    return False


def _escaping_part(text: str) -> bool:
    return "/" in text or ".." in text or text.startswith("~")


def _path_verdict(word: _Word, workspace: str, cwd: str | None) -> tuple[Risk, str, str] | None:
    """(risk, shown path, why) of writing to word; None when it names no real file."""
    value = word.value
    if re.fullmatch(r"[<>]\(.*\)", word.raw, re.DOTALL):
        return None  # a process substitution is a pipe to a command classified on its own
    if word.expands:
        return "outside_write", value, "the path contains an expansion, so it could be anywhere"
    if word.tilde:
        return "outside_write", value, "the path is in a home directory"
    if not value or "\x00" in value:
        return "outside_write", value, "the path is not a usable file name"
    if word.glob and _pattern_escapes(value):
        return "outside_write", value, "the pattern can match paths outside where it points"
    if not os.path.isabs(value) and cwd is None:
        return "outside_write", value, "it is relative to a directory that cannot be known"
    joined = value if os.path.isabs(value) else os.path.join(cwd or "/", value)
    normal = os.path.normpath(joined)
    if normal in _NOT_FILES:
        return None
    try:
        real = os.path.realpath(joined)
    except (OSError, ValueError):
        return "outside_write", value, "the path cannot be resolved"
    if _in_git_dir(normal) or _in_git_dir(real):
        return "destructive", real, "it is inside a .git directory"
    if _is_within(real, workspace):
        return "workspace_write", real, ""
    if any(_is_within(real, system) for system in _SYSTEM_DIRS):
        return "privileged", real, "it is a system path"
    return "outside_write", real, "it is outside the workspace"


def _resolve_dir(word: _Word | None, cwd: str | None) -> str | None:
    """The directory `cd word` lands in, or None when it cannot be told."""
    if word is None or word.expands or word.tilde or word.value in ("", "-"):
        return None
    if "\x00" in word.value or (cwd is None and not os.path.isabs(word.value)):
        return None
    return os.path.normpath(os.path.join(cwd or "/", word.value))


def _lit(value: str) -> _Word:
    """A synthetic literal word."""
    return _Word(value, value, tilde=value.startswith("~"))


_UNKNOWN_INPUT = _Word("<input>", "<input>", expands=True)  # arguments read from stdin


def _child_path(directory: _Word, name: str) -> _Word:
    """directory/name as a word (unknown if the directory is)."""
    value = directory.value.rstrip("/") + "/" + name
    return replace(directory, raw=value, value=value, subs=())


# =============================================================================================
# Secrets: reading credentials or the environment is sensitive_read, whatever the command
# =============================================================================================

# Credential stores under a home directory, as path components. They are matched anywhere in a
# path (`/home/bob/.ssh/id_rsa`, `$HOME/.aws/credentials`, `.ssh/id_rsa` under an unknown cwd).
_SECRET_LOCATIONS: tuple[tuple[str, ...], ...] = (
    (".ssh",), (".gnupg",), (".aws",), (".netrc",), (".git-credentials",), (".pgpass",),
    (".docker", "config.json"), (".kube", "config"), (".config", "gh", "hosts.yml"),
    (".password-store",), (".vault-token",), (".bash_history",), (".zsh_history",),
)  # fmt: skip
# File names that hold keys or secrets wherever they are.
_SECRET_NAMES: tuple[str, ...] = (
    "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "*.pem", "*.key", "*.p12", "*.pfx",
    ".env", ".env.*", "ssh_host_*key",
)  # fmt: skip
# Names that a pattern must not be able to match (`*.pe?`, `id_*`, `$name.key`).
_SECRET_SAMPLES: tuple[str, ...] = (
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "server.pem", "server.key", "cert.p12",
    "cert.pfx", ".env", ".env.local", "ssh_host_rsa_key",
)  # fmt: skip
_SECRET_SYSTEM_FILES: tuple[str, ...] = (
    "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers",
    "/etc/sudoers.d", "/etc/security/opasswd",
)  # fmt: skip
_PROC_ENVIRON = re.compile(r"/proc/[^/]+(?:/task/[^/]+)?/environ")
_HOME_DIR = re.compile(r"/root|/home/[^/]+|/Users/[^/]+")
_HOME_PREFIX = re.compile(r"\$HOME(?=/|$)|\$\{HOME\}(?=/|$)")
_EXPANSION_TEXT = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|`[^`]*`|\$[A-Za-z_][A-Za-z0-9_]*|\$.")
_ANY = "\x01"  # stands for an expansion: any text, a leading dot included
_MAX_ALTERNATIVES = 64


def _home() -> str:
    return os.path.realpath(os.path.expanduser("~"))


def _lamtui_dirs() -> tuple[str, ...]:
    """lamtui's own config and data (secret names and values, memory, logs, trajectories)."""
    from lamtui.paths import get_paths  # here: the classifier must not need it to import

    paths = get_paths()
    return tuple(os.path.realpath(path) for path in (paths.config_dir, paths.data_dir))


def _secret_samples(home: str) -> list[str]:
    """Concrete secret paths a pattern or expansion is tried against."""
    samples = [os.path.join(home, *location, "x") for location in _SECRET_LOCATIONS]
    samples += [os.path.join(home, *location) for location in _SECRET_LOCATIONS]
    samples += [os.path.join(home, ".ssh", name) for name in _SECRET_SAMPLES]
    samples += [*_SECRET_SYSTEM_FILES, "/proc/self/environ", "/proc/1/environ"]
    samples += [os.path.join(directory, "x") for directory in _lamtui_dirs()]
    return samples


def _path_candidates(word: _Word) -> list[str]:
    """The paths a word may name: itself, an option's attached value, each brace alternative."""
    value = word.value
    texts = [value]
    if value.startswith("--") and "=" in value:
        texts.append(value.partition("=")[2])
    elif _is_cluster(value) and len(value) > 2:
        texts.append(value[2:])
    elif "=" in value:  # NAME=VALUE, dd if=FILE
        texts.append(value.partition("=")[2])
    out: list[str] = []
    for text in texts:
        out.extend(_brace_alternatives(text) if word.glob else [text])
    return out


def _brace_alternatives(text: str) -> list[str]:
    """Expand `{a,b}` (and nothing fancier) so each alternative is checked."""
    found: list[str] = []
    todo = [text]
    while todo and len(found) + len(todo) <= _MAX_ALTERNATIVES:
        item = todo.pop()
        match = _BRACE.search(item)
        if match is None or "," not in match.group(1):
            found.append(item)
            continue
        for alternative in match.group(1).split(","):
            todo.append(item[: match.start()] + alternative + item[match.end() :])
    return found + todo


def _pattern_regex(text: str, glob: bool) -> re.Pattern[str]:
    """A regex for what a path with globs and expansions (marked _ANY) may turn into."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        at_start = i == 0 or text[i - 1] == "/"
        if char == _ANY:
            out.append(".*")
        elif glob and char in "*?[":
            if at_start:
                out.append(r"(?!\.)")  # a glob matches a leading dot only when it is written
            close = text.find("]", i + 2) if char == "[" else -1
            out.append("[^/]*" if char == "*" else "[^/]")
            i = close if close > 0 else i
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out))


def _has_literal(text: str, glob: bool) -> bool:
    """Does the pattern pin down anything beyond slashes and dots?"""
    wild = "*?[]" if glob else ""
    return any(char.isalnum() or char in "_-~" for char in text if char not in wild + _ANY)


def _secret_reason(word: _Word, cwd: str | None, *, home_ok: bool = False) -> str | None:
    """Why what the word names may hold secrets, or None."""
    for text in _path_candidates(word):
        if not text or "\x00" in text:
            continue
        reason = _secret_text_reason(text, word, cwd, home_ok)
        if reason:
            return reason
    return None


def _secret_text_reason(text: str, word: _Word, cwd: str | None, home_ok: bool) -> str | None:
    home = _home()
    if text == "~" or text.startswith("~/"):
        text = home + text[1:]
    elif text.startswith("~"):
        text = os.path.expanduser(text)
    if word.expands:
        text = _HOME_PREFIX.sub(lambda _: home, text, count=1)
        text = _EXPANSION_TEXT.sub(_ANY, text)
    if not os.path.isabs(text) and cwd is not None:
        text = os.path.join(cwd, text)
    pattern = _ANY in text or (word.glob and bool(set(text) & set("*?[")))
    if pattern:
        return _secret_pattern_reason(text, word.glob, home)
    normal = os.path.normpath(text)
    candidates = [normal]
    if os.path.isabs(normal):
        with contextlib.suppress(OSError, ValueError):
            candidates.append(os.path.realpath(normal))  # a symlink to a key is the key
    for path in candidates:
        reason = _secret_path_reason(path, home, home_ok)
        if reason:
            return reason
    return None


def _secret_path_reason(path: str, home: str, home_ok: bool) -> str | None:
    parts = path.split("/")
    for location in _SECRET_LOCATIONS:
        for i in range(len(parts) - len(location) + 1):
            if tuple(parts[i : i + len(location)]) == location:
                return f"{'/'.join(location)} holds credentials"
    name = parts[-1]
    if any(fnmatch.fnmatchcase(name, secret) for secret in _SECRET_NAMES):
        return f"files named {name} hold keys or secrets"
    if any(_is_within(path, system) for system in _SECRET_SYSTEM_FILES):
        return f"{path} holds password hashes or sudo rules"
    if _PROC_ENVIRON.fullmatch(path):
        return f"{path} holds a process's environment"
    if not os.path.isabs(path):
        return None
    if path == home or _HOME_DIR.fullmatch(path):
        return None if home_ok else "a home directory holds credentials and private files"
    lamtui = _lamtui_dirs()
    if any(_is_within(path, directory) for directory in lamtui):
        return "lamtui's own data holds secrets, memory and logs"
    if not home_ok and _is_within(path, home):  # a folder of home that holds a credential store
        inside = [os.path.join(home, *location) for location in _SECRET_LOCATIONS]
        if any(_is_within(held, path) for held in [*inside, *lamtui]):
            return f"{path} holds credential files or lamtui's data"
    return None


def _secret_pattern_reason(text: str, glob: bool, home: str) -> str | None:
    if not _has_literal(text, glob):
        return None  # `$f`, `*`: could be anything, as any operand could
    last = text.rsplit("/", 1)[-1]
    if _has_literal(last, glob):
        name_regex = _pattern_regex(last, glob)
        if any(name_regex.fullmatch(name) for name in _SECRET_SAMPLES):
            return f"{last} may name a file holding keys or secrets"
    while text.startswith("./"):
        text = text[2:]
    regex = _pattern_regex(text, glob).pattern
    full = re.compile(regex if os.path.isabs(text) else r"(?:.*/)?" + regex)
    for sample in _secret_samples(home):
        if full.fullmatch(sample):
            return f"{text.replace(_ANY, '$…')} may name {sample}, which holds secrets"
    return None


# Commands that never open their operands: naming the home folder is no read of it there.
_NAMES_ONLY = frozenset(
    {"cd", "pushd", "echo", "printf", "test", "[", "[[", "export", "declare", "local",
     "typeset", "readonly", "basename", "dirname", "realpath", "readlink"}
)  # fmt: skip


def secret_path_reason(path: str, cwd: Path | None = None) -> str | None:
    """Why reading path (a file tool's argument) may expose secrets, or None."""
    try:
        return _secret_reason(_lit(path), os.path.realpath(cwd) if cwd else None)
    except Exception:  # fail closed, as classify_command does
        return "the path could not be checked for secrets"


def _secret_reads(acc: _Acc, cmd: _Simple) -> None:
    """Flag any word or input redirection that names a credential store, a key, the home folder
    itself or lamtui's own data, whatever the command: cat, base64, cp, tar, grep -r ..."""
    names_only = bool(acc.argv) and acc.argv[0] in _NAMES_ONLY
    checks = [(word, True) for word in cmd.assigns]
    checks += [(word, names_only) for word in cmd.words[1:]]
    checks += [(r.target, False) for r in cmd.redirs if r.target and r.op in ("<", "<>")]
    for word, home_ok in checks:
        reason = _secret_reason(word, acc.cwd, home_ok=home_ok)
        if reason:
            acc.flag("sensitive_read", f"reads {_short(word.value, 50)}: {reason}")


# =============================================================================================
# Classification of one simple command
# =============================================================================================

_Finding: TypeAlias = tuple[Risk, str]
_Out: TypeAlias = tuple[Segment, tuple[_Finding, ...]]
_Handler: TypeAlias = Callable[["_Acc", str, list[_Word]], None]


@dataclass
class _Ctx:
    """What classification of a command line carries from one segment to the next."""

    workspace: str
    cwd: str | None
    depth: int = 0
    functions: set[str] = field(default_factory=set)
    tainted: set[str] = field(default_factory=set)  # variables that may hold non-numbers
    integers: set[str] = field(default_factory=set)  # declare -i: assigning them is arithmetic

    def child(self, cwd: str | None) -> _Ctx:
        return _Ctx(
            self.workspace,
            cwd,
            self.depth + 1,
            set(self.functions),
            set(self.tainted),
            set(self.integers),
        )


def _short(text: str, limit: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _dedupe(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _strictest(risks: Iterable[Risk]) -> Risk:
    result: Risk = "read_only"
    for risk in risks:
        result = stricter(result, risk)
    return result


class _Acc:
    """Collects what one simple command may do: findings, writes and nested commands."""

    def __init__(self, ctx: _Ctx, text: str):
        self.ctx = ctx
        self.text = text
        self.cwd = ctx.cwd  # where this command's relative paths resolve (env -C moves it)
        self.argv: tuple[str, ...] = ()
        self.findings: list[_Finding] = []
        self.writes: list[str] = []
        self.nested: list[_Out] = []
        self.privileged = False
        self.stdin_text: str | None = None  # literal here-document/string on stdin
        self.forked = False  # runs in a subshell of its own

    def flag(self, risk: Risk, reason: str) -> None:
        self.findings.append((risk, reason))

    def write(
        self, word: _Word, verb: str, base: Risk = "workspace_write", *, quiet: bool = False
    ) -> None:
        """Record a write to word; quiet leaves out the reason when it lands in the workspace."""
        verdict = _path_verdict(word, self.ctx.workspace, self.cwd)
        if verdict is None:
            return
        risk, shown, why = verdict
        self.writes.append(shown)
        if quiet and risk == "workspace_write":
            return
        self.flag(stricter(base, risk), f"{verb} {word.value}" + (f" ({why})" if why else ""))

    def assignment(self, word: _Word) -> None:
        name = _NAME.match(word.raw)
        if name is None:
            return
        if _dangerous_env(name.group()):
            self.flag("unknown", f"setting {name.group()} changes which programs run or how")
        target, _, value = word.value.partition("=")
        if target.endswith("+"):
            target = target[:-1]
        if "[" in target:  # `a[sub]=v`: bash expands and evaluates sub, quoted or not
            self.check_arithmetic([target[target.index("[") :]])
        if name.group() in self.ctx.integers:  # declare -i x; x=VALUE evaluates VALUE
            self.check_arithmetic([value])
        _set_taint(self.ctx, name.group(), _numeric_assignment(word))

    def check_arithmetic(self, texts: Iterable[str], *, commands: bool = True) -> None:
        """Bash evaluates variables in arithmetic, running any $(...) hidden in their values,
        and expands subscripts again, running any $(...) written in them even quoted."""
        for text in texts:
            if commands and _arith_hides_command(text):
                self.flag("unknown", f"bash evaluates {_short(text, 40)!r} as arithmetic, and "
                                     "runs the command substitution in it again")  # fmt: skip
            hit = sorted(_referenced_names(text) & self.ctx.tainted)
            if hit:
                self.flag("unknown", f"bash evaluates ${hit[0]} as arithmetic, and a value set "
                                     "in this command can hide a command there")  # fmt: skip

    def nest_text(self, text: str, label: str, *, arguments: bool = False) -> Risk:
        """Classify text run by this command (a substitution, `bash -c`, eval ...)."""
        child = self.ctx.child(self.cwd)
        if arguments:  # `sh -c TEXT arg...`: $1... hold whatever was passed
            child.tainted.update(_POSITIONAL)
        try:
            outs = _classify_text(text, child)
        except _ParseError as exc:
            outs = [_unknown_out(text, f"{label} cannot be parsed: {exc}")]
        self.nested.extend(outs)
        risk = _strictest(out[0].risk for out in outs)
        self.flag(risk, f"runs {label}: {_short(text)}")
        return risk

    def nest_argv(self, words: list[_Word], label: str, cwd: str | None) -> None:
        """Classify a command line built from words (xargs, find -exec)."""
        words = [replace(word, subs=()) for word in words]
        text = " ".join(word.raw for word in words)
        outs = _classify_simple(text, _Simple(0, len(text), words=words), self.ctx.child(cwd))
        self.nested.extend(outs)
        self.flag(outs[0][0].risk, f"{label} runs: {_short(text)}")

    def finish(self) -> list[_Out]:
        if not self.findings:
            self.flag("read_only", "only sets shell variables or file descriptors")
        ordered = tuple(sorted(self.findings, key=lambda finding: -_RANK[finding[0]]))
        segment = Segment(
            text=self.text,
            argv=self.argv,
            risk=ordered[0][0],
            reasons=_dedupe(reason for _, reason in ordered),
            writes=_dedupe(self.writes),
            privileged=self.privileged,
        )
        return [(segment, ordered), *self.nested]


def _dangerous_env(name: str) -> bool:
    return name in _DANGEROUS_ENV or name.startswith(_DANGEROUS_ENV_PREFIXES)


_POSITIONAL = frozenset({*"0123456789", "@", "*"})
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_POSITIONAL_REF = re.compile(r"\$\{?([0-9@*])")
_NUMBER = re.compile(r"-?[0-9]+")
_NUMBER_SEQUENCE = re.compile(r"\{-?[0-9]+\.\.-?[0-9]+(?:\.\.-?[0-9]+)?\}")


def _referenced_names(text: str) -> set[str]:
    return set(_IDENTIFIER.findall(text)) | set(_POSITIONAL_REF.findall(text))


def _numeric_word(word: _Word) -> bool:
    """Does the word certainly hold a number (or a numeric brace sequence)?"""
    if word.expands:
        return word.raw.startswith("$((") and word.raw.endswith("))")
    return bool(_NUMBER.fullmatch(word.value) or _NUMBER_SEQUENCE.fullmatch(word.value))


def _numeric_assignment(word: _Word) -> bool:
    value_raw = word.raw.partition("=")[2]
    return _numeric_word(replace(word, raw=value_raw, value=word.value.partition("=")[2]))


def _set_taint(ctx: _Ctx, name: str, numeric: bool) -> None:
    if numeric:
        ctx.tainted.discard(name)
    else:
        ctx.tainted.add(name)


def _unknown_out(text: str, reason: str) -> _Out:
    segment = Segment(text, (), "unknown", (reason,), ())
    return segment, (("unknown", reason),)


def _stdin_text(redirs: list[_Redir]) -> str | None:
    """The literal text a command reads on stdin, when a here-document/string gives it."""
    text: str | None = None
    for redir in redirs:
        if redir.fd not in ("", "0") or redir.target is None:
            continue
        if redir.op in ("<<", "<<-"):
            text = redir.body if redir.body_literal else None
        elif redir.op == "<<<":
            text = None if redir.target.expands else redir.target.value + "\n"
        elif redir.op in ("<", "<>", "<&"):
            text = None
    return text


def _classify_simple(text: str, cmd: _Simple, ctx: _Ctx) -> list[_Out]:
    acc = _Acc(ctx, text)
    acc.forked = cmd.forked
    for word in cmd.assigns:
        acc.assignment(word)
    targets = [redir.target for redir in cmd.redirs if redir.target is not None]
    for word in [*cmd.assigns, *cmd.words, *cmd.extra, *targets]:
        for sub in word.subs:
            acc.nest_text(sub, "a command substitution")
        acc.check_arithmetic(word.ariths)
        for reason in word.evals:
            acc.flag("unknown", reason)
    for redir in cmd.redirs:
        for sub in redir.body_subs:
            acc.nest_text(sub, "a substitution in a here-document")
        acc.check_arithmetic(redir.body_ariths)
        for reason in redir.body_evals:
            acc.flag("unknown", reason)
    acc.stdin_text = _stdin_text(cmd.redirs)
    _redirections(acc, cmd.redirs)  # bash opens them before the command runs (and before cd)
    _run(acc, _unwrap(acc, cmd.words))
    _secret_reads(acc, cmd)
    return acc.finish()


def _redirections(acc: _Acc, redirs: list[_Redir]) -> None:
    for redir in redirs:
        target = redir.target
        if target is None or redir.op in ("<<", "<<-", "<<<"):
            continue
        if os.path.normpath(target.value).startswith(("/dev/tcp/", "/dev/udp/")):
            acc.flag("network", f"redirection to {target.value} opens a network connection")
            continue
        if redir.op in ("<", "<&"):
            continue
        if redir.op == ">&" and _DUP_TARGET.fullmatch(target.value):
            continue  # duplicates or closes a descriptor
        if redir.op in (">>", "&>>"):
            verb = "appends to"
        elif redir.op == "<>":
            verb = "opens for writing"
        else:
            verb = "truncates"
        acc.write(target, f"redirection {redir.fd}{redir.op} {verb}")


def _command_name(word: _Word) -> tuple[str | None, str]:
    """The command a word names, or (None, why not)."""
    if word.expands:
        return None, f"the command name {word.value!r} comes from an expansion"
    if word.glob and word.value not in ("[", "[["):
        return None, f"the command name {word.value!r} is a pattern the shell may expand"
    if word.tilde or not word.value:
        return None, f"{word.value!r} is not a command the classifier can identify"
    value = word.value
    if "/" in value:
        directory, base = os.path.split(value)
        if base and os.path.normpath(directory) in _SYSTEM_BIN_DIRS:
            value = base
        else:
            return None, f"runs the program {value} by path, which may do anything"
    if re.fullmatch(r"python[0-9.]*", value):
        return "python", ""
    if re.fullmatch(r"pip[0-9.]*", value):
        return "pip", ""
    if value.startswith("mkfs."):
        return "mkfs", ""
    return value, ""


def _unwrap(acc: _Acc, words: list[_Word]) -> list[_Word]:
    """Strip wrappers (sudo, env, nice, timeout ...) down to the command that really runs."""
    while words:
        name, _ = _command_name(words[0])
        strip = _WRAPPERS.get(name or "")
        if strip is None or name in acc.ctx.functions:
            return words
        before = len(acc.findings)
        words = strip(acc, words[1:])
        if not words and len(acc.findings) == before:
            acc.flag("read_only", f"{name} without a command runs nothing")
    return words


def _run(acc: _Acc, argv: list[_Word]) -> None:
    acc.argv = tuple(word.value for word in argv)
    if not argv:
        return
    if argv[0].arith:
        acc.flag("read_only", "arithmetic evaluation")
        return
    name, problem = _command_name(argv[0])
    if name is None:
        acc.flag("unknown", problem)
    elif name in acc.ctx.functions:
        acc.flag("unknown", f"calls the shell function {name} defined in this command")
    else:
        _dispatch(acc, name, argv[1:])


def _dispatch(acc: _Acc, name: str, args: list[_Word]) -> None:
    if name in _NAME_TAKING:
        _variable_operands(acc, name, args)
    handler = _HANDLERS.get(_TOOL_ALIASES.get(name, name))
    if handler is not None:
        handler(acc, name, args)
    elif name in _READ_ONLY:
        _read_only(acc, name, args)
    elif _TOOL_ALIASES.get(name, name) in _TOOLS:
        _h_tool(acc, name, args)
    elif name in _RUNS_CODE:
        _h_runs_code(acc, name, args)
    elif name in _ALWAYS_DESTRUCTIVE:
        acc.flag("destructive", _ALWAYS_DESTRUCTIVE[name])
    elif name in _NETWORK:
        acc.flag("network", f"{name} talks to other machines over the network")
    elif name in _PRIVILEGED:
        acc.flag("privileged", f"{name} changes the system (it needs root)")
    else:
        acc.flag("unknown", f"{name} is not a command the classifier knows")


# =============================================================================================
# Classification of a whole text
# =============================================================================================


def _classify_text(text: str, ctx: _Ctx) -> list[_Out]:
    if ctx.depth > _MAX_NESTING:
        return [_unknown_out(text, "commands are nested too deeply to follow")]
    items = _Parser(_Lexer(text, depth=ctx.depth).run()).parse()
    outs: list[_Out] = []
    saved: list[str | None] = []
    for index, item in enumerate(items):
        if isinstance(item, _Loop):
            if item.enter:
                _enter_loop(ctx, items[index + 1 :])
        elif isinstance(item, _Scope):
            if item.enter:
                saved.append(ctx.cwd)
            elif saved:
                ctx.cwd = saved.pop()
        elif isinstance(item, _LoopVar):
            _set_taint(ctx, item.name, item.numeric)
        elif isinstance(item, _FuncDef):
            ctx.functions.add(item.name)
            reason = f"defines the shell function {item.name}, which may shadow a command"
            outs.append(_unknown_out(text[item.start : item.end], reason))
        else:
            outs.extend(_classify_simple(text[item.start : item.end], item, ctx))
    return outs


_CHANGES_DIRECTORY = frozenset({"cd", "pushd", "popd"})


def _enter_loop(ctx: _Ctx, rest: list[_Item]) -> None:
    """A loop runs its body again: what it changes applies from its first line on."""
    depth = 0
    for item in rest:
        if isinstance(item, _Loop):
            depth += 1 if item.enter else -1
            if depth < 0:
                return
        elif isinstance(item, _LoopVar) and not item.numeric:
            ctx.tainted.add(item.name)
        elif isinstance(item, _Simple):
            if any(word.value in _CHANGES_DIRECTORY for word in item.words):
                ctx.cwd = None
            ctx.tainted.update(_assigned_names(item))


def _assigned_names(cmd: _Simple) -> set[str]:
    """Variables a simple command may set to something that is not a number."""
    names = {
        match.group()
        for word in cmd.assigns
        if not _numeric_assignment(word) and (match := _NAME.match(word.raw))
    }
    if cmd.words and cmd.words[0].value in _NAME_TAKING:
        names.update(match.group() for word in cmd.words[1:] if (match := _NAME.match(word.value)))
    return names


def _summarise(command: str, outs: list[_Out]) -> CommandRisk:
    segments = tuple(out[0] for out in outs)
    risk = _strictest(segment.risk for segment in segments)
    findings = sorted(
        (finding for out in outs for finding in out[1]), key=lambda finding: -_RANK[finding[0]]
    )
    reasons = _dedupe(
        reason for level, reason in findings if level != "read_only" or risk == "read_only"
    )
    writes = _dedupe(path for segment in segments for path in segment.writes)
    return CommandRisk(command, risk, segments, reasons or ("nothing to run",), writes)


def classify_command(command: str, workspace: Path, cwd: Path | None = None) -> CommandRisk:
    """Classify a bash command line by the strictest thing any part of it may do."""
    try:
        root = os.path.realpath(workspace)
        ctx = _Ctx(root, os.path.realpath(cwd) if cwd is not None else root)
        return _summarise(command, _classify_text(command, ctx))
    except _ParseError as exc:
        return _summarise(command, [_unknown_out(command, f"cannot be parsed: {exc}")])
    except Exception as exc:  # fail closed: a classifier bug must never crash or open the gate
        reason = f"the classifier failed on this command ({type(exc).__name__}: {exc})"
        return _summarise(command, [_unknown_out(command, reason)])


# =============================================================================================
# Option helpers
# =============================================================================================


def _is_cluster(value: str) -> bool:
    """A short-option cluster such as -rf."""
    return len(value) > 1 and value[0] == "-" and value[1] != "-"


def _long_matches(given: str, option: str) -> bool:
    """GNU getopt accepts any unambiguous prefix of a long option."""
    return given == option or (len(given) >= 3 and option.startswith(given))


def _option_values(args: list[_Word], option: str) -> list[_Word]:
    """Values given to option (-o or --output) anywhere before `--`."""
    found: list[_Word] = []
    for i, word in enumerate(args):
        value = word.value
        if value == "--":
            break
        nxt = args[i + 1] if i + 1 < len(args) else None
        if option.startswith("--") and value.startswith("--"):
            name, eq, rest = value.partition("=")
            if _long_matches(name, option):
                attached = replace(word, value=rest, tilde=rest.startswith("~"))
                found.extend([attached] if eq else [nxt] if nxt else [])
        elif not option.startswith("--") and _is_cluster(value) and option[1] in value[1:]:
            rest = value[value.index(option[1], 1) + 1 :]
            attached = replace(word, value=rest, tilde=rest.startswith("~"))
            found.extend([attached] if rest else [nxt] if nxt else [])
    return found


def _flags(args: list[_Word]) -> set[str]:
    """Short flags (as -x) and long option names present before `--`."""
    found: set[str] = set()
    for word in args:
        value = word.value
        if value == "--":
            break
        if value.startswith("--"):
            found.add(value.partition("=")[0])
        elif _is_cluster(value):
            found.update(f"-{letter}" for letter in value[1:])
    return found


def _operands(
    args: list[_Word], value_letters: str = "", value_longs: Iterable[str] = ()
) -> list[_Word]:
    """Non-option arguments, skipping the values of options that take one."""
    longs = frozenset(value_longs)
    found: list[_Word] = []
    i = 0
    only_operands = False
    while i < len(args):
        word, value = args[i], args[i].value
        i += 1
        if only_operands or not value.startswith("-") or value == "-":
            found.append(word)
        elif value == "--":
            only_operands = True
        elif value.startswith("--"):
            i += 1 if "=" not in value and value in longs else 0
        else:
            for j, letter in enumerate(value[1:], 1):
                if letter in value_letters:
                    i += 1 if j == len(value) - 1 else 0
                    break
    return found


def _skip_options(
    args: list[_Word], value_letters: str = "", value_longs: Iterable[str] = ()
) -> int:
    """Index of the first operand (the wrapped command), skipping options and their values."""
    longs = frozenset(value_longs)
    i = 0
    while i < len(args):
        value = args[i].value
        if value == "--":
            return i + 1
        if not value.startswith("-") or value == "-" or args[i].expands:
            return i
        i += 1
        if value.startswith("--"):
            i += 1 if "=" not in value and value in longs else 0
            continue
        for j, letter in enumerate(value[1:], 1):
            if letter in value_letters:
                i += 1 if j == len(value) - 1 else 0
                break
    return i


def _take_assignments(acc: _Acc, words: list[_Word]) -> list[_Word]:
    """Drop leading NAME=value words (as sudo and env accept), checking the names."""
    while words and _ASSIGNMENT.match(words[0].raw):
        acc.assignment(words[0])
        words = words[1:]
    return words


def _only_version_flags(args: list[_Word]) -> bool:
    return bool(args) and all(
        word.value in ("--version", "-V", "--help", "-h", "-version", "version", "help")
        for word in args
    )


# =============================================================================================
# Wrappers: commands that run another command
# =============================================================================================


def _w_sudo(acc: _Acc, args: list[_Word]) -> list[_Word]:
    acc.privileged = True
    acc.flag("privileged", "sudo runs the command as root (or another user)")
    longs = ("--user", "--group", "--host", "--prompt", "--close-from", "--chdir", "--role",
             "--type", "--other-user", "--command-timeout", "--chroot")  # fmt: skip
    rest = args[_skip_options(args, "ughpCDrtUTR", longs) :]
    if not rest:
        acc.flag("privileged", "sudo without a command opens a root shell or edits as root")
    return _take_assignments(acc, rest)


def _w_doas(acc: _Acc, args: list[_Word]) -> list[_Word]:
    acc.privileged = True
    acc.flag("privileged", "doas runs the command as root (or another user)")
    return args[_skip_options(args, "uC") :]


def _w_pkexec(acc: _Acc, args: list[_Word]) -> list[_Word]:
    acc.privileged = True
    acc.flag("privileged", "pkexec runs the command as root")
    return args[_skip_options(args, "", ("--user",)) :]


def _w_command(acc: _Acc, args: list[_Word]) -> list[_Word]:
    i = _skip_options(args)
    if {"-v", "-V"} & _flags(args[:i]):
        acc.flag("read_only", "command -v only looks a name up")
        return []
    return args[i:]


def _w_exec(acc: _Acc, args: list[_Word]) -> list[_Word]:
    rest = args[_skip_options(args, "a") :]
    if not rest:
        acc.flag("read_only", "exec without a command only changes file descriptors")
    return rest


def _w_env(acc: _Acc, args: list[_Word]) -> list[_Word]:
    i = 0
    while i < len(args):
        word, value = args[i], args[i].value
        if value == "--":
            i += 1
            break
        if value in ("-C", "--chdir") or value.startswith(("--chdir=", "-C")):
            target = args[i + 1] if value in ("-C", "--chdir") and i + 1 < len(args) else None
            if target is None:
                attached = value.partition("=")[2] if value.startswith("--") else value[2:]
                target = replace(word, value=attached)
            acc.cwd = _resolve_dir(target, acc.cwd)
            i += 2 if value in ("-C", "--chdir") else 1
        elif value in ("-S", "--split-string") or value.startswith(("--split-string=", "-S")):
            return _env_split_string(acc, args, i)
        elif value in ("-u", "--unset"):
            i += 2
        elif value.startswith("-") and value != "-" and not word.expands:
            i += 1  # -i, -0, -v, -uNAME, --unset=NAME, --ignore-environment ...
        elif value == "-":
            i += 1
        else:
            break
    rest = _take_assignments(acc, args[i:])
    if not rest:  # a dump; `env VAR=x cmd` is a wrapper and runs cmd
        acc.flag("sensitive_read", "env without a command prints the environment (tokens, keys)")
    return rest


def _env_split_string(acc: _Acc, args: list[_Word], i: int) -> list[_Word]:
    """env -S 'A=1 cmd args': the string is split into words that replace it."""
    word, value = args[i], args[i].value
    if value in ("-S", "--split-string"):
        payload, after = (args[i + 1] if i + 1 < len(args) else _lit("")), i + 2
    else:
        text = value.partition("=")[2] if value.startswith("--") else value[2:]
        payload, after = replace(word, value=text), i + 1
    try:
        tokens = _Lexer(payload.value, depth=acc.ctx.depth + 1).run()
    except _ParseError:
        tokens = [_Op(";", 0, 0)]
    if payload.expands or not all(isinstance(token, _Word) for token in tokens):
        acc.flag("unknown", "env -S splits a string the classifier cannot follow")
        return []
    words = [token for token in tokens if isinstance(token, _Word)]
    return _w_env(acc, words + args[after:])


def _w_nice(acc: _Acc, args: list[_Word]) -> list[_Word]:
    return args[_skip_options(args, "n", ("--adjustment",)) :]


def _w_plain(acc: _Acc, args: list[_Word]) -> list[_Word]:
    return args[1:] if args and args[0].value == "--" else args


def _w_time(acc: _Acc, args: list[_Word]) -> list[_Word]:
    i = _skip_options(args, "fo", ("--format", "--output"))
    for target in _option_values(args[:i], "-o") + _option_values(args[:i], "--output"):
        acc.write(target, "time -o writes")
    return args[i:]


def _w_timeout(acc: _Acc, args: list[_Word]) -> list[_Word]:
    i = _skip_options(args, "sk", ("--signal", "--kill-after"))
    return args[i + 1 :]  # the duration comes first


def _w_stdbuf(acc: _Acc, args: list[_Word]) -> list[_Word]:
    return args[_skip_options(args, "ioe", ("--input", "--output", "--error")) :]


def _w_ionice(acc: _Acc, args: list[_Word]) -> list[_Word]:
    i = _skip_options(args, "cnpPu", ("--class", "--classdata", "--pid", "--pgid", "--uid"))
    if {"-p", "-P", "-u", "--pid", "--pgid", "--uid"} & _flags(args[:i]):
        acc.flag("unknown", "ionice changes the I/O priority of running processes")
    return args[i:]


# Wrapper -> function returning the wrapped command's words.
_WRAPPERS: dict[str, Callable[[_Acc, list[_Word]], list[_Word]]] = {
    "sudo": _w_sudo,
    "doas": _w_doas,
    "pkexec": _w_pkexec,
    "command": _w_command,
    "builtin": _w_plain,
    "exec": _w_exec,
    "nice": _w_nice,
    "nohup": _w_plain,
    "time": _w_time,
    "timeout": _w_timeout,
    "env": _w_env,
    "stdbuf": _w_stdbuf,
    "ionice": _w_ionice,
    "busybox": _w_plain,
}


# =============================================================================================
# Handlers: shell builtins and code runners
# =============================================================================================


def _read_only(acc: _Acc, name: str, args: list[_Word]) -> None:
    acc.flag("read_only", f"{name} only reads")
    flags = _flags(args)
    for options, risk, what in _RISKY_OPTIONS.get(name, ()):
        for option in options:
            if option in flags or _option_values(args, option):
                acc.flag(risk, f"{name} {option} {what}")
    for option in _OPTION_WRITES.get(name, ()):
        for target in _option_values(args, option):
            acc.write(target, f"{name} {option} writes")
    if name in _OUTPUT_OPERAND:
        index, letters = _OUTPUT_OPERAND[name]
        for target in _operands(args, letters)[index:]:
            acc.write(target, f"{name} writes its output to")


def _h_pager(acc: _Acc, name: str, args: list[_Word]) -> None:
    _read_only(acc, name, args)
    if any(word.value.startswith("+") and set(word.value) & {"!", "|"} for word in args):
        acc.flag("unknown", f"{name} +CMD runs a shell command at startup")


def _h_cd(acc: _Acc, name: str, args: list[_Word]) -> None:
    acc.flag("read_only", f"{name} changes the working directory")
    if acc.forked:
        return  # in a pipeline or background job it changes only its own subshell
    targets = [word for word in args if not _is_cluster(word.value) and word.value != "--"]
    if name == "pushd" and targets and targets[0].value[:1] in "+-":
        acc.ctx.cwd = None  # rotates the directory stack
    else:
        acc.ctx.cwd = _resolve_dir(targets[0] if targets else None, acc.cwd)


def _h_popd(acc: _Acc, name: str, args: list[_Word]) -> None:
    acc.flag("read_only", "popd changes the working directory")
    if not acc.forked:
        acc.ctx.cwd = None


def _h_shell(acc: _Acc, name: str, args: list[_Word]) -> None:
    has_c = reads_stdin = False
    i = 0
    while i < len(args):
        word, value = args[i], args[i].value
        if value == "--":
            i += 1
            break
        if value in ("--rcfile", "--init-file"):
            acc.flag("unknown", f"{name} {value} runs a startup file")
            i += 2
        elif value.startswith("--"):
            i += 1
        elif len(value) > 1 and value[0] in "-+" and not word.expands:
            has_c = has_c or (value[0] == "-" and "c" in value)
            reads_stdin = reads_stdin or "s" in value
            i += 2 if value[-1] in "oO" else 1
        else:
            break
    operand = args[i] if i < len(args) else None
    if has_c:
        _shell_payload(acc, name, operand)
    elif operand is not None and not reads_stdin:
        acc.flag("unknown", f"{name} runs the script {operand.value}, which is not shown")
    else:
        acc.flag("unknown", f"{name} runs commands read from standard input")
        if acc.stdin_text is not None:
            acc.nest_text(acc.stdin_text, f"{name} input from a here-document")


def _shell_payload(acc: _Acc, name: str, payload: _Word | None) -> None:
    if payload is None:
        acc.flag("unknown", f"{name} -c without a command")
    else:
        if payload.expands:
            acc.flag("unknown", f"the command string for {name} -c comes from an expansion")
        acc.nest_text(payload.value, f"{name} -c", arguments=True)


def _h_eval(acc: _Acc, name: str, args: list[_Word]) -> None:
    if not args:
        acc.flag("read_only", "eval with nothing to run")
        return
    if any(word.expands for word in args):
        acc.flag("unknown", "eval runs text that comes from an expansion")
    acc.nest_text(" ".join(word.value for word in args), "eval")


def _h_source(acc: _Acc, name: str, args: list[_Word]) -> None:
    script = args[0].value if args else "nothing"
    acc.flag("unknown", f"{name} runs the commands in {script} inside this shell")


def _h_alias(acc: _Acc, name: str, args: list[_Word]) -> None:
    defined = [word.value.partition("=")[0] for word in args if "=" in word.value]
    if defined:
        acc.flag("unknown", f"alias makes {', '.join(defined)} run something else")
    else:
        acc.flag("read_only", "alias only lists aliases")


def _h_trap(acc: _Acc, name: str, args: list[_Word]) -> None:
    if not args or args[0].value.startswith("-"):
        acc.flag("read_only", "trap only lists handlers")
        return
    acc.flag("unknown", "trap runs a command later, when a signal arrives")
    if len(args) > 1 and args[0].value:
        acc.nest_text(args[0].value, "a trap handler")


def _h_declare(acc: _Acc, name: str, args: list[_Word]) -> None:
    acc.flag("read_only", f"{name} sets shell variables")
    flags = _flags(args)
    if "-p" in flags or not (_operands(args) or {"-f", "-F"} & flags):
        acc.flag("sensitive_read", f"{name} without names prints variables and their values")
    if name == "export" and "-f" in _flags(args):
        acc.flag("unknown", "export -f passes shell functions to child programs")
    for word in args:
        if _ASSIGNMENT.match(word.raw) or _NAME.fullmatch(word.value):
            acc.assignment(word)


# Builtins that take variable names; bash evaluates array subscripts in them.
_NAME_TAKING = frozenset(
    {"read", "mapfile", "readarray", "unset", "getopts", "printf", "declare", "typeset",
     "local", "export", "readonly", "wait"}
)  # fmt: skip
_DECLARES = frozenset({"declare", "typeset", "local", "export", "readonly"})


def _name_operands(name: str, args: list[_Word]) -> list[_Word]:
    """The operands of a builtin that bash reads as variable names (maybe NAME=VALUE)."""
    if name == "read":
        return _operands(args, "adinNptu") + _option_values(args, "-a")
    if name in ("mapfile", "readarray"):
        return _operands(args, "dnOsuCc")[-1:]
    if name == "getopts":
        return _operands(args)[1:2]
    if name == "printf":
        return _option_values(args, "-v")
    if name == "wait":
        return _option_values(args, "-p")
    return _operands(args)


def _variable_operands(acc: _Acc, name: str, args: list[_Word]) -> None:
    """Taint the variables a builtin sets. Bash expands and evaluates an array subscript in a
    name operand even when it is quoted (`read 'a[$(cmd)]'` runs cmd), so a name is trusted
    only when it is inert: a plain identifier, or one with a number or identifier subscript."""
    declares = name in _DECLARES
    flags = _flags(args) if declares else set()
    for word in _name_operands(name, args):
        target, eq, value = word.value.partition("=") if declares else (word.value, "", "")
        target = target[:-1] if eq and target.endswith("+") else target
        if word.expands and not _ASSIGNMENT.match(word.raw):
            acc.flag("unknown", f"{name} takes a variable name from an expansion, and bash "
                                "runs commands hidden in array subscripts")  # fmt: skip
        elif not _INERT_NAME.fullmatch(target) and not (name == "local" and target == "-"):
            acc.flag("unknown", f"{name} evaluates the variable name {_short(target, 40)!r}, "
                                "and bash runs commands hidden in array subscripts")  # fmt: skip
        if "-i" in flags and _NAME.fullmatch(target):
            acc.ctx.integers.add(target)
        if eq:
            _declared_value(acc, name, word, value, flags)
        if (variable := _NAME.match(target)) and name != "unset":
            numeric = bool(eq) and _numeric_assignment(word)
            _set_taint(acc.ctx, variable.group(), numeric)


def _declared_value(acc: _Acc, name: str, word: _Word, value: str, flags: set[str]) -> None:
    """`declare [-n|-i|-a] NAME=VALUE`: values bash reads again as names, arithmetic or arrays."""
    if "-n" in flags and not _INERT_NAME.fullmatch(value):
        acc.flag("unknown", f"{name} -n makes a reference to {_short(value, 40)!r}, and bash "
                            "runs commands hidden in its subscript")  # fmt: skip
    if "-i" in flags:
        acc.check_arithmetic([value])
    head = _ARRAY_ASSIGN.match(word.raw)  # `a=(...)` written unquoted: the lexer followed it
    literal_array = head is not None and word.raw.startswith("(", head.end())
    if value.startswith("(") and not literal_array and set(value) & {"$", "`"}:
        acc.flag("unknown", f"{name} parses the quoted value as an array assignment, running "
                            "any substitution in it")  # fmt: skip


def _h_printenv(acc: _Acc, name: str, args: list[_Word]) -> None:
    acc.flag("sensitive_read", "printenv prints the environment, where tokens and keys live")


def _h_set(acc: _Acc, name: str, args: list[_Word]) -> None:
    if args:
        acc.flag("read_only", "set only changes shell options or positional parameters")
    else:
        acc.flag("sensitive_read", "set without arguments prints every variable and its value")


def _h_ps(acc: _Acc, name: str, args: list[_Word]) -> None:
    _read_only(acc, name, args)
    bsd = [w.value for w in args if w.value and not w.value.startswith("-")]
    if any("e" in value and value.isalpha() for value in bsd[:1]) or "-E" in _flags(args):
        acc.flag("sensitive_read", "ps e prints the environment of processes")


def _h_getent(acc: _Acc, name: str, args: list[_Word]) -> None:
    _read_only(acc, name, args)
    if {"shadow", "gshadow"} & {w.value for w in _operands(args, "s")}:
        acc.flag("sensitive_read", "getent shadow prints password hashes")


_JQ_ENV = re.compile(r"(?<![\w.$])env\b|\$ENV\b")


def _h_jq(acc: _Acc, name: str, args: list[_Word]) -> None:
    _read_only(acc, name, args)
    if any(_JQ_ENV.search(word.value) for word in args):
        acc.flag("sensitive_read", "jq env / $ENV prints the environment")


def _h_let(acc: _Acc, name: str, args: list[_Word]) -> None:
    acc.flag("read_only", "let only does arithmetic")
    acc.check_arithmetic(word.value for word in args)


_ARITH_TESTS = frozenset({"-eq", "-ne", "-lt", "-le", "-gt", "-ge"})


def _h_double_bracket(acc: _Acc, name: str, args: list[_Word]) -> None:
    acc.flag("read_only", "[[ only tests")
    _variable_tests(acc, name, args)
    if _ARITH_TESTS & {word.value for word in args}:
        acc.check_arithmetic((word.raw for word in args), commands=False)
        for i, word in enumerate(args):  # the operands of -eq ... are evaluated as arithmetic
            if word.value in _ARITH_TESTS:
                acc.check_arithmetic(w.value for w in args[max(i - 1, 0) : i + 2] if w is not word)


def _h_test(acc: _Acc, name: str, args: list[_Word]) -> None:
    _read_only(acc, name, args)
    _variable_tests(acc, name, args)


def _variable_tests(acc: _Acc, name: str, args: list[_Word]) -> None:
    """`-v NAME` and `-R NAME` evaluate NAME's subscript, running commands hidden in it."""
    for test, operand in itertools.pairwise(args):
        if test.value in ("-v", "-R") and not _INERT_NAME.fullmatch(operand.value):
            acc.flag("unknown", f"{name} {test.value} evaluates the variable name "
                                f"{_short(operand.value, 40)!r}, and bash runs commands hidden "
                                "in array subscripts")  # fmt: skip


def _h_compgen(acc: _Acc, name: str, args: list[_Word]) -> None:
    _read_only(acc, name, args)
    for words in _option_values(args, "-W"):  # the word list is expanded again, like eval
        if set(words.value) & {"$", "`"}:
            acc.flag("unknown", "compgen -W expands its word list, running any substitution in it")
    actions = {w.value for w in _option_values(args, "-A")}
    if {"-v", "-e"} & _flags(args) or {"variable", "export"} & actions:
        acc.flag("sensitive_read", "compgen lists the names of shell and environment variables")


def _h_hash(acc: _Acc, name: str, args: list[_Word]) -> None:
    if "-p" in _flags(args):
        acc.flag("unknown", "hash -p changes which program a name runs")
    else:
        acc.flag("read_only", "hash only remembers where commands are")


def _h_history(acc: _Acc, name: str, args: list[_Word]) -> None:
    if all(word.value.isdigit() for word in args):
        acc.flag("read_only", "history lists past commands")
    else:
        acc.flag("unknown", "history options can rewrite the history file")


def _h_su(acc: _Acc, name: str, args: list[_Word]) -> None:
    acc.privileged = True
    acc.flag("privileged", "su runs commands as another user (root by default)")
    for payload in _option_values(args, "-c") + _option_values(args, "--command"):
        _shell_payload(acc, "su", payload)


def _h_runs_code(acc: _Acc, name: str, args: list[_Word]) -> None:
    if _only_version_flags(args):
        acc.flag("read_only", f"{name} only prints its version or help")
        return
    inline = {"-c", "-e", "-E", "--eval", "-r", "-p", "--print"} & _flags(args[:1])
    if inline:
        detail = " (inline code)"
    elif args and args[0].value == "-":
        detail = " (code from standard input)"
    else:
        detail = f" ({_short(args[0].value, 40)})" if args else ""
    acc.flag("unknown", _RUNS_CODE[name] + detail)


def _h_python(acc: _Acc, name: str, args: list[_Word]) -> None:
    module = _option_values(args[:2], "-m")
    if module and module[0].value == "pip":
        rest = args[args.index(module[0]) + 1 :] if module[0] in args else args[1:]
        _h_tool(acc, "pip", rest)
    elif module and module[0].value == "venv":
        targets = _operands(args[2:])
        for target in targets or [_lit(".")]:
            acc.write(target, "python -m venv creates")
    else:
        _h_runs_code(acc, "python", args)


# =============================================================================================
# Handlers: xargs and find run other commands
# =============================================================================================


def _h_xargs(acc: _Acc, name: str, args: list[_Word]) -> None:
    value_letters = "aEdILnPs"
    longs = ("--arg-file", "--delimiter", "--max-args", "--max-procs", "--max-chars",
             "--max-lines", "--process-slot-var")  # fmt: skip
    i = _skip_options(args, value_letters, longs)
    replace_str = _xargs_replace(args[:i])
    command = args[i:]
    if not command:
        acc.flag("read_only", "xargs without a command echoes its input")
        return
    if replace_str:
        words = [replace(w, expands=True) if replace_str in w.value else w for w in command]
    else:
        words = [*command, _UNKNOWN_INPUT]
    acc.nest_argv(words, "xargs", acc.cwd)


def _xargs_replace(options: list[_Word]) -> str:
    """The replace-string given by -I R, -iR, -i or --replace[=R], if any."""
    for i, word in enumerate(options):
        value = word.value
        if value.startswith("--replace"):
            return value.partition("=")[2] or "{}"
        if _is_cluster(value) and "I" in value:
            rest = value[value.index("I") + 1 :]
            return rest or (options[i + 1].value if i + 1 < len(options) else "{}")
        if _is_cluster(value) and "i" in value:
            return value[value.index("i") + 1 :] or "{}"
    return ""


_FIND_ONE_ARG = frozenset(
    {
        "-name", "-iname", "-path", "-ipath", "-wholename", "-iwholename", "-regex", "-iregex",
        "-type", "-xtype", "-user", "-group", "-uid", "-gid", "-perm", "-size", "-mtime",
        "-atime", "-ctime", "-mmin", "-amin", "-cmin", "-newer", "-anewer", "-cnewer",
        "-maxdepth", "-mindepth", "-links", "-inum", "-samefile", "-printf", "-fstype", "-lname",
        "-ilname", "-context", "-used", "-regextype", "-files0-from",
    }
)  # fmt: skip
_FIND_EXEC = frozenset({"-exec", "-execdir", "-ok", "-okdir"})


def _h_find(acc: _Acc, name: str, args: list[_Word]) -> None:
    i = 0
    while i < len(args) and (args[i].value in ("-H", "-L", "-P") or args[i].value.startswith("-O")):
        i += 1
    roots: list[_Word] = []
    while i < len(args) and not _is_find_expression(args[i].value):
        roots.append(args[i])
        i += 1
    roots = roots or [_lit(".")]
    acc.flag("read_only", "find only lists files")
    while i < len(args):
        value = args[i].value
        i += 1
        if value == "-delete":
            acc.flag("destructive", "find -delete deletes every match")
            for root in roots:
                acc.write(root, "find -delete deletes files under", "destructive")
        elif value in _FIND_EXEC:
            i = _find_exec(acc, value, args, i, roots)
        elif value in ("-fprint", "-fprint0", "-fls", "-fprintf") and i < len(args):
            acc.write(args[i], f"find {value} writes")
            i += 2 if value == "-fprintf" else 1
        elif value in _FIND_ONE_ARG or value.startswith("-newer"):
            i += 1


def _is_find_expression(value: str) -> bool:
    return (value.startswith("-") and len(value) > 1) or value in ("(", ")", "!", ",")


def _find_exec(acc: _Acc, action: str, args: list[_Word], i: int, roots: list[_Word]) -> int:
    """Classify the command of -exec/-execdir/-ok; return the index after its terminator."""
    end = i
    while end < len(args) and args[end].value not in (";", "+"):
        end += 1
    command = args[i:end]
    if end >= len(args) or not command:
        acc.flag("unknown", f"find {action} has no complete command")
        return len(args)
    for root in roots:
        if action in ("-execdir", "-okdir"):
            acc.nest_argv(command, f"find {action}", _resolve_dir(root, acc.cwd))
        else:
            found = _child_path(root, "{}")
            words = [_found_placeholder(word, found) for word in command]
            acc.nest_argv(words, f"find {action}", acc.cwd)
    return end + 1


def _found_placeholder(word: _Word, found: _Word) -> _Word:
    """Replace {} by a path under the search root, so writes to it resolve there."""
    if "{}" not in word.value:
        return word
    value = word.value.replace("{}", found.value)
    return replace(word, raw=value, value=value, expands=word.expands or found.expands)


# =============================================================================================
# Handlers: text tools that can hide writes or commands in their scripts
# =============================================================================================


def _h_sed(acc: _Acc, name: str, args: list[_Word]) -> None:
    scripts: list[_Word] = []
    operands: list[_Word] = []
    in_place = script_file = False
    i = 0
    while i < len(args):
        word, value = args[i], args[i].value
        nxt = args[i + 1] if i + 1 < len(args) else _lit("")
        i += 1
        if not value.startswith("-") or value == "-" or value == "--":
            operands.extend([] if value == "--" else [word])
            continue
        if value.startswith("--"):
            option, eq, rest = value.partition("=")
            in_place = in_place or _long_matches(option, "--in-place")
            if _long_matches(option, "--expression"):
                scripts.append(replace(word, value=rest) if eq else nxt)
                i += 0 if eq else 1
            elif _long_matches(option, "--file"):
                script_file = True
                i += 0 if eq else 1
            continue
        for j, letter in enumerate(value[1:], 1):
            if letter == "i":
                in_place = True
                break  # the rest of the cluster is a backup suffix
            if letter in "efl":
                attached = value[j + 1 :]
                if letter == "e":
                    scripts.append(replace(word, value=attached) if attached else nxt)
                script_file = script_file or letter == "f"
                i += 0 if attached else 1
                break
    if not scripts and not script_file and operands:
        scripts, operands = [operands[0]], operands[1:]
    _sed_scripts(acc, scripts, script_file)
    if in_place:
        for target in operands:
            acc.write(target, "sed -i rewrites")
    else:
        acc.flag("read_only", "sed prints its edited input")


def _sed_scripts(acc: _Acc, scripts: list[_Word], script_file: bool) -> None:
    if script_file:
        acc.flag("unknown", "sed -f runs a script file that is not shown")
    for script in scripts:
        scanned = None if script.expands else _scan_sed(script.value)
        if scanned is None:
            acc.flag("unknown", "the sed script cannot be analysed")
            continue
        executes, writes = scanned
        if executes:
            acc.flag("unknown", "the sed script runs shell commands (e)")
        for target in writes:
            acc.write(_lit(target), "the sed script writes")


def _scan_sed(script: str) -> tuple[bool, list[str]] | None:
    """Find the `e` (execute) and `w` (write file) commands in a sed script; None if unsure."""
    scanner = _SedScanner(script)
    try:
        scanner.run()
    except _ParseError:
        return None
    return scanner.executes, scanner.writes


class _SedScanner:
    """Just enough of GNU sed's grammar to find every command and s/// flag."""

    def __init__(self, script: str):
        self.s = script
        self.i = 0
        self.executes = False
        self.writes: list[str] = []

    def run(self) -> None:
        while self.i < len(self.s):
            if self.s[self.i] in " \t\n;":
                self.i += 1
                continue
            self._address()
            if self._peek() == ",":
                self.i += 1
                self._address()
            while self._peek() in (" ", "\t", "!"):
                self.i += 1
            if self.i >= len(self.s):
                raise _ParseError("sed address without a command")
            command = self.s[self.i]
            self.i += 1
            self._command(command)

    def _peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def _line_end(self) -> int:
        end = self.s.find("\n", self.i)
        return len(self.s) if end < 0 else end

    def _rest_of_line(self) -> str:
        end = self._line_end()
        text, self.i = self.s[self.i : end], end
        return text.strip()

    def _address(self) -> None:
        char = self._peek()
        if char.isdigit() or char in "+~":
            self.i += 1
            while self._peek().isdigit() or self._peek() == "~":
                self.i += 1
        elif char == "$":
            self.i += 1
        elif char in ("/", "\\"):
            if char == "\\":
                self.i += 1
            delimiter = self._peek()
            self.i += 1
            self._regex(delimiter)
            while self._peek() in ("I", "M"):
                self.i += 1

    def _regex(self, delimiter: str) -> None:
        """Skip a regex up to its closing delimiter (brackets may hold the delimiter)."""
        while self.i < len(self.s):
            char = self.s[self.i]
            if char == "\\":
                self.i += 2
            elif char == "[":
                close = self.s.find("]", self.i + (3 if self.s.startswith("[^]", self.i) else 2))
                if close < 0:
                    raise _ParseError("unterminated bracket")
                self.i = close + 1
            elif char == delimiter:
                self.i += 1
                return
            else:
                self.i += 1
        raise _ParseError("unterminated regex")

    def _replacement(self, delimiter: str) -> None:
        while self.i < len(self.s):
            char = self.s[self.i]
            if char == "\\":
                self.i += 2
            elif char == delimiter:
                self.i += 1
                return
            else:
                self.i += 1
        raise _ParseError("unterminated replacement")

    def _command(self, command: str) -> None:
        if command in "{}=dDgGhHnNpPxzF":
            return
        if command in "#:btTvrR":
            self._skip_label(command)
        elif command in "aic":
            self._skip_text()
        elif command in "wW":
            self.writes.append(self._rest_of_line())
        elif command == "e":
            self.executes = True
            self._rest_of_line()
        elif command in "qQlL":
            while self._peek() in (" ", "\t") or self._peek().isdigit():
                self.i += 1
        elif command in "sy":
            self._substitute(command)
        else:
            raise _ParseError(f"unknown sed command {command!r}")

    def _skip_label(self, command: str) -> None:
        stops = "\n" if command in "#rR" else "\n;"
        while self.i < len(self.s) and self.s[self.i] not in stops:
            self.i += 1

    def _skip_text(self) -> None:
        """a/i/c text runs to the end of the line, continued by a trailing backslash."""
        while self.i < len(self.s):
            end = self._line_end()
            continued = self.s[self.i : end].endswith("\\")
            self.i = end + 1
            if not continued:
                return

    def _substitute(self, command: str) -> None:
        delimiter = self._peek()
        if not delimiter or delimiter in "\\\n":
            raise _ParseError("bad s/// delimiter")
        self.i += 1
        if command == "s":
            self._regex(delimiter)
        else:
            self._replacement(delimiter)
        self._replacement(delimiter)
        while self.i < len(self.s) and self.s[self.i] not in ";\n}":
            flag = self.s[self.i]
            self.i += 1
            if flag == "e":
                self.executes = True
            elif flag == "w":
                self.writes.append(self._rest_of_line())
                return


_AWK_STRING = re.compile(r'"(?:\\.|[^"\\])*"')
_AWK_UNSAFE = re.compile(
    r"\bsystem\s*\(|\|\s*&?\s*getline|\bprintf?\b[^;{}\n]*[>|]|@load|@include|\bextension\s*\("
)


def _h_awk(acc: _Acc, name: str, args: list[_Word]) -> None:
    program: _Word | None = None
    i = 0
    while i < len(args):
        word, value = args[i], args[i].value
        if value == "--":
            i += 1
            break
        if not value.startswith("-") or value == "-":
            break
        option = value.partition("=")[0] if value.startswith("--") else value[:2]
        attached = value.partition("=")[2] if value.startswith("--") else value[2:]
        has_value = option in ("-v", "-F", "-f", "-e", "-E", "-i", "-l") or option in (
            "--assign", "--field-separator", "--file", "--exec", "--source", "--include", "--load",
        )  # fmt: skip
        nxt = args[i + 1] if i + 1 < len(args) else None
        i += 2 if has_value and not attached else 1
        if option in ("-f", "-E", "-i", "-l", "--file", "--exec", "--include", "--load"):
            acc.flag("unknown", f"{name} {option} loads program code from a file")
        elif option in ("-d", "-o", "-p", "-D", "--dump-variables", "--profile", "--pretty-print"):
            acc.flag("unknown", f"{name} {option} writes files or starts a debugger")
        elif option in ("-e", "--source"):
            program = replace(word, value=attached) if attached else nxt
    if program is None and i < len(args):
        program = args[i]
    if program is None:
        acc.flag("unknown", f"{name} has no program the classifier can see")
    elif program.expands:
        acc.flag("unknown", f"the {name} program comes from an expansion")
    elif _AWK_UNSAFE.search(_AWK_STRING.sub('""', program.value)):
        acc.flag("unknown", f"the {name} program runs commands or writes files")
    elif "ENVIRON" in program.value:
        acc.flag("sensitive_read", f"the {name} program reads ENVIRON, the environment")
    elif "/inet" in program.value:
        acc.flag("network", f"the {name} program opens a network connection (/inet special file)")
    else:
        acc.flag("read_only", f"{name} only reads and prints")


def _h_yq(acc: _Acc, name: str, args: list[_Word]) -> None:
    if {"-i", "--inplace"} & _flags(args):
        operands = _operands(args, "oIpe")
        for target in operands[1:] if len(operands) > 1 else operands:
            acc.write(target, "yq -i rewrites")
    else:
        acc.flag("read_only", "yq only reads")


# =============================================================================================
# Handlers: file operations
# =============================================================================================


def _h_writer(acc: _Acc, name: str, args: list[_Word]) -> None:
    verb, letters = _WRITERS[name]
    targets = _operands(args, letters)
    if not targets:
        acc.flag("read_only", f"{name} has nothing to write")
    for target in targets:
        acc.write(target, verb)


def _h_destroyer(acc: _Acc, name: str, args: list[_Word]) -> None:
    reason, verb, letters = _DESTROYERS[name]
    acc.flag("destructive", reason)
    for target in _operands(args, letters):
        acc.write(target, verb, "destructive")


def _copy_targets(args: list[_Word], letters: str) -> tuple[list[_Word], list[_Word]]:
    """(sources, destinations) of cp/mv/install-style arguments."""
    longs = ("--target-directory", "--suffix", "--backup-dir")
    operands = _operands(args, letters, longs)
    target_dir = _option_values(args, "-t") + _option_values(args, "--target-directory")
    if target_dir:
        return operands, target_dir[:1]
    if len(operands) >= 2:
        return operands[:-1], operands[-1:]
    return operands, []


def _h_cp(acc: _Acc, name: str, args: list[_Word]) -> None:
    letters = "tS" if name == "cp" else "gmoStZ"
    if name == "install" and {"-d", "--directory"} & _flags(args):
        destinations = _operands(args, letters)
    else:
        destinations = _copy_targets(args, letters)[1]
    if not destinations:
        acc.flag("workspace_write", f"{name} copies files")
    for target in destinations:
        acc.write(target, f"{name} copies into")


def _h_mv(acc: _Acc, name: str, args: list[_Word]) -> None:
    sources, destinations = _copy_targets(args, "tS")
    if not destinations:
        acc.flag("workspace_write", "mv moves files")
    for source in sources:
        acc.write(source, "mv moves away")
    for target in destinations:
        acc.write(target, "mv moves into")


def _h_ln(acc: _Acc, name: str, args: list[_Word]) -> None:
    symbolic = bool({"-s", "--symbolic"} & _flags(args))
    targets, links = _copy_targets(args, "tS")
    if not links and targets:
        links = [_lit(os.path.basename(targets[0].value.rstrip("/")) or ".")]
    for link in links:
        acc.write(link, "ln creates the link")
    link_dir = _link_directory(acc, links[0], many=len(targets) > 1) if links else acc.cwd
    for target in targets:
        base = link_dir if symbolic and not os.path.isabs(target.value) else acc.cwd
        verdict = _path_verdict(target, acc.ctx.workspace, base)
        if verdict is None or verdict[0] == "workspace_write":
            continue
        risk: Risk = "destructive" if verdict[0] == "destructive" else "outside_write"
        acc.flag(risk, f"ln links to {target.value} ({verdict[2]}); writes through it escape")


def _link_directory(acc: _Acc, link: _Word, *, many: bool) -> str | None:
    """The directory a symlink's relative target is resolved from."""
    where = _resolve_dir(link, acc.cwd)
    if where is None:
        return None
    return where if many or os.path.isdir(where) else os.path.dirname(where)


def _h_chmod(acc: _Acc, name: str, args: list[_Word]) -> None:
    option_letters = "cfvR" if name == "chmod" else "cfvRhHLP"
    options: list[_Word] = []
    operands: list[_Word] = []
    for word in args:
        value = word.value
        is_option = value.startswith("--") or (
            _is_cluster(value) and set(value[1:]) <= set(option_letters)
        )
        (options if is_option else operands).append(word)
    recursive = any(w.value == "--recursive" or (_is_cluster(w.value) and "R" in w.value)
                    for w in options)  # fmt: skip
    has_reference = any(word.value.startswith("--reference") for word in options)
    files = operands if has_reference else operands[1:]
    verbs = {"chmod": "permissions", "chown": "owner", "chgrp": "group"}
    verb = f"{name} changes the {verbs.get(name, 'mode')} of"
    base: Risk = "destructive" if recursive else "workspace_write"
    if recursive:
        acc.flag("destructive", f"{name} -R changes a whole directory tree")
    if name != "chmod":
        # Giving a file away (or to a group) is an act of privilege, wherever it is.
        acc.flag("privileged", f"{name} changes who owns a file")
    elif has_reference:
        acc.flag("unknown", "chmod --reference copies another file's mode, set-id bits too")
    elif operands and operands[0].expands:
        acc.flag("unknown", "the chmod mode comes from an expansion")
    elif operands and _sets_id_bits(operands[0].value):
        acc.flag("privileged", f"chmod {operands[0].value} makes a program run as its owner "
                               "or group (setuid/setgid)")  # fmt: skip
    for target in files:
        acc.write(target, verb, base)


def _sets_id_bits(mode: str) -> bool:
    """Does a chmod mode set the setuid or setgid bit (4755, 2755, u+s, g=rxs, +s)?"""
    if re.fullmatch(r"[0-7]+", mode):
        return int(mode, 8) & 0o6000 != 0
    return any(op in "+=" and "s" in perms for op, perms in re.findall(r"([-+=])([^-+=,]*)", mode))


def _h_dd(acc: _Acc, name: str, args: list[_Word]) -> None:
    acc.flag("destructive", "dd writes raw data over its output")
    for word in args:
        if word.value.startswith("of="):
            target = word.value[3:]
            acc.write(replace(word, value=target, tilde=target.startswith("~")), "dd writes",
                      "destructive")  # fmt: skip


def _h_split(acc: _Acc, name: str, args: list[_Word]) -> None:
    operands = _operands(args, "abClnt")
    prefix = operands[1] if len(operands) >= 2 else _lit("x")
    acc.write(prefix, "split writes pieces named")


def _h_mktemp(acc: _Acc, name: str, args: list[_Word]) -> None:
    flags = _flags(args)
    if {"-u", "--dry-run"} & flags:
        acc.flag("read_only", "mktemp -u only prints a name")
        return
    directory = _option_values(args, "-p") + [
        w for w in _option_values(args, "--tmpdir") if w.value
    ]
    templates = _operands(args, "p", ("--suffix",))
    template = templates[0].value if templates else "tmp.XXXXXXXXXX"
    if directory:
        acc.write(_child_path(directory[0], template), "mktemp creates")
    elif not templates or {"-t", "--tmpdir"} & flags:
        acc.flag("outside_write", "mktemp creates a file in the temporary directory")
    else:
        acc.write(templates[0], "mktemp creates")


# =============================================================================================
# Handlers: archives, compression, patches
# =============================================================================================

# tar options that run a program, and options that rename members as they are extracted.
_TAR_RUNS = ("--to-command", "--use-compress-program", "--checkpoint-action", "--info-script",
             "--new-volume-script", "--rsh-command", "--rmt-command")  # fmt: skip
_TAR_RENAMES = ("--transform", "--xform")
_TAR_VALUE_LETTERS = "fCTXbKNgLVHIF"


@dataclass
class _TarPlan:
    mode: str = ""
    archive: _Word | None = None
    directory: _Word | None = None
    flags: set[str] = field(default_factory=set)


def _tar_plan(args: list[_Word]) -> _TarPlan:
    plan = _TarPlan()
    words = list(args)
    if words and not words[0].value.startswith("-"):  # old style: `tar czf out.tgz dir`
        letters, words = words[0].value, words[1:]
        for letter in letters:
            operand = words.pop(0) if letter in _TAR_VALUE_LETTERS and words else None
            _tar_letter(plan, letter, operand)
    i = 0
    while i < len(words):
        value = words[i].value
        nxt = words[i + 1] if i + 1 < len(words) else None
        i += 1
        if value.startswith("--"):
            option, eq, rest = value.partition("=")
            attached = replace(words[i - 1], value=rest) if eq else nxt
            plan.flags.add(option)
            takes_value = option in ("--file", "--directory", *_TAR_RUNS, *_TAR_RENAMES)
            i += 1 if takes_value and not eq else 0
            if option == "--file":
                plan.archive = attached
            elif option == "--directory":
                plan.directory = attached
            else:
                plan.mode = _TAR_LONG_MODES.get(option, plan.mode)
        elif _is_cluster(value):
            for j, letter in enumerate(value[1:], 1):
                if letter in _TAR_VALUE_LETTERS:
                    rest = value[j + 1 :]
                    _tar_letter(plan, letter, replace(words[i - 1], value=rest) if rest else nxt)
                    i += 0 if rest else 1
                    break
                _tar_letter(plan, letter, None)
    return plan


_TAR_LONG_MODES = {
    "--create": "c", "--extract": "x", "--get": "x", "--list": "t", "--append": "r",
    "--update": "u", "--diff": "d", "--compare": "d", "--delete": "r", "--concatenate": "A",
    "--catenate": "A",
}  # fmt: skip


def _tar_letter(plan: _TarPlan, letter: str, value: _Word | None) -> None:
    if letter in "ctxruAd":
        plan.mode = letter
    elif letter == "f":
        plan.archive = value
    elif letter == "C":
        plan.directory = value
    elif letter == "P":
        plan.flags.add("--absolute-names")
    elif letter in "IF":
        plan.flags.add("--use-compress-program")


def _h_tar(acc: _Acc, name: str, args: list[_Word]) -> None:
    plan = _tar_plan(args)
    if set(_TAR_RUNS) & plan.flags:
        acc.flag("unknown", "tar runs another program (compressor, checkpoint action or script)")
    if set(_TAR_RENAMES) & plan.flags:
        acc.flag("unknown", "tar renames members, so where they land cannot be known")
    archive = plan.archive
    if archive and not archive.expands and re.match(r"[^/]+:", archive.value):
        acc.flag("network", f"tar uses the remote archive {archive.value}")
    if "--remove-files" in plan.flags:
        acc.flag("destructive", "tar --remove-files deletes the files it archives")
    if plan.mode in ("t", "d"):
        acc.flag("read_only", "tar only lists or compares an archive")
    elif plan.mode == "x":
        acc.write(plan.directory or _lit("."), "tar extracts into")
        if "--absolute-names" in plan.flags:
            acc.flag("outside_write", "tar -P writes absolute paths stored in the archive")
    elif plan.mode and archive is not None and archive.value != "-":
        acc.write(archive, "tar writes the archive")
    elif plan.mode:
        acc.flag("read_only", "tar writes the archive to standard output")
    else:
        acc.flag("unknown", "tar without an operation")


def _h_zip(acc: _Acc, name: str, args: list[_Word]) -> None:
    values = [word.value for word in args]
    if {"-TT", "--unzip-command"} & set(values) or any(
        value.startswith("--unzip-command=") for value in values
    ):
        acc.flag("unknown", "zip -TT runs a command to test the archive")
    if "-TT" in values:  # a two-letter option whose value is the command
        at = values.index("-TT")
        args = args[:at] + args[at + 2 :]
    operands = _operands(args, "bntO", ("--unzip-command",))
    output = _option_values(args, "-O") + _option_values(args, "--output-file")
    archive = output[:1] or operands[:1]
    for target in archive:
        if target.value != "-":
            acc.write(target, "zip writes the archive")
    if "-m" in _flags(args) or "--move" in values:
        acc.flag("destructive", "zip -m deletes the files it archives")
        for source in operands[1:]:
            acc.write(source, "zip -m deletes", "destructive")
    if not archive:
        acc.flag("read_only", "zip writes to standard output")


def _h_unzip(acc: _Acc, name: str, args: list[_Word]) -> None:
    if {"-l", "-v", "-t", "-z", "-Z", "-p", "-c"} & _flags(args):
        acc.flag("read_only", "unzip only lists, tests or prints an archive")
        return
    if "-:" in {word.value for word in args}:
        acc.flag("outside_write", "unzip -: lets archive paths escape the target directory")
    target = _option_values(args, "-d")
    acc.write(target[0] if target else _lit("."), "unzip extracts into")


def _h_compress(acc: _Acc, name: str, args: list[_Word]) -> None:
    flags = _flags(args)
    if {"-c", "--stdout", "--to-stdout", "-l", "--list", "-t", "--test"} & flags:
        acc.flag("read_only", f"{name} only prints, lists or tests")
        return
    for target in _option_values(args, "-o") if name in ("zstd", "unzstd") else []:
        acc.write(target, f"{name} writes")
    operands = _operands(args, "STMo")
    if not operands:
        acc.flag("read_only", f"{name} filters standard input to standard output")
    for target in operands:
        acc.write(target, f"{name} replaces")


def _h_patch(acc: _Acc, name: str, args: list[_Word]) -> None:
    if {"--dry-run", "-C", "--check"} & _flags(args):
        acc.flag("read_only", "patch --dry-run only checks")
        return
    outputs = _option_values(args, "-o") + _option_values(args, "--output")
    rejects = _option_values(args, "-r") + _option_values(args, "--reject-file")
    directory = _option_values(args, "-d") + _option_values(args, "--directory")
    originals = _operands(args, "BdDFgiopVrYz", ("--directory", "--input", "--output"))[:1]
    for target in outputs + rejects + originals:
        acc.write(target, "patch writes")
    if not outputs:
        acc.write(directory[0] if directory else _lit("."), "patch changes files under")


# =============================================================================================
# Handlers: git
# =============================================================================================


def _h_git(acc: _Acc, name: str, args: list[_Word]) -> None:
    repo = acc.cwd
    i = 0
    while i < len(args):
        value = args[i].value
        if value == "-C" and i + 1 < len(args):
            repo = _resolve_dir(args[i + 1], repo)
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


def _git_subcommand(acc: _Acc, sub: str, rest: list[_Word], repo: str | None) -> None:
    risk, reason = _git_verdict(sub, rest, repo)
    acc.flag(risk, reason)
    if risk in ("workspace_write", "destructive"):
        where = _lit(repo) if repo is not None else _UNKNOWN_INPUT
        acc.write(where, f"git {sub} changes the repository at", risk, quiet=True)
    for target in _option_values(rest, "--output"):
        acc.write(target, f"git {sub} --output writes")
    if sub in ("archive", "format-patch"):
        for target in _option_values(rest, "-o"):
            acc.write(target, f"git {sub} -o writes")
    pager = sub == "grep" and bool({"-O", "--open-files-in-pager"} & _flags(rest))
    if pager or "--ext-diff" in _flags(rest):
        acc.flag("unknown", f"git {sub} runs an external program")
    if risk == "read_only" and _git_elsewhere(acc, repo):
        # Outside the workspace git may rewrite that repository's index, and its config
        # (not the user's) names programs git runs (core.fsmonitor, diff.external).
        where = _lit(repo) if repo is not None else replace(_lit("<git directory>"), expands=True)
        acc.write(where, f"git {sub} works in, and may write, the repository at")
    operands = [word for word in _operands(rest) if word.value]
    if sub == "clone":
        _git_clone_target(acc, operands, repo)
    elif sub == "worktree" and len(operands) >= 2 and operands[0].value == "add":
        acc.write(_in_repo(operands[1], repo), "git worktree add creates")
    elif sub == "init":
        init_longs = ("--template", "--separate-git-dir", "--initial-branch", "--object-format",
                      "--ref-format")  # fmt: skip
        for target in _operands(rest, "b", init_longs)[:1] + _option_values(
            rest, "--separate-git-dir"
        ):
            acc.write(_in_repo(target, repo), "git init creates a repository in")


def _git_elsewhere(acc: _Acc, repo: str | None) -> bool:
    """Is git pointed (by -C or cd) at a directory outside the workspace, or one that
    cannot be told?"""
    if repo is None:
        return True
    verdict = _path_verdict(_lit(repo), acc.ctx.workspace, acc.cwd)
    return verdict is not None and verdict[0] != "workspace_write"


def _in_repo(word: _Word, repo: str | None) -> _Word:
    """A path operand of git, which is relative to the -C directory."""
    if os.path.isabs(word.value) or word.expands or word.tilde:
        return word
    if repo is None:
        return replace(word, expands=True)  # relative to a directory that cannot be told
    return replace(word, value=os.path.join(repo, word.value))


def _git_clone_target(acc: _Acc, operands: list[_Word], repo: str | None) -> None:
    if len(operands) >= 2:
        target = operands[1]
    elif operands:
        name = operands[0].value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
        target = replace(operands[0], value=name.removesuffix(".git") or ".", tilde=False)
    else:
        return
    acc.write(_in_repo(target, repo), "git clone writes into", "network")


def _git_verdict(sub: str, rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    special = _GIT_SPECIAL.get(sub)
    if special is not None:
        return special(rest, repo)
    if sub in _GIT_READ_ONLY:
        return "read_only", f"git {sub} only reads the repository"
    if sub in _GIT_WRITE:
        return "workspace_write", _GIT_WRITE[sub]
    if sub in _GIT_NETWORK:
        return "network", _GIT_NETWORK[sub]
    if sub in _GIT_DESTRUCTIVE:
        return "destructive", _GIT_DESTRUCTIVE[sub]
    if sub in _GIT_RUNS:
        return "unknown", f"git {sub} runs other programs"
    return "unknown", f"git {sub} is not a subcommand the classifier knows (it may be an alias)"


def _first_operand(rest: list[_Word], default: str = "") -> str:
    operands = _operands(rest)
    return operands[0].value if operands else default


def _git_checkout(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    flags = _flags(rest)
    values = [word.value for word in rest]
    if "--" in values or {"-p", "--patch"} & flags:
        return "destructive", "git checkout of paths discards uncommitted changes"
    if {"-f", "--force", "--ours", "--theirs", "-m", "--merge", "-B"} & flags:
        return "destructive", "git checkout -f/-B/-m can discard changes or reset a branch"
    if {"-b", "--orphan", "--detach", "-t", "--track"} & flags:
        return "workspace_write", "git checkout switches to a new branch"
    operands = [word.value for word in _operands(rest)]
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


def _git_switch(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    if {"-f", "--force", "--discard-changes", "-C", "--force-create"} & _flags(rest):
        return "destructive", "git switch --force/-C can discard changes or reset a branch"
    return "workspace_write", "git switch changes branches"


def _git_restore(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    flags = _flags(rest)
    if {"-S", "--staged"} & flags and not {"-W", "--worktree"} & flags:
        return "workspace_write", "git restore --staged unstages changes"
    return "destructive", "git restore discards uncommitted changes in the working tree"


def _git_reset(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    if {"--hard", "--merge"} & _flags(rest):
        return "destructive", "git reset --hard discards uncommitted changes"
    return "workspace_write", "git reset moves HEAD or unstages (the working tree is kept)"


def _git_clean(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    flags = _flags(rest)
    if {"-n", "--dry-run"} & flags:
        return "read_only", "git clean -n only lists what it would delete"
    ignored = " including ignored ones" if {"-x", "-X"} & flags else ""
    return "destructive", f"git clean deletes untracked files{ignored}"


def _git_push(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    forceful = {"-f", "--force", "--force-with-lease", "--force-if-includes", "--mirror",
                "--delete", "-d", "--prune"}  # fmt: skip
    refspecs = [word.value for word in _operands(rest)]
    if forceful & _flags(rest) or any(ref.startswith(("+", ":")) for ref in refspecs[1:]):
        return "destructive", "git push --force/--delete can overwrite or delete remote history"
    return "network", "git push uploads commits"


def _git_rm(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    flags = _flags(rest)
    if {"-n", "--dry-run"} & flags:
        return "read_only", "git rm -n only lists"
    if "--cached" in flags:
        return "workspace_write", "git rm --cached stops tracking files"
    return "destructive", "git rm deletes files from the working tree"


def _git_branch(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    flags = _flags(rest)
    deleting = bool({"-d", "--delete"} & flags)
    forcing = bool({"-f", "--force"} & flags)
    if {"-D", "-M", "-C"} & flags or (deleting and forcing):
        return "destructive", "git branch -D/-M/-C deletes or overwrites branches"
    if deleting:
        return "workspace_write", "git branch -d deletes a merged branch"
    moving = {"-m", "--move", "-c", "--copy", "-u", "--set-upstream-to", "--unset-upstream",
              "-t", "--track", "--no-track"}  # fmt: skip
    if moving & flags:
        return "workspace_write", "git branch renames, copies or re-tracks a branch"
    if "--edit-description" in flags:
        return "unknown", "git branch --edit-description opens an editor"
    if {"-l", "--list"} & flags or not _operands(rest):
        return "read_only", "git branch only lists branches"
    if forcing:
        return "destructive", "git branch -f resets an existing branch"
    return "workspace_write", "git branch creates a branch"


def _git_tag(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    flags = _flags(rest)
    if {"-d", "--delete", "-f", "--force"} & flags:
        return "destructive", "git tag -d/-f deletes or moves tags"
    listing = {"-l", "--list", "-n", "--contains", "--no-contains", "--points-at", "--merged",
               "--no-merged", "-v", "--verify"}  # fmt: skip
    if listing & flags or not _operands(rest):
        return "read_only", "git tag only lists tags"
    return "workspace_write", "git tag creates a tag"


def _git_stash(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    action = rest[0].value if rest and not rest[0].value.startswith("-") else "push"
    if action in ("list", "show"):
        return "read_only", f"git stash {action} only reads"
    if action in ("drop", "clear"):
        return "destructive", f"git stash {action} deletes stashed changes"
    return "workspace_write", f"git stash {action} changes the working tree"


def _git_reflog(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    action = _first_operand(rest, "show")
    if action in ("expire", "delete"):
        return "destructive", f"git reflog {action} deletes the history that makes undo possible"
    return "read_only", "git reflog only reads"


def _git_config(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    flags = _flags(rest)
    operands = [word.value for word in _operands(rest)]
    reads = {"--get", "--get-all", "--get-regexp", "--get-urlmatch", "--get-color",
             "--get-colorbool", "-l", "--list"}  # fmt: skip
    writes = {"--unset", "--unset-all", "--add", "--replace-all", "--rename-section",
              "--remove-section"}  # fmt: skip
    if {"-e", "--edit"} & flags or operands[:1] == ["edit"]:
        return "unknown", "git config --edit opens an editor"
    if reads & flags or operands[:1] in (["get"], ["list"]):
        return "read_only", "git config only reads settings"
    if not writes & flags and len(operands) <= 1:
        return "read_only", "git config only reads a setting"
    if "--system" in flags:
        return "privileged", "git config --system changes the machine-wide git settings"
    if "--global" in flags:
        return "outside_write", "git config --global changes your user-wide git settings"
    return "unknown", "git config changes can make later git commands run programs"


def _git_remote(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    action = _first_operand(rest)
    if action in ("", "get-url"):
        return "read_only", "git remote only lists remotes"
    if action in ("show", "update", "prune"):
        return "network", f"git remote {action} contacts the remote"
    return "workspace_write", f"git remote {action} changes the repository's remotes"


def _git_submodule(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    action = _first_operand(rest, "status")
    if action in ("status", "summary"):
        return "read_only", f"git submodule {action} only reads"
    if action in ("update", "add"):
        return "network", f"git submodule {action} downloads repositories"
    if action == "foreach":
        return "unknown", "git submodule foreach runs a command in each submodule"
    if action == "deinit" and {"-f", "--force"} & _flags(rest):
        return "destructive", "git submodule deinit --force discards submodule changes"
    return "workspace_write", f"git submodule {action} changes submodule settings"


def _git_gc(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    if any(word.value in ("--prune=now", "--prune=all") for word in rest):
        return "destructive", "git gc --prune=now deletes unreachable objects at once"
    return "workspace_write", "git gc packs the repository"


def _git_update_ref(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    if "-d" in _flags(rest):
        return "destructive", "git update-ref -d deletes a ref"
    return "workspace_write", "git update-ref moves a ref"


def _git_worktree(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    action = _first_operand(rest, "list")
    if action == "list":
        return "read_only", "git worktree list only reads"
    if action in ("remove", "prune") and {"-f", "--force"} & _flags(rest):
        return "destructive", f"git worktree {action} --force discards a working tree"
    return "workspace_write", f"git worktree {action} changes working trees"


def _git_bisect(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    action = _first_operand(rest)
    if action == "run":
        return "unknown", "git bisect run runs a command at each step"
    if action in ("log", "visualize", "view", "terms"):
        return "read_only", f"git bisect {action} only reads"
    return "workspace_write", "git bisect checks out commits"


def _git_notes(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    action = _first_operand(rest, "list")
    if action in ("list", "show", "get-ref"):
        return "read_only", f"git notes {action} only reads"
    return "workspace_write", f"git notes {action} changes notes"


def _git_apply(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    flags = _flags(rest)
    if {"--check", "--stat", "--numstat", "--summary"} & flags and "--apply" not in flags:
        return "read_only", "git apply --check/--stat only inspects a patch"
    if "--unsafe-paths" in flags:
        return "outside_write", "git apply --unsafe-paths may write outside the repository"
    return "workspace_write", "git apply changes files"


def _git_rebase(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    if {"-x", "--exec", "-i", "--interactive", "--edit-todo"} & _flags(rest):
        return "unknown", "git rebase -i/--exec runs commands or an editor"
    return "workspace_write", "git rebase rewrites history (recoverable from the reflog)"


def _git_format_patch(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    if "--stdout" in _flags(rest):
        return "read_only", "git format-patch --stdout only prints"
    return "workspace_write", _GIT_WRITE["format-patch"]


def _git_archive(rest: list[_Word], repo: str | None) -> tuple[Risk, str]:
    if any(word.value.startswith("--remote") for word in rest):
        return "network", "git archive --remote contacts a remote"
    return "read_only", "git archive reads the repository"


# git subcommands whose risk depends on their options.
_GIT_SPECIAL: dict[str, Callable[[list[_Word], str | None], tuple[Risk, str]]] = {
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


# =============================================================================================
# Handlers: network tools
# =============================================================================================


def _h_curl(acc: _Acc, name: str, args: list[_Word]) -> None:
    acc.flag("network", "curl transfers data over the network")
    for option in ("-o", "--output", "-D", "--dump-header", "-c", "--cookie-jar", "--trace",
                   "--trace-ascii", "--stderr", "--libcurl"):  # fmt: skip
        for target in _option_values(args, option):
            if target.value != "-":
                acc.write(target, f"curl {option} writes", "network")
    if {"-O", "--remote-name", "--remote-name-all", "-J"} & _flags(args):
        directory = _option_values(args, "--output-dir")
        acc.write(directory[0] if directory else _lit("."), "curl -O saves into", "network")


def _h_wget(acc: _Acc, name: str, args: list[_Word]) -> None:
    acc.flag("network", "wget downloads over the network")
    documents = _option_values(args, "-O") + _option_values(args, "--output-document")
    for target in documents:
        if target.value != "-":
            acc.write(target, "wget -O writes", "network")
    for option in ("-o", "--output-file", "-a", "--append-output"):
        for target in _option_values(args, option):
            acc.write(target, f"wget {option} writes its log to", "network")
    if not documents and "--spider" not in _flags(args):
        prefix = _option_values(args, "-P") + _option_values(args, "--directory-prefix")
        acc.write(prefix[0] if prefix else _lit("."), "wget saves into", "network")


def _h_rsync(acc: _Acc, name: str, args: list[_Word]) -> None:
    operands = _operands(args, "eBfTM", ("--rsh", "--rsync-path", "--filter", "--temp-dir"))
    remote = any(
        re.match(r"[^/]*:", word.value) or word.value.startswith("rsync://") for word in operands
    )
    flags = _flags(args)
    if remote:
        acc.flag("network", "rsync copies to or from another machine")
    if any(flag.startswith("--delete") for flag in flags) or "--remove-source-files" in flags:
        acc.flag("destructive", "rsync --delete/--remove-source-files deletes files")
    if len(operands) >= 2 and not remote:
        acc.write(operands[-1], "rsync copies into")
    elif not remote:
        acc.flag("read_only", "rsync with one operand only lists files")


# =============================================================================================
# Handlers: package managers and subcommand tools
# =============================================================================================


def _h_tool(acc: _Acc, name: str, args: list[_Word]) -> None:
    tool = _TOOLS[_TOOL_ALIASES.get(name, name)]
    i = _skip_options(args, tool.value_opts)
    if i >= len(args):
        risk = "read_only" if _only_version_flags(args) else tool.bare
        acc.flag(risk, f"{name} {_TOOL_PHRASE[risk]}")
        return
    if args[i].expands:
        acc.flag("unknown", f"the {name} subcommand comes from an expansion")
        return
    sub = args[i].value
    if sub in tool.groups:
        rest = args[i + 1 :]
        j = _skip_options(rest)
        sub = f"{sub} {rest[j].value}" if j < len(rest) else sub
    risk = tool.subs.get(sub, tool.subs.get(sub.split(" ")[0], tool.other))
    acc.flag(risk, f"{name} {sub} {_TOOL_PHRASE[risk]}")
    if name == "go" and sub == "env" and {"-w", "-u"} & _flags(args):
        acc.flag("outside_write", "go env -w changes your user-wide go settings")


def _h_container(acc: _Acc, name: str, args: list[_Word]) -> None:
    _h_tool(acc, name, args)
    values = [word.value for word in args]
    if any(v.startswith(option) for v in values for option in _CONTAINER_ESCAPES):
        acc.flag("privileged", f"{name} with host mounts, devices or privileges is root-equivalent")


def _h_pacman(acc: _Acc, name: str, args: list[_Word]) -> None:
    letters = "".join(word.value[1:] for word in args if _is_cluster(word.value))
    operation = next((letter for letter in letters if letter.isupper()), "")
    if operation in ("Q", "T") or (operation in ("S", "F") and set(letters) & set("sigl")
                                   and not set(letters) & set("yu")):  # fmt: skip
        acc.flag("read_only", "pacman only queries packages")
    elif operation in ("S", "F"):
        acc.flag("network", "pacman downloads or installs packages")
    elif operation == "R":
        acc.flag("destructive", "pacman -R removes packages")
    else:
        acc.flag("unknown", "pacman operation the classifier does not know")


# =============================================================================================
# Handlers: system administration
# =============================================================================================


def _h_systemctl(acc: _Acc, name: str, args: list[_Word]) -> None:
    operands = _operands(args, "tHMpnos", ("--type", "--property", "--signal", "--host"))
    action = operands[0].value if operands else ""
    if not action or action in _SYSTEMCTL_READ or _only_version_flags(args):
        acc.flag("read_only", f"systemctl {action or 'list-units'} only reports")
    else:
        acc.flag("privileged", f"systemctl {action} changes system services")


def _h_service(acc: _Acc, name: str, args: list[_Word]) -> None:
    values = [word.value for word in args]
    if values[:1] == ["--status-all"] or values[1:2] == ["status"]:
        acc.flag("read_only", "service only reports status")
    else:
        acc.flag("privileged", "service starts or stops system services")


def _h_sysctl(acc: _Acc, name: str, args: list[_Word]) -> None:
    flags = _flags(args)
    if {"-w", "--write", "-p", "--load", "--system"} & flags or any("=" in w.value for w in args):
        acc.flag("privileged", "sysctl changes kernel settings")
    else:
        acc.flag("read_only", "sysctl only reads kernel settings")


def _h_hostname(acc: _Acc, name: str, args: list[_Word]) -> None:
    if _operands(args) or {"-F", "--file", "-b", "--boot"} & _flags(args):
        acc.flag("privileged", "hostname with a name changes the machine's name")
    else:
        acc.flag("read_only", "hostname only prints the name")


def _h_date(acc: _Acc, name: str, args: list[_Word]) -> None:
    operands = _operands(args, "dfr", ("--date", "--file", "--reference"))
    setting = _option_values(args, "-s") + _option_values(args, "--set")
    if setting or any(not word.value.startswith("+") for word in operands):
        acc.flag("privileged", "date with a time sets the system clock")
    else:
        acc.flag("read_only", "date only prints the time")


def _h_ip(acc: _Acc, name: str, args: list[_Word]) -> None:
    operands = _operands(args, "nb", ("-netns", "-batch"))
    action = operands[1].value if len(operands) >= 2 else "show"
    if {"-b", "-batch", "-force"} & {word.value for word in args}:
        acc.flag("privileged", "ip -batch runs network configuration commands")
    elif action in _IP_READ_ACTIONS or (operands and operands[0].value == "monitor"):
        acc.flag("read_only", "ip only shows network state")
    else:
        acc.flag("privileged", f"ip {action} changes network configuration")


def _h_ifconfig(acc: _Acc, name: str, args: list[_Word]) -> None:
    operands = _operands(args)
    if len(operands) <= 1 and not (name == "route" and operands):
        acc.flag("read_only", f"{name} only shows network state")
    else:
        acc.flag("privileged", f"{name} changes network configuration")


def _h_mount(acc: _Acc, name: str, args: list[_Word]) -> None:
    if _operands(args, "tOoLUBw") or {"-a", "--all"} & _flags(args):
        acc.flag("privileged", "mount attaches a filesystem")
    else:
        acc.flag("read_only", "mount without arguments lists mounted filesystems")


def _h_journalctl(acc: _Acc, name: str, args: list[_Word]) -> None:
    changing = ("--vacuum", "--rotate", "--flush", "--sync", "--relinquish-var",
                "--smart-relinquish-var", "--setup-keys", "--update-catalog")  # fmt: skip
    if any(flag.startswith(changing) for flag in _flags(args)):
        acc.flag("privileged", "journalctl deletes or rotates system logs")
    else:
        acc.flag("read_only", "journalctl only reads logs")


def _h_dmesg(acc: _Acc, name: str, args: list[_Word]) -> None:
    changing = {"-C", "-c", "--clear", "--read-clear", "-n", "--console-level", "-D",
                "--console-off", "-E", "--console-on"}  # fmt: skip
    if changing & _flags(args):
        acc.flag("privileged", "dmesg clears the kernel log or changes the console")
    else:
        acc.flag("read_only", "dmesg only reads the kernel log")


def _h_crontab(acc: _Acc, name: str, args: list[_Word]) -> None:
    flags = _flags(args)
    if "-r" in flags:
        acc.flag("destructive", "crontab -r deletes every scheduled job")
    elif "-l" in flags:
        acc.flag("read_only", "crontab -l only lists scheduled jobs")
    else:
        acc.flag("unknown", "crontab schedules commands to run later")


def _h_ctl(acc: _Acc, name: str, args: list[_Word]) -> None:
    action = _first_operand(args, "status")
    if action in ("status", "show") or action.startswith("list"):
        acc.flag("read_only", f"{name} {action} only reports")
    else:
        acc.flag("privileged", f"{name} {action} changes system settings")


# The exact options that make kill/killall list signals instead of sending one. They are
# matched whole: `-KILL` or `-SIGALRM` is a signal name, not a cluster holding -L.
_SIGNAL_LISTING: dict[str, frozenset[str]] = {
    "kill": frozenset({"-l", "-L", "--list", "--table"}),
    "killall": frozenset({"-l", "--list"}),
}
_SIGNAL_SPEC = re.compile(r"[0-9]{1,3}|(?:SIG)?[A-Za-z][A-Za-z0-9+-]*")


def _lists_signals(name: str, args: list[_Word]) -> bool:
    """`kill -l [SIGNAL...]`, `kill -L`, `killall -l`: only these print the signal table."""
    if not args or args[0].expands or args[0].value not in _SIGNAL_LISTING.get(name, ()):
        return False
    rest = args[1:]
    if args[0].value in ("-L", "--table") or name == "killall":
        return not rest
    return all(not w.expands and _SIGNAL_SPEC.fullmatch(w.value) for w in rest)


def _h_kill(acc: _Acc, name: str, args: list[_Word]) -> None:
    if _lists_signals(name, args):
        acc.flag("read_only", f"{name} {args[0].value} only lists signals")
    else:
        acc.flag("destructive", f"{name} sends signals to processes")


_HANDLERS: dict[str, _Handler] = {
    # shell builtins and code runners
    "cd": _h_cd, "pushd": _h_cd, "popd": _h_popd,
    **{shell: _h_shell for shell in _SHELLS},
    "eval": _h_eval, "source": _h_source, ".": _h_source, "alias": _h_alias, "trap": _h_trap,
    "export": _h_declare, "declare": _h_declare, "typeset": _h_declare, "local": _h_declare,
    "readonly": _h_declare, "let": _h_let, "[[": _h_double_bracket, "hash": _h_hash,
    "test": _h_test, "[": _h_test, "compgen": _h_compgen, "printenv": _h_printenv,
    "set": _h_set, "ps": _h_ps, "getent": _h_getent, "jq": _h_jq,
    "history": _h_history, "su": _h_su, "python": _h_python,
    # commands that run other commands or hide them in scripts
    "xargs": _h_xargs, "find": _h_find, "sed": _h_sed, "gsed": _h_sed,
    "awk": _h_awk, "gawk": _h_awk, "mawk": _h_awk, "nawk": _h_awk,
    "less": _h_pager, "more": _h_pager, "most": _h_pager, "yq": _h_yq,
    # file operations
    **{writer: _h_writer for writer in _WRITERS},
    **{destroyer: _h_destroyer for destroyer in _DESTROYERS},
    "cp": _h_cp, "install": _h_cp, "mv": _h_mv, "ln": _h_ln,
    "chmod": _h_chmod, "chown": _h_chmod, "chgrp": _h_chmod, "dd": _h_dd,
    "split": _h_split, "mktemp": _h_mktemp,
    # archives, compression, patches
    "tar": _h_tar, "zip": _h_zip, "unzip": _h_unzip, "patch": _h_patch,
    **{tool: _h_compress for tool in ("gzip", "gunzip", "bzip2", "bunzip2", "xz", "unxz",
                                      "lzma", "unlzma", "zstd", "unzstd", "lz4", "compress",
                                      "uncompress", "pigz", "unpigz", "lzip")},
    # version control and network
    "git": _h_git, "curl": _h_curl, "wget": _h_wget, "rsync": _h_rsync,
    "docker": _h_container, "pacman": _h_pacman,
    # system administration
    "systemctl": _h_systemctl, "service": _h_service, "sysctl": _h_sysctl,
    "hostname": _h_hostname, "date": _h_date, "ip": _h_ip, "ifconfig": _h_ifconfig,
    "route": _h_ifconfig, "mount": _h_mount, "journalctl": _h_journalctl, "dmesg": _h_dmesg,
    "crontab": _h_crontab, "timedatectl": _h_ctl, "hostnamectl": _h_ctl, "localectl": _h_ctl,
    "kill": _h_kill, "killall": _h_kill, "pkill": _h_kill,
}  # fmt: skip
