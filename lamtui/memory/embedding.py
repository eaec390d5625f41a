"""Offline embeddings computed by llama.cpp, registered with Chroma as an embedding
function (name / get_config / build_from_config), so Chroma never falls back to its
default function (which downloads a model on first use).

Two ways to turn a GGUF into sentence vectors, each in its own llama.cpp context (the
chat context and its KV cache are never touched):

- "hidden" (the default for the chat/bundled model): a plain context whose eval callback
  copies the hidden states of one late layer for every token; evaluation stops right
  there, so the output layer (262k logits per token for Gemma 3) is never computed.
  Mean over the tokens after BOS.
- "pooled" (for a dedicated embedding GGUF): llama.cpp's own embedding mode with mean
  pooling (embedding=True). For a generative model it computes the full output layer
  for every token, which the benchmark measured as several times slower.

Both then standardise each dimension with statistics fitted on a calibration corpus (a
base model's raw hidden states are dominated by a few huge dimensions) and L2-normalise,
so cosine similarity in Chroma is meaningful.
"""

from __future__ import annotations

import ctypes
import itertools
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from lamtui.config import MemorySettings
from lamtui.errors import LamtuiError, ModelError
from lamtui.memory.errors import MemoryUnavailable

NAME = "lamtui-llamacpp"
Method = Literal["hidden", "pooled"]
# Framing the text as a question about its topic makes a base model's hidden state
# summarise the request (measured in benchmarks/bench_memory.py against the bare text).
TEMPLATE = 'A user asked a shell assistant: "{}". In one word, the task is about "'
DEPTH = 0.85  # which layer, as a fraction of the model's depth (15 of Gemma 3 270M's 18)
MAX_TOKENS = 256  # requests are short; longer texts are cut
BATCH_TOKENS = 1024
BATCH_SEQS = 16


def model_identity(path: Path) -> str:
    """Cheap identity of a GGUF file (name and size): a different file means a different
    embedding space. Hashing 250 MB on every start would cost a second."""
    try:
        size = path.stat().st_size
    except OSError:
        size = -1
    return f"{path.name}:{size}"


class _Ggml:
    """The few ggml functions the eval callback needs, from llama-cpp-python's own lib."""

    def __init__(self) -> None:
        import llama_cpp

        lib_dir = Path(llama_cpp.__file__).parent / "lib"
        names = ["libggml-base.so", "libggml-base.dylib", "ggml-base.dll"]
        path = next((lib_dir / n for n in names if (lib_dir / n).exists()), None)
        if path is None:
            raise ModelError("llama-cpp-python's ggml library was not found")
        lib = ctypes.CDLL(str(path))
        lib.ggml_get_name.restype = ctypes.c_char_p
        lib.ggml_get_name.argtypes = [ctypes.c_void_p]
        lib.ggml_nbytes.restype = ctypes.c_size_t
        lib.ggml_nbytes.argtypes = [ctypes.c_void_p]
        lib.ggml_nelements.restype = ctypes.c_int64
        lib.ggml_nelements.argtypes = [ctypes.c_void_p]
        lib.ggml_backend_tensor_get.restype = None
        lib.ggml_backend_tensor_get.argtypes = [
            ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t,
        ]  # fmt: skip
        self.lib = lib


