"""Text tools that can hide writes or commands in their scripts: sed, awk, pagers, jq, yq."""

from __future__ import annotations

import re
from dataclasses import replace

from lamtui.safety.shell.accumulator import Acc, Handler
from lamtui.safety.shell.handlers.readonly import read_only_command
from lamtui.safety.shell.options import given, long_matches, operands_in
from lamtui.safety.shell.sensitive import flag_secret_path
from lamtui.safety.shell.targets import lit
from lamtui.safety.shell.tokens import ParseError, Word


def _h_pager(acc: Acc, name: str, args: list[Word]) -> None:
    read_only_command(acc, name, args)
    if any(word.value.startswith("+") and set(word.value) & {"!", "|"} for word in args):
        acc.flag("unknown", f"{name} +CMD runs a shell command at startup")


_JQ_ENV = re.compile(r"(?<![\w.$])env\b|\$ENV\b")


_JQ_MODULES = re.compile(r"(?<![\w.$])(?:import|include)\b")


def _h_jq(acc: Acc, name: str, args: list[Word]) -> None:
    read_only_command(acc, name, args)
    if any(_JQ_ENV.search(word.value) for word in args):
        acc.flag("sensitive_read", "jq env / $ENV prints the environment")
    if given(args, "-f", "--from-file") or any(_JQ_MODULES.search(w.value) for w in args):
        acc.flag("unknown", "jq runs a program from a file or module that is not shown")


# yq (Go and Python) functions that read files or the environment.
_YQ_LOADS = re.compile(r"\bload(?:_[a-z0-9]+)?\s*\(")
_YQ_ENV = re.compile(r"\b(?:str)?env\s*\(|\benvsubst\b|\$ENV\b|(?<![\w.$])env\b")


def _h_sed(acc: Acc, name: str, args: list[Word]) -> None:
    scripts: list[Word] = []
    operands: list[Word] = []
    in_place = script_file = False
    suffix = ""  # sed -i.bak / --in-place=.bak keeps a backup beside each file
    i = 0
    while i < len(args):
        word, value = args[i], args[i].value
        nxt = args[i + 1] if i + 1 < len(args) else lit("")
        i += 1
        if not value.startswith("-") or value == "-" or value == "--":
            operands.extend([] if value == "--" else [word])
            continue
        if value.startswith("--"):
            option, eq, rest = value.partition("=")
            if long_matches(option, "--in-place"):
                in_place, suffix = True, rest or suffix
            if long_matches(option, "--expression"):
                scripts.append(replace(word, value=rest) if eq else nxt)
                i += 0 if eq else 1
            elif long_matches(option, "--file"):
                script_file = True
                i += 0 if eq else 1
            continue
        for j, letter in enumerate(value[1:], 1):
            if letter == "i":
                in_place, suffix = True, value[j + 1 :] or suffix
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
            _sed_backup(acc, target, suffix)
    else:
        acc.flag("read_only", "sed prints its edited input")


def _sed_backup(acc: Acc, target: Word, suffix: str) -> None:
    """Where sed -iSUFFIX writes its backup of target. GNU sed puts the file's name as
    given for each `*` (the result, when it has a `/`, is taken from the current folder);
    a plain suffix goes after the name."""
    if not suffix:
        return
    if "*" in suffix:
        backup = suffix.replace("*", target.value)
    elif "/" in suffix:
        acc.flag("unknown", f"sed -i{suffix} writes its backups into another folder")
        return
    else:
        backup = target.value + suffix
    acc.write(replace(target, value=backup), "sed -i keeps a backup at")


def _sed_scripts(acc: Acc, scripts: list[Word], script_file: bool) -> None:
    if script_file:
        acc.flag("unknown", "sed -f runs a script file that is not shown")
    for script in scripts:
        scanned = None if script.expands else _scan_sed(script.value)
        if scanned is None:
            acc.flag("unknown", "the sed script cannot be analysed")
            continue
        if scanned.executes:
            acc.flag("unknown", "the sed script runs shell commands (e)")
        for target in scanned.writes:
            acc.write(lit(target), "the sed script writes")
        for source in scanned.reads:
            flag_secret_path(acc, source, "the sed script reads")


def _scan_sed(script: str) -> _SedScanner | None:
    """Find the `e` (execute), `w` (write file) and `r` (read file) commands in a sed script;
    None if unsure."""
    scanner = _SedScanner(script)
    try:
        scanner.run()
    except ParseError:
        return None
    return scanner


