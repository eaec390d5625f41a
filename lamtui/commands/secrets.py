"""`lamtui secrets set | list | rm NAME`: secrets for actions, as {{secret:NAME}}."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from lamtui.config import load_settings
from lamtui.errors import LamtuiError
from lamtui.safety.secrets import SecretStore


def register(sub: Any) -> None:
    p = sub.add_parser("secrets", help="store secrets that actions use as {{secret:NAME}}")
    ssub = p.add_subparsers(dest="secrets_command", metavar="ACTION", required=True)
    st = ssub.add_parser("set", help="store a secret (asks for the value, or reads stdin)")
    st.add_argument("name")
    st.set_defaults(handler=handle_set)
    ls = ssub.add_parser("list", help="list secret names (never values)")
    ls.set_defaults(handler=handle_list)
    rm = ssub.add_parser("rm", help="delete a secret")
    rm.add_argument("name")
    rm.set_defaults(handler=handle_rm)


def _store() -> SecretStore:
    return SecretStore(load_settings().secrets.backend)


def handle_set(args: argparse.Namespace) -> int:
    store = _store()
    if sys.stdin.isatty():
        value = getpass.getpass(f"value for {args.name}: ")
    else:
        value = sys.stdin.read().rstrip("\n")
    if not value:
        raise LamtuiError("no value given; nothing stored")
    store.set(args.name, value)
    where = "the keyring" if store.backend == "keyring" else "the private secrets file"
    print(f"stored {args.name} in {where}; use it in actions as {{{{secret:{args.name}}}}}")
    return 0


def handle_list(args: argparse.Namespace) -> int:
    names = _store().names()
    print("\n".join(names) if names else "no secrets stored")
    return 0


def handle_rm(args: argparse.Namespace) -> int:
    _store().delete(args.name)
    print(f"deleted {args.name}")
    return 0