class _Encoder:
    """One llama.cpp model + context that turns texts into raw (unnormalised) vectors."""

    def __init__(self, model_path: Path, method: Method, threads: int) -> None:
        import llama_cpp

        from lamtui.lam.llamacpp import _silence_llama_logs, avoid_amx_repacking

        _silence_llama_logs()
        avoid_amx_repacking()
        self._lib = llama_cpp
        self.method = method
        if method == "hidden":
            self._ggml = _Ggml().lib  # before loading the model: nothing to free if it fails
        mparams = llama_cpp.llama_model_default_params()
        self._model = llama_cpp.llama_model_load_from_file(str(model_path).encode(), mparams)
        if not self._model:
            raise ModelError(f"llama.cpp could not load {model_path.name} for embeddings")
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        self.dim = int(llama_cpp.llama_model_n_embd(self._model))
        self.n_layer = int(llama_cpp.llama_model_n_layer(self._model))
        self.layer = max(0, min(self.n_layer - 2, int(self.n_layer * DEPTH)))
        self._target = f"l_out-{self.layer}".encode()
        self._captured: np.ndarray | None = None
        cparams = llama_cpp.llama_context_default_params()
        cparams.n_ctx = BATCH_TOKENS
        cparams.n_batch = BATCH_TOKENS
        cparams.n_ubatch = BATCH_TOKENS
        cparams.n_seq_max = BATCH_SEQS
        cparams.kv_unified = True  # sequences of any length share the cells
        cparams.n_threads = cparams.n_threads_batch = threads
        if method == "pooled":
            cparams.embeddings = True
            cparams.pooling_type = llama_cpp.LLAMA_POOLING_TYPE_MEAN
        else:
            # Keep a reference: ctypes callbacks must outlive the context using them.
            self._callback = llama_cpp.ggml_backend_sched_eval_callback(self._on_tensor)
            cparams.cb_eval = self._callback
            cparams.cb_eval_user_data = None
        self._ctx = llama_cpp.llama_init_from_model(self._model, cparams)
        if not self._ctx:
            llama_cpp.llama_model_free(self._model)
            raise ModelError(f"llama.cpp could not create an embedding context for {model_path}")
        self._memory = llama_cpp.llama_get_memory(self._ctx)

    def _on_tensor(self, tensor: int, ask: bool, _user: Any) -> bool:
        name = self._ggml.ggml_get_name(tensor)
        if ask:
            return bool(name == self._target)
        if name == self._target:
            buf = np.empty(int(self._ggml.ggml_nelements(tensor)), dtype=np.float32)
            self._ggml.ggml_backend_tensor_get(
                tensor, buf.ctypes.data, 0, self._ggml.ggml_nbytes(tensor)
            )
            self._captured = buf.reshape(-1, self.dim)
            return False  # stop: later layers and the output layer are not needed
        return True

    def tokenize(self, text: str) -> list[int]:
        data = text.encode("utf-8")
        buf = (self._lib.llama_token * (len(data) + 8))()
        n = self._lib.llama_tokenize(self._vocab, data, len(data), buf, len(buf), True, False)
        if n < 0:  # cannot happen with one slot per byte, but never index past the buffer
            raise ModelError("tokenizing a memory text failed")
        tokens = list(buf[:n])
        return tokens[: MAX_TOKENS - 1] + tokens[-1:] if len(tokens) > MAX_TOKENS else tokens

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        pending: list[tuple[int, list[int]]] = []
        used = 0
        for index, text in enumerate(texts):
            tokens = self.tokenize(text)
            if pending and (used + len(tokens) > BATCH_TOKENS or len(pending) >= BATCH_SEQS):
                self._run(pending, out)
                pending, used = [], 0
            pending.append((index, tokens))
            used += len(tokens)
        if pending:
            self._run(pending, out)
        return out

    def _run(self, items: list[tuple[int, list[int]]], out: np.ndarray) -> None:
        lib = self._lib
        total = sum(len(t) for _, t in items)
        batch = lib.llama_batch_init(total, 0, 1)
        try:
            k = 0
            for seq, (_, tokens) in enumerate(items):
                for pos, token in enumerate(tokens):
                    batch.token[k] = token
                    batch.pos[k] = pos
                    batch.n_seq_id[k] = 1
                    batch.seq_id[k][0] = seq
                    # Pooled mode needs every token as an output; hidden mode needs none
                    # but llama.cpp wants at least one.
                    batch.logits[k] = self.method == "pooled" or k == total - 1
                    k += 1
            batch.n_tokens = total
            lib.llama_memory_clear(self._memory, True)
            self._captured = None
            status = lib.llama_decode(self._ctx, batch)
            if status != 0 and self.method == "pooled":
                raise ModelError(f"llama.cpp failed to embed (status {status})")
            if self.method == "pooled":
                for seq, (index, _) in enumerate(items):
                    ptr = lib.llama_get_embeddings_seq(self._ctx, seq)
                    out[index] = np.ctypeslib.as_array(ptr, shape=(self.dim,))
                return
            hidden = self._captured
            if hidden is None or hidden.shape[0] != total:
                raise ModelError(
                    f"this model's layers are not named like llama.cpp's usual graph "
                    f"(no {self._target.decode()}); set memory.embedding_model"
                )
            start = 0
            for index, tokens in items:
                # Skip BOS: its hidden state is a huge constant (an attention sink).
                rows = hidden[start + 1 : start + len(tokens)] if len(tokens) > 1 else None
                out[index] = (rows if rows is not None else hidden[start : start + 1]).mean(0)
                start += len(tokens)
        finally:
            lib.llama_batch_free(batch)

    def close(self) -> None:
        if getattr(self, "_ctx", None):
            self._lib.llama_free(self._ctx)
            self._ctx = None
        if getattr(self, "_model", None):
            self._lib.llama_model_free(self._model)
            self._model = None


