"""The contract floor: the types every layer of lamtui speaks, importing nothing of lamtui.

- `schema.py`: the LAM's output contract (JSON schemas, the Action and Plan models, parsing).
- `result.py`: what an executed action produced (`ActionResult`, `OutputChunk`).
- `cancel.py`: `CancelToken`, set from any thread, checked by backends and executors.
- `risk.py`: the risk classes, the classifier's verdict types and the gate's `Assessment`.
- `modes.py`: the policy modes, defined once, with their help text.

Only the standard library and pydantic are imported here (the layers contract in
pyproject.toml and tests/unit/test_boundaries.py check it).
"""
