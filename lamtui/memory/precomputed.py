"""Raw vectors of the shipped demonstrations for the bundled model, so a new store is
seeded without loading a model (embedding 200 requests costs 10-40 s on two cores).
They are used only when the embedder's space and the seed requests are exactly the ones
the file was made for; otherwise the vectors are computed.

Regenerate after changing seeds.toml or the embedding method:
    .venv/bin/python -m lamtui.memory.precomputed
"""

from __future__ import annotations

import hashlib
import sys
from importlib import resources
from pathlib import Path

import numpy as np

from lamtui.memory.embedding import MemoryEmbedding


def vectors_file() -> Path:
    return Path(str(resources.files("lamtui.memory") / "data" / "seed_vectors.npz"))


def key_for(embedding: MemoryEmbedding, texts: list[str]) -> str:
    digest = hashlib.sha256(embedding.space_id.encode())
    for text in texts:
        digest.update(b"\x1f" + text.encode("utf-8"))
    return digest.hexdigest()


def load(
    embedding: MemoryEmbedding, texts: list[str], path: Path | None = None
) -> np.ndarray | None:
    """The shipped raw vectors for these texts, or None when they do not apply."""
    try:
        with np.load(path or vectors_file()) as data:
            if str(data["key"]) != key_for(embedding, texts):
                return None
            raw = np.asarray(data["raw"], dtype=np.float32)
    except (OSError, KeyError, ValueError):
        return None
    return raw if raw.shape[0] == len(texts) else None


def write(embedding: MemoryEmbedding, texts: list[str], path: Path | None = None) -> Path:
    raw = embedding.raw(texts)
    target = path or vectors_file()
    np.savez_compressed(target, raw=raw.astype(np.float32), key=np.array(key_for(embedding, texts)))
    return target


def main() -> int:
    from lamtui.lam.catalog import resolve_model
    from lamtui.memory.embedding import LlamaEmbeddingFunction
    from lamtui.memory.seeds import load_seed_set

    model = resolve_model("gemma3-270m", verify=False).path
    embedding = LlamaEmbeddingFunction(str(model))
    texts = [s.request for s in load_seed_set().seeds]
    print(f"wrote {write(embedding, texts)} ({len(texts)} seeds)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