class MemoryEmbedding(EmbeddingFunction[Documents]):
    """What the store needs from an embedder, on top of Chroma's protocol: raw vectors,
    a standardisation fitted once per store (kept in the collection's configuration),
    and an identity that says when two stores' vectors are comparable."""

    method = "none"
    template = "{}"

    def __init__(
        self, center: Sequence[float] | None = None, scale: Sequence[float] | None = None
    ) -> None:
        self.center = None if center is None else np.asarray(center, dtype=np.float32)
        self.scale = None if scale is None else np.asarray(scale, dtype=np.float32)
        self.calls = 0  # texts embedded (tests and the benchmark read it)

    # -- Chroma's protocol ----------------------------------------------------------

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]

    def is_legacy(self) -> bool:
        return False

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embed(list(input)))

    def embed_query(self, input: Documents) -> Embeddings:
        return self.__call__(input)

    def _stats(self) -> dict[str, Any]:
        return {
            "center": None if self.center is None else self.center.tolist(),
            "scale": None if self.scale is None else self.scale.tolist(),
        }

    # -- what the store uses ------------------------------------------------------------

    @property
    def identity(self) -> str:
        raise NotImplementedError

    @property
    def space_id(self) -> str:
        """Stores whose space ids differ hold vectors that cannot be compared."""
        return f"{self.name()}|{self.identity}|{self.method}|{self.template}"

    def describe(self) -> str:
        return self.identity

    @property
    def calibrated(self) -> bool:
        return self.center is not None and self.scale is not None

    def mismatch(self, persisted: dict[str, Any] | None) -> str:
        """Why a collection's stored embedding configuration does not fit this embedder
        ("" when it does)."""
        if not persisted:
            return "the store has no embedding configuration"
        name = persisted.get("name")
        config = persisted.get("config") or {}
        if name != self.name():
            return f"the store was embedded with {name or 'an unknown function'}"
        other = config.get("space_id", "")
        if other != self.space_id:
            return f"the store was embedded with {config.get('model', other)!r}"
        return ""

    def adopt(self, persisted: dict[str, Any]) -> None:
        """Take the standardisation the store was built with."""
        config = persisted.get("config") or {}
        if config.get("center") is not None and config.get("scale") is not None:
            self.center = np.asarray(config["center"], dtype=np.float32)
            self.scale = np.asarray(config["scale"], dtype=np.float32)

    def raw(self, texts: Sequence[str]) -> np.ndarray:
        """Pooled vectors before standardisation."""
        raise NotImplementedError

    def reset(self) -> None:
        """Forget the standardisation (a new store fits its own)."""
        self.center = self.scale = None

    def calibrate(self, raw: np.ndarray) -> None:
        """Fit the per-dimension standardisation on a corpus of raw vectors."""
        self.center = raw.mean(axis=0).astype(np.float32)
        self.scale = (raw.std(axis=0) + 1e-6).astype(np.float32)

    def finish(self, raw: np.ndarray) -> np.ndarray:
        vectors = raw
        if self.center is not None and self.scale is not None:
            vectors = (raw - self.center) / self.scale
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.asarray(vectors / np.maximum(norms, 1e-12), dtype=np.float32)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return self.finish(self.raw(texts))

    @property
    def loaded(self) -> bool:
        return True

    def close(self) -> None:
        return None