class _SedScanner:
    """Just enough of GNU sed's grammar to find every command and s/// flag."""

    def __init__(self, script: str):
        self.s = script
        self.i = 0
        self.executes = False
        self.writes: list[str] = []
        self.reads: list[str] = []  # r/R FILE: sed prints the file's text

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
                raise ParseError("sed address without a command")
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
                    raise ParseError("unterminated bracket")
                self.i = close + 1
            elif char == delimiter:
                self.i += 1
                return
            else:
                self.i += 1
        raise ParseError("unterminated regex")

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
        raise ParseError("unterminated replacement")

    def _command(self, command: str) -> None:
        if command in "{}=dDgGhHnNpPxzF":
            return
        if command in "rR":
            self.reads.append(self._rest_of_line())
        elif command in "#:btTv":
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
            raise ParseError(f"unknown sed command {command!r}")

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
            raise ParseError("bad s/// delimiter")
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
    r"|@\s*[A-Za-z_][A-Za-z0-9_]*\s*\("  # gawk's indirect call: f = "system"; @f("cmd")
)
# Files the program opens itself: getline < EXPR (EXPR not one literal), or a changed ARGV.
_AWK_OPENS = re.compile(
    r"\bgetline\b[^;{}\n<]*<(?!\s*\"\"\s*(?:[;){}\n]|$))|\bARGV\s*\[[^\]]*\]\s*=(?!=)"
    r"|\bARGC\s*(?:\+\+|--|[-+*/]?=(?!=))|(?:\+\+|--)\s*ARGC\b|\bdelete\s+ARGV\b"
)


_AWK_LONGS = ("--assign", "--field-separator", "--file", "--exec", "--source", "--include",
              "--load", "--dump-variables", "--profile", "--pretty-print", "--debug")  # fmt: skip


def _h_awk(acc: Acc, name: str, args: list[Word]) -> None:
    program = _awk_options(acc, name, args)
    if program is None:
        acc.flag("unknown", f"{name} has no program the classifier can see")
        return
    _awk_program(acc, name, program)


def _awk_options(acc: Acc, name: str, args: list[Word]) -> Word | None:
    """Flag the options that load code, write files or debug; return the program text."""
    program: Word | None = None
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
        if value.startswith("--"):  # gawk takes any unambiguous prefix: --so is --source
            option = next((o for o in _AWK_LONGS if long_matches(option, o)), option)
        has_value = option in ("-v", "-F", "-f", "-e", "-E", "-i", "-l") or option in (
            "--assign", "--field-separator", "--file", "--exec", "--source", "--include", "--load",
        )  # fmt: skip
        nxt = args[i + 1] if i + 1 < len(args) else None
        i += 2 if has_value and not attached else 1
        if option in ("-f", "-E", "-i", "-l", "--file", "--exec", "--include", "--load"):
            acc.flag("unknown", f"{name} {option} loads program code from a file")
        elif option in ("-d", "-o", "-p", "-D", "--dump-variables", "--profile", "--pretty-print",
                        "--debug"):  # fmt: skip
            acc.flag("unknown", f"{name} {option} writes files or starts a debugger")
        elif option in ("-e", "--source"):
            program = replace(word, value=attached) if attached else nxt
    if program is None and i < len(args):
        program = args[i]
    return program


def _awk_program(acc: Acc, name: str, program: Word) -> None:
    """What the program text itself may do."""
    if program.expands:
        acc.flag("unknown", f"the {name} program comes from an expansion")
        return
    code = _AWK_STRING.sub('""', program.value)
    if _AWK_UNSAFE.search(code):
        acc.flag("unknown", f"the {name} program runs commands or writes files")
    elif _AWK_OPENS.search(code):
        acc.flag("unknown", f"the {name} program opens files it names itself")
    elif "ENVIRON" in program.value:
        acc.flag("sensitive_read", f"the {name} program reads ENVIRON, the environment")
    elif "/inet" in program.value:
        acc.flag("network", f"the {name} program opens a network connection (/inet special file)")
    else:
        acc.flag("read_only", f"{name} only reads and prints")
    for literal in _AWK_STRING.findall(program.value):
        flag_secret_path(acc, literal[1:-1], f"the {name} program names")


def _h_yq(acc: Acc, name: str, args: list[Word]) -> None:
    texts = [word.value for word in args]
    if any(_YQ_LOADS.search(text) for text in texts):
        acc.flag("unknown", "the yq expression loads another file")
    if any(_YQ_ENV.search(text) for text in texts):
        acc.flag("sensitive_read", "the yq expression reads the environment")
    if given(args, "--from-file", "-s", "--split-exp", "-f"):
        acc.flag("unknown", "yq runs an expression from a file, or writes a file per result")
    if given(args, "-i", "--inplace"):
        operands = operands_in(args, "oIpe")
        for target in operands[1:] if len(operands) > 1 else operands:
            acc.write(target, "yq -i rewrites")
    else:
        acc.flag("read_only", "yq only reads")


# The commands this family classifies (the engine merges every family's table).
HANDLERS: dict[str, Handler] = {
    "jq": _h_jq,
    "sed": _h_sed,
    "gsed": _h_sed,
    "awk": _h_awk,
    "gawk": _h_awk,
    "mawk": _h_awk,
    "nawk": _h_awk,
    "less": _h_pager,
    "more": _h_pager,
    "most": _h_pager,
    "yq": _h_yq,
}
