"""The default backend: a GGUF model embedded through llama-cpp-python.

One Llama context, used by one thread at a time (a lock serialises callers). The
decode loop is our own so that (1) prompts that extend the previous prompt reuse
the KV cache, (2) grammar-constrained generation checks only the chosen token in
the common case (lam.grammar), and (3) cancellation is checked between tokens.
"""

from __future__ import annotations

import codecs
import ctypes
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from lamtui.contract.cancel import CancelToken
from lamtui.errors import ModelError
from lamtui.lam.base import (
    BackendInfo,
    GenerationRequest,
    GenerationResult,
    GenerationStats,
    Message,
    PromptStyle,
    StreamItem,
    TokenChunk,
)
from lamtui.lam.gguf import read_header
from lamtui.lam.render import render_completion
from lamtui.lam.resources import ResourcePlan, plan_resources


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


class LlamaCppBackend:
    def __init__(
        self,
        model_path: Path,
        *,
        name: str = "",
        prompt_style: PromptStyle | None = None,
        threads: int = 0,
        context: int = 0,
        sha256: str = "",
        fast_grammar: bool = True,
        available_bytes: int | None = None,
        lora_path: Path | None = None,  # a LoRA adapter GGUF applied on the base
    ) -> None:
        header = read_header(model_path)  # clear errors for missing / non-GGUF / truncated
        self.plan: ResourcePlan = plan_resources(
            model_path.stat().st_size,
            header,
            threads=threads,
            context=context,
            available_bytes=available_bytes,
        )
        style: PromptStyle = prompt_style or ("chat" if header.chat_template else "completion")
        started = time.perf_counter()
        self._llm = _load(model_path, self.plan, lora_path)
        self.lora_path = lora_path
        self.load_seconds = time.perf_counter() - started
        import llama_cpp

        self._lib = llama_cpp
        self._vocab = llama_cpp.llama_model_get_vocab(self._llm.model)
        self._n_vocab = int(self._llm.n_vocab())
        self._fast_grammar = fast_grammar
        self._grammars: dict[str, str] = {}
        self._lock = threading.Lock()
        self._piece_buffer = ctypes.create_string_buffer(256)
        self._chat_formatter: Any = None
        if style == "chat":
            self._chat_formatter = self._make_chat_formatter(header.chat_template)
        self.info = BackendInfo(
            kind="llamacpp",
            model=name or model_path.stem,
            prompt_style=style,
            context_size=self.plan.n_ctx,
            model_path=str(model_path),
            sha256=sha256,
        )

    # -- prompts ---------------------------------------------------------------

    def _make_chat_formatter(self, template: str) -> Any:
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        if not template:
            raise ModelError(
                f"{self.info_name()} has no chat template in its GGUF",
                'use prompt_style = "completion" for base models',
            )
        bos = self._piece(self._lib.llama_vocab_bos(self._vocab), special=True)
        eos = self._piece(self._lib.llama_vocab_eos(self._vocab), special=True)
        return Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos)

    def info_name(self) -> str:
        return Path(str(self._llm.model_path)).name

    def render(self, messages: list[Message]) -> str:
        if self._chat_formatter is None:
            return render_completion(messages)
        response = self._chat_formatter(
            messages=[{"role": m.role, "content": m.content} for m in messages]
        )
        return str(response.prompt)

    def tokenize(self, text: str) -> list[int]:
        # Chat templates already contain the BOS text; special=True parses it as a token.
        add_bos = self._chat_formatter is None
        return list(self._llm.tokenize(text.encode("utf-8"), add_bos=add_bos, special=True))

    def _piece(self, token: int, special: bool = False) -> str:
        return self._piece_bytes(token, special).decode("utf-8", errors="replace")

    def _piece_bytes(self, token: int, special: bool = False) -> bytes:
        buf = self._piece_buffer
        n = self._lib.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, special)
        if n < 0:  # a piece longer than the buffer: grow and retry
            buf = ctypes.create_string_buffer(-n)
            n = self._lib.llama_token_to_piece(self._vocab, token, buf, len(buf), 0, special)
        return bytes(buf.raw[:n])

    def _gbnf(self, schema: dict[str, Any]) -> str:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            from lamtui.lam.grammar import schema_to_gbnf

            self._grammars[key] = schema_to_gbnf(schema)
        return self._grammars[key]

    # -- generation --------------------------------------------------------------

    def stream(
        self, request: GenerationRequest, cancel: CancelToken | None = None
    ) -> Iterator[StreamItem]:
        with self._lock:
            yield from self._stream_locked(request, cancel)

    def _stream_locked(
        self, request: GenerationRequest, cancel: CancelToken | None
    ) -> Iterator[StreamItem]:
        from lamtui.lam.grammar import GrammarSampler, pick

        llm, lib = self._llm, self._lib
        tokens = self.tokenize(self.render(request.messages))
        room = self.plan.n_ctx - len(tokens)
        if room < 16:
            raise ModelError(
                f"the prompt ({len(tokens)} tokens) does not fit the context "
                f"({self.plan.n_ctx} tokens)",
                "set a larger model.context, or start a new task",
            )
        max_tokens = min(request.max_tokens, room)
        stats = GenerationStats(prompt_tokens=len(tokens))

        # Reuse the KV cache for the shared prefix; always evaluate at least one token
        # so the logits belong to this prompt.
        cached = llm.input_ids[: llm.n_tokens].tolist()
        reuse = min(_common_prefix(cached, tokens), len(tokens) - 1)
        llm.n_tokens = reuse
        started = time.perf_counter()
        llm.eval(tokens[reuse:])
        stats.prompt_seconds = time.perf_counter() - started
        stats.prompt_tokens_evaluated = len(tokens) - reuse

        sampler = (
            GrammarSampler(
                self._vocab, self._n_vocab, self._gbnf(request.schema), fast=self._fast_grammar
            )
            if request.schema is not None
            else None
        )
        rng = np.random.default_rng(request.seed)
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        text: list[str] = []
        finish = "length"
        started = time.perf_counter()
        try:
            for _ in range(max_tokens):
                if cancel is not None and cancel.cancelled:
                    finish = "cancelled"
                    break
                logits = np.ctypeslib.as_array(
                    lib.llama_get_logits_ith(llm.ctx, -1), shape=(self._n_vocab,)
                )
                if sampler is not None:
                    token = sampler.choose(logits, request.temperature, rng)
                else:
                    token = pick(logits, request.temperature, rng)
                if lib.llama_vocab_is_eog(self._vocab, token):
                    finish = "stop"
                    break
                if sampler is not None:
                    sampler.accept(token)
                piece = decoder.decode(self._piece_bytes(token))
                text.append(piece)
                stats.completion_tokens += 1
                if piece:
                    yield TokenChunk(piece)
                llm.eval([token])
        finally:
            stats.generation_seconds = time.perf_counter() - started
            if sampler is not None:
                stats.grammar_fallbacks = sampler.fallbacks
                sampler.close()
        tail = decoder.decode(b"", final=True)
        if tail:
            text.append(tail)
            yield TokenChunk(tail)
        yield GenerationResult("".join(text), finish, stats)  # type: ignore[arg-type]

    def close(self) -> None:
        llm = getattr(self, "_llm", None)
        if llm is not None:
            llm.close()
            self._llm = None


