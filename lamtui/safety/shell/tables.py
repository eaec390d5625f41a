"""What each command can do: the tables the handlers and the engine's dispatch read."""

from __future__ import annotations

from lamtui.contract.risk import Risk

# Commands that only read or print, whatever their arguments. The few options that make one of
# them write a file or run a program are listed in OPTION_WRITES, OUTPUT_OPERAND and
# RISKY_OPTIONS below. (less/more/top are interactive, but harmless without a terminal.)
READ_ONLY: frozenset[str] = frozenset(
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
OPTION_WRITES: dict[str, tuple[str, ...]] = {
    "sort": ("-o", "--output"),
    "shuf": ("-o", "--output"),
    "iconv": ("-o", "--output"),
    "tree": ("-o",),
    "less": ("-o", "-O", "--log-file", "--LOG-FILE"),
    "info": ("-o", "--output", "--dribble"),
}
# Read-only commands with an output-file operand: name -> (operand index, value-taking letters).
OUTPUT_OPERAND: dict[str, tuple[int, str]] = {
    "uniq": (1, "fsw"),
    "xxd": (1, "cglosn"),
}
# Options that make a read-only command do more: name -> ((options, risk, what they do), ...).
_RUN_OPTIONS = ("-x", "--exec", "-X", "--exec-batch")
RISKY_OPTIONS: dict[str, tuple[tuple[tuple[str, ...], Risk, str], ...]] = {
    "sort": ((("--compress-program",), "unknown", "runs a compression program"),),
    "ack": ((("--pager",), "unknown", "runs a pager program"),),
    "ag": ((("--pager",), "unknown", "runs a pager program"),),
    "bat": ((("--pager",), "unknown", "runs a pager program"),),
    "batcat": ((("--pager",), "unknown", "runs a pager program"),),
    "man": (
        (("-P", "--pager", "-H", "--html"), "unknown", "runs a pager or browser"),
        # man_db.conf names the programs man runs (DEFINE pager, troff ...)
        (("-C", "--config-file"), "unknown", "reads a config file that names programs to run"),
    ),
    # a lesskey file can set LESSOPEN, which runs a program on every file less opens
    "less": (
        (
            ("-k", "--lesskey-file", "--lesskey-src", "--lesskey-content"),
            "unknown",
            "reads key bindings that can set LESSOPEN to run a program",
        ),
    ),
    "rg": (
        (("--pre",), "unknown", "runs a preprocessor program"),
        (("--hostname-bin",), "unknown", "runs a program to find the host name"),
    ),
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
WRITERS: dict[str, tuple[str, str]] = {
    "touch": ("touch creates or updates", "dtr"),
    "mkdir": ("mkdir creates", "mZ"),
    "tee": ("tee writes", ""),
    "dos2unix": ("dos2unix rewrites", ""),
    "unix2dos": ("unix2dos rewrites", ""),
}

# Commands that delete or overwrite their operands: name -> (reason, verb, value-taking options).
DESTROYERS: dict[str, tuple[str, str, str]] = {
    "rm": ("rm deletes files", "rm deletes", ""),
    "rmdir": ("rmdir deletes directories", "rmdir deletes", ""),
    "unlink": ("unlink deletes a file", "unlink deletes", ""),
    "shred": ("shred overwrites files beyond recovery", "shred overwrites", "ns"),
    "truncate": ("truncate cuts files to a size", "truncate cuts", "sr"),
}

# Commands that wreck disks, filesystems or running processes whatever their arguments.
ALWAYS_DESTRUCTIVE: dict[str, str] = {
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
NETWORK: frozenset[str] = frozenset(
    {
        "ssh", "scp", "sftp", "nc", "netcat", "ncat", "socat", "telnet", "ftp", "lftp", "ping",
        "ping6", "dig", "nslookup", "host", "traceroute", "traceroute6", "tracepath", "mtr",
        "whois", "http", "https", "xh", "aria2c", "ssh-copy-id", "ssh-keyscan", "nmap", "npx",
        "pnpx", "bunx", "uvx", "git-lfs", "gh", "hub",
    }
)  # fmt: skip

# Commands that act as root or change the system: users, kernel, firewall, boot, time.
PRIVILEGED: frozenset[str] = frozenset(
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
RUNS_CODE: dict[str, str] = {
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
SHELLS: frozenset[str] = frozenset(
    {"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "posh", "fish", "csh", "tcsh"}
)

# Environment variables that change which programs run or what they load: setting one is
# "unknown" at least, because the rest of the command no longer means what it says.
DANGEROUS_ENV: frozenset[str] = frozenset(
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
        # options or programs a command reads from its environment
        "MORE", "GZIP", "ZIP", "ZIPOPT", "UNZIP", "UNZIPOPT", "BZIP", "BZIP2", "XZ_DEFAULTS",
        "ZSTD_NBTHREADS", "GLIBC_TUNABLES", "KUBECONFIG", "MANSECT", "TERMINFO",
    }
)  # fmt: skip
# Whole families: the dynamic loader, shell functions, git (but for who and when, below),
# less and its lesskey files, interpreters, package managers, docker.
DANGEROUS_ENV_PREFIXES: tuple[str, ...] = (
    "LD_", "DYLD_", "BASH_FUNC_", "GIT_", "LESS", "PYTHON", "PERL", "RUBY", "NODE_", "NPM_",
    "npm_", "YARN_", "PIP_", "DOCKER_", "GCONV_", "TAR_", "RSYNC_", "GREP_", "SYSTEMD_",
)  # fmt: skip
# Names shaped like a program, its options, its config or a search path (GIT_TRACE writes,
# RIPGREP_CONFIG_PATH adds --pre, GNUPGHOME, WGETRC, JAVA_TOOL_OPTIONS, BAT_PAGER ...).
DANGEROUS_ENV_SUFFIXES: tuple[str, ...] = (
    "PAGER", "EDITOR", "BROWSER", "SHELL", "ASKPASS", "_OPTIONS", "_OPTS", "OPT", "_FLAGS",
    "_RSH", "_CMD", "_COMMAND", "_PROG", "_PROGRAM", "CONFIG", "_CONFIG_PATH", "_CONFIG_FILE",
    "PATH", "HOME", "RC", "_TRACE",
)  # fmt: skip
# git variables that only say who made a commit and when, or how paths are matched.
SAFE_GIT_ENV: frozenset[str] = frozenset(
    {
        "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE", "GIT_TERMINAL_PROMPT", "GIT_OPTIONAL_LOCKS",
        "GIT_MERGE_AUTOEDIT", "GIT_LITERAL_PATHSPECS", "GIT_GLOB_PATHSPECS",
        "GIT_NOGLOB_PATHSPECS", "GIT_ICASE_PATHSPECS", "GIT_REFLOG_ACTION", "GIT_FLUSH",
    }
)  # fmt: skip

# Writing under these is a system change, whoever runs it.
SYSTEM_DIRS: tuple[str, ...] = (
    "/etc", "/usr", "/boot", "/sys", "/proc", "/dev", "/bin", "/sbin", "/lib", "/lib32",
    "/lib64", "/libx32", "/root",
)  # fmt: skip
# Redirecting to these writes no file.
NOT_FILES: frozenset[str] = frozenset(
    {"/dev/null", "/dev/stdout", "/dev/stderr", "/dev/tty", "/dev/fd/1", "/dev/fd/2",
     "/proc/self/fd/1", "/proc/self/fd/2"}
)  # fmt: skip
# `/usr/bin/rm` is plain `rm`; any other path is a program the classifier cannot know.
SYSTEM_BIN_DIRS: frozenset[str] = frozenset(
    {"/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin"}
)

# --- git ------------------------------------------------------------------------------------
# Subcommands that only read the repository.
GIT_READ_ONLY: frozenset[str] = frozenset(
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
GIT_WRITE: dict[str, str] = {
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
GIT_NETWORK: dict[str, str] = {
    "pull": "git pull downloads and merges commits",
    "fetch": "git fetch downloads commits",
    "clone": "git clone downloads a repository",
    "ls-remote": "git ls-remote contacts a remote",
    "send-email": "git send-email sends mail",
    "request-pull": "git request-pull contacts a remote",
}
# Subcommands that discard work or rewrite history for good.
GIT_DESTRUCTIVE: dict[str, str] = {
    "filter-branch": "git filter-branch rewrites all history",
    "filter-repo": "git filter-repo rewrites all history",
    "prune": "git prune deletes unreachable objects",
}
# Subcommands that run other programs (tools, daemons, credential helpers, hooks).
GIT_RUNS: frozenset[str] = frozenset(
    {
        "difftool", "mergetool", "daemon", "instaweb", "web--browse", "credential",
        "maintenance", "hook", "fast-import", "p4", "svn", "cvsimport", "archimport",
        "quiltimport", "upload-pack", "receive-pack",
    }
)  # fmt: skip

# --- system services ------------------------------------------------------------------------
# systemctl subcommands that only report.
SYSTEMCTL_READ: frozenset[str] = frozenset(
    {
        "status", "show", "list-units", "list-unit-files", "list-timers", "list-sockets",
        "list-dependencies", "list-jobs", "list-machines", "is-active", "is-enabled",
        "is-failed", "is-system-running", "cat", "help", "get-default",
    }
)  # fmt: skip
# `ip OBJECT ACTION`: actions that only report.
IP_READ_ACTIONS: frozenset[str] = frozenset({"show", "list", "ls", "lst", "sh", "s", "get"})