@register_embedding_function
class LlamaEmbeddingFunction(MemoryEmbedding):
    """Chroma's view of the llama.cpp embedder. The model is loaded on the first call,
    not when Chroma builds the function from a collection's stored configuration."""

    def __init__(
        self,
        model_path: str,
        method: Method = "hidden",
        template: str = TEMPLATE,
        center: Sequence[float] | None = None,
        scale: Sequence[float] | None = None,
        threads: int = 0,
    ) -> None:
        super().__init__(center, scale)
        self.model_path = model_path
        self.method: Method = method
        self.template = template
        self.threads = threads or max(1, min(4, os.cpu_count() or 1))
        self._identity = model_identity(Path(model_path))
        self._encoder: _Encoder | None = None
        self._lock = threading.Lock()

    @staticmethod
    def name() -> str:
        return NAME

    def get_config(self) -> dict[str, Any]:
        return {
            "model_path": self.model_path,
            "model": self._identity,
            "method": self.method,
            "template": self.template,
            "space_id": self.space_id,
            **self._stats(),
        }

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> LlamaEmbeddingFunction:
        return LlamaEmbeddingFunction(
            str(config["model_path"]),
            method=config.get("method", "hidden"),
            template=str(config.get("template", TEMPLATE)),
            center=config.get("center"),
            scale=config.get("scale"),
        )

    @property
    def identity(self) -> str:
        depth = f"@{DEPTH}" if self.method == "hidden" else ""
        return f"{self._identity}{depth}"

    def describe(self) -> str:
        return f"{Path(self.model_path).name} ({self.method})"

    @property
    def loaded(self) -> bool:
        return self._encoder is not None

    def _load(self) -> _Encoder:
        if self._encoder is None:
            path = Path(self.model_path)
            if not path.is_file():
                raise ModelError(f"embedding model not found: {path}")
            self._encoder = _Encoder(path, self.method, self.threads)
        return self._encoder

    def raw(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            encoder = self._load()
            self.calls += len(texts)
            return encoder.encode([self.template.format(t) for t in texts])

    @property
    def dim(self) -> int:
        return self._load().dim

    def close(self) -> None:
        with self._lock:
            if self._encoder is not None:
                self._encoder.close()
                self._encoder = None


@register_embedding_function
class HashingEmbeddingFunction(MemoryEmbedding):
    """A deterministic embedder without a model (hashed words and word pairs). Only for
    tests that exercise the store, not for real use: it knows no synonyms."""

    method = "hashing"

    def __init__(
        self,
        dim: int = 256,
        center: Sequence[float] | None = None,
        scale: Sequence[float] | None = None,
        label: str = "hashing",
    ) -> None:
        super().__init__(center, scale)
        self.dim = dim
        self.label = label

    @staticmethod
    def name() -> str:
        return "lamtui-hashing"

    def get_config(self) -> dict[str, Any]:
        return {"dim": self.dim, "label": self.label, "space_id": self.space_id, **self._stats()}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> HashingEmbeddingFunction:
        return HashingEmbeddingFunction(
            int(config.get("dim", 256)),
            config.get("center"),
            config.get("scale"),
            str(config.get("label", "hashing")),
        )

    @property
    def identity(self) -> str:
        return f"{self.label}:{self.dim}"

    def calibrate(self, raw: np.ndarray) -> None:
        # Hashed counts need no standardisation; dimensions no calibration text uses
        # would otherwise be divided by a zero spread.
        self.center = np.zeros(raw.shape[1], dtype=np.float32)
        self.scale = np.ones(raw.shape[1], dtype=np.float32)

    def raw(self, texts: Sequence[str]) -> np.ndarray:
        import hashlib

        from lamtui.memory.lexical import tokens

        self.calls += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = tokens(text)
            for feature in [*words, *(a + " " + b for a, b in itertools.pairwise(words))]:
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                index = int.from_bytes(digest[:4], "little") % self.dim
                out[row, index] += 1.0 if digest[4] & 1 else -1.0
            out[row, 0] += 0.01  # never an all-zero vector
        return out


def default_embedding_function(
    settings: MemorySettings, model_path: Path | None
) -> LlamaEmbeddingFunction:
    """memory.embedding_model when set (llama.cpp's own mean-pooled embedding mode), else
    the chat model's GGUF, else the bundled model (hidden-state mode, see embedding.py)."""
    from lamtui.lam.catalog import resolve_model

    try:
        if settings.embedding_model:
            path = resolve_model(settings.embedding_model, verify=False).path
            return LlamaEmbeddingFunction(str(path), method="pooled")
        if model_path is None:
            model_path = resolve_model("gemma3-270m", verify=False).path
    except LamtuiError as exc:
        raise MemoryUnavailable(f"no embedding model for memory: {exc.message}", exc.hint) from None
    return LlamaEmbeddingFunction(str(model_path), method="hidden")