_log_callback: Any = None


def _silence_llama_logs() -> None:
    """llama.cpp writes load details to stderr, which would garble the terminal UI.
    They are dropped unless LAMTUI_DEBUG=1."""
    global _log_callback
    if _log_callback is not None or os.environ.get("LAMTUI_DEBUG") == "1":
        return
    import llama_cpp

    @llama_cpp.llama_log_callback  # type: ignore[untyped-decorator]
    def _drop(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
        return None

    _log_callback = _drop  # keep a reference: ctypes callbacks must outlive their use
    llama_cpp.llama_log_set(_drop, ctypes.c_void_p(0))


_params_patched = False


def avoid_amx_repacking() -> None:
    """On CPUs with AMX, llama.cpp repacks weights into its AMX buffer type, and decoding
    then segfaults (llama-cpp-python 0.3.36 on a Sapphire Rapids Xeon: the first decode
    crashes, with or without an adapter). Loading without extra buffer types avoids it;
    elsewhere nothing changes. Patched at the source so every loader (chat, embeddings)
    gets the same parameters."""
    global _params_patched
    if _params_patched:
        return
    import llama_cpp
    import llama_cpp.llama_cpp as raw

    _params_patched = True
    has_amx = getattr(raw, "ggml_cpu_has_amx_int8", None)
    try:
        amx = bool(has_amx()) if has_amx is not None else _cpu_flag("amx_int8")
    except (OSError, AttributeError):
        amx = _cpu_flag("amx_int8")
    if not amx or os.environ.get("LAMTUI_LLAMA_REPACK") == "1":
        return
    original = raw.llama_model_default_params

    def without_extra_buffers() -> Any:
        params = original()
        if hasattr(params, "use_extra_bufts"):
            params.use_extra_bufts = False
        return params

    raw.llama_model_default_params = without_extra_buffers
    llama_cpp.llama_model_default_params = without_extra_buffers


def _cpu_flag(flag: str) -> bool:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            return flag in fh.read().split()
    except OSError:
        return False


def _load(model_path: Path, plan: ResourcePlan, lora_path: Path | None = None) -> Any:
    try:
        from llama_cpp import Llama
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ModelError(
            f"llama-cpp-python is not installed or failed to import ({exc})",
            "run the set-up command from README.md",
        ) from None
    _silence_llama_logs()
    avoid_amx_repacking()
    try:
        return Llama(
            model_path=str(model_path),
            n_ctx=plan.n_ctx,
            n_threads=plan.threads,
            n_threads_batch=plan.threads,
            n_batch=512,
            verbose=False,
            lora_path=str(lora_path) if lora_path is not None else None,
        )
    except (ValueError, RuntimeError) as exc:
        raise ModelError(
            f"llama.cpp could not load {model_path.name}: {exc}",
            "the file may be truncated, corrupt or of an unsupported architecture; "
            "run `lamtui models verify NAME` or download it again",
        ) from None
