"""Package managers and container tools: what each subcommand can do."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lamtui.contract.risk import RISK_NAMED, Risk


@dataclass(frozen=True)
class Tool:
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
            table[sub] = RISK_NAMED[risk]
    return table


_PIP_SUBS = _subs(
    network=["install", "download", "wheel", "search", "index"],
    destructive=["uninstall"],
    read_only=["list", "show", "freeze", "check", "help", "inspect", "hash", "debug"],
)
# Installing downloads code (network); removing is destructive; running scripts is unknown.
TOOLS: dict[str, Tool] = {
    "pip": Tool(_PIP_SUBS),
    "uv": Tool(
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
    "pipx": Tool(
        _subs(
            network=["install", "inject", "upgrade", "upgrade-all", "reinstall", "reinstall-all",
                     "run"],
            destructive=["uninstall", "uninstall-all", "uninject"],
            outside_write=["ensurepath"],
            read_only=["list", "environment"],
        )
    ),
    "poetry": Tool(
        _subs(
            network=["install", "add", "update", "lock", "publish", "search", "self"],
            destructive=["remove", "env remove"],
            unknown=["run", "shell", "build", "config", "env use"],
            workspace_write=["new", "init"],
            read_only=["show", "check", "version", "about", "env info", "env list",
                       "env activate", "help", "list"],
        ),
        groups=frozenset({"env"}),
    ),
    "npm": Tool(
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
    "yarn": Tool(
        _subs(
            network=["install", "add", "upgrade", "up", "upgrade-interactive", "global", "dlx",
                     "create", "publish", "npm", "login", "info", "outdated", "audit", "import"],
            destructive=["remove", "cache"],
            read_only=["list", "why", "help", "bin"],
        ),
        bare="network",
    ),
    "pnpm": Tool(
        _subs(
            network=["install", "i", "add", "update", "up", "upgrade", "dlx", "create",
                     "publish", "fetch", "outdated", "audit", "info", "view", "import"],
            destructive=["remove", "rm", "uninstall", "un", "prune"],
            read_only=["list", "ls", "why", "root", "bin", "help"],
        )
    ),
    "bun": Tool(
        _subs(
            network=["install", "i", "add", "a", "update", "upgrade", "x", "create", "c",
                     "publish", "outdated", "pm"],
            destructive=["remove", "rm"],
            read_only=["help"],
        )
    ),
    "cargo": Tool(
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
    "go": Tool(
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
    "gem": Tool(
        _subs(
            network=["install", "update", "fetch", "push", "sources", "search", "owner", "yank",
                     "signin"],
            destructive=["uninstall", "cleanup"],
            read_only=["list", "query", "info", "env", "environment", "contents", "which",
                       "help", "specification", "dependency"],
        )
    ),
    "bundle": Tool(
        _subs(
            network=["install", "update", "add", "lock", "outdated", "cache", "package"],
            destructive=["remove", "clean"],
            unknown=["exec"],
            read_only=["check", "list", "show", "info", "platform", "help"],
        ),
        bare="network",
    ),
    "composer": Tool(
        _subs(
            network=["install", "update", "require", "create-project", "global", "outdated"],
            destructive=["remove"],
            unknown=["run", "run-script", "exec"],
            read_only=["show", "validate", "help", "list", "licenses"],
        )
    ),
    "conda": Tool(
        _subs(
            network=["install", "create", "update", "upgrade", "search", "env create",
                     "env update"],
            destructive=["remove", "uninstall", "clean", "env remove"],
            unknown=["run", "config"],
            read_only=["list", "info", "env list", "activate", "deactivate", "help"],
        ),
        groups=frozenset({"env"}),
    ),
    "apt": Tool(
        _subs(
            network=["install", "reinstall", "upgrade", "full-upgrade", "dist-upgrade",
                     "update", "download", "source", "build-dep", "changelog"],
            destructive=["remove", "purge", "autoremove", "autopurge", "clean", "autoclean"],
            read_only=["search", "show", "list", "policy", "depends", "rdepends", "showpkg",
                       "madison", "showsrc", "check", "help"],
        ),
        value_opts="ocqt",
    ),
    "dnf": Tool(
        _subs(
            network=["install", "update", "upgrade", "reinstall", "downgrade", "groupinstall",
                     "makecache", "download", "check-update", "distro-sync"],
            destructive=["remove", "erase", "autoremove", "clean", "groupremove"],
            read_only=["list", "info", "search", "provides", "whatprovides", "repolist",
                       "history", "deplist", "repoquery", "help"],
        )
    ),
    "zypper": Tool(
        _subs(
            network=["install", "in", "update", "up", "dist-upgrade", "dup", "refresh", "ref",
                     "patch"],
            destructive=["remove", "rm", "clean"],
            read_only=["search", "se", "info", "if", "list-updates", "lu", "repos", "lr"],
        )
    ),
    "apk": Tool(
        _subs(
            network=["add", "update", "upgrade", "fetch", "fix"],
            destructive=["del", "cache"],
            read_only=["info", "search", "list", "policy", "stats"],
        )
    ),
    "brew": Tool(
        _subs(
            network=["install", "upgrade", "update", "reinstall", "tap", "fetch", "search",
                     "info", "outdated", "bundle", "install-bundler-gems"],
            destructive=["uninstall", "remove", "rm", "untap", "cleanup", "autoremove"],
            read_only=["list", "ls", "leaves", "deps", "config", "doctor", "uses", "desc",
                       "--prefix", "--cellar", "--repository", "help", "commands"],
        )
    ),
    "snap": Tool(
        _subs(
            network=["install", "refresh", "download", "find", "info"],
            destructive=["remove"],
            read_only=["list", "version", "connections", "services", "help"],
        )
    ),
    "flatpak": Tool(
        _subs(
            network=["install", "update", "search"],
            destructive=["uninstall"],
            unknown=["run"],
            read_only=["list", "info", "remotes", "history", "help"],
        )
    ),
    "docker": Tool(
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
# Options that make a tool (any subcommand) riskier: tool -> ((options, risk, what), ...).
TOOL_OPTIONS: dict[str, tuple[tuple[tuple[str, ...], Risk, str], ...]] = {
    "pip": ((("--proxy", "--index-url", "-i", "--extra-index-url"), "network",
             "contacts a package index"),),
    "docker": (
        (("-H", "--host", "-c", "--context"), "network", "talks to another machine's daemon"),
        (("--config", "--tlscacert", "--tlscert", "--tlskey"), "unknown",
         "reads another client configuration"),
    ),
    "apt": ((("-o", "--option", "-c", "--config-file"), "unknown",
             "sets apt configuration, which can name programs to run"),),
    "uv": ((("--config-file", "--directory", "--project"), "unknown",
            "reads another project or configuration"),),
}  # fmt: skip
# Options whose value is a file the tool writes (pip --log).
TOOL_WRITES: dict[str, tuple[str, ...]] = {"pip": ("--log", "--log-file")}
# Subcommand options that make a read-only subcommand reach the network or change files.
SUB_OPTIONS: dict[tuple[str, str], tuple[tuple[tuple[str, ...], Risk, str], ...]] = {
    ("pip", "list"): ((("-o", "--outdated", "-u", "--uptodate"), "network",
                       "asks the package index for newer versions"),),
}  # fmt: skip
# Read-only subcommands that resolve dependencies, and so may download them, unless offline.
RESOLVES: dict[tuple[str, str], tuple[str, ...]] = {
    ("cargo", "tree"): ("--offline", "--frozen"),
    ("cargo", "metadata"): ("--offline", "--frozen", "--no-deps"),
    ("go", "list"): (),
    ("go", "mod graph"): (),
    ("go", "mod why"): (),
    ("go", "mod verify"): (),
}
# Subcommands that print what a container or project holds, environment values included.
PRINTS_ENVIRONMENT: frozenset[tuple[str, str]] = frozenset(
    {("docker", "inspect"), ("docker", "container inspect"), ("docker", "compose config")}
)
TOOL_ALIASES: dict[str, str] = {
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
TOOL_PHRASE: dict[str, str] = {
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
CONTAINER_ESCAPES: tuple[str, ...] = (
    "--privileged", "-v", "--volume", "--mount", "--pid=host", "--network=host", "--net=host",
    "--cap-add", "--device", "--userns=host", "--ipc=host",
)  # fmt: skip
