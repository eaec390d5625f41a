"""Teaching the LAM: training data (corpora, grounding, rendering), LoRA training and the
adapter GGUF. Only trainer.py and export.py need the `lamtui[train]` extra, and they
import it lazily, so `lamtui train data` and the retrieval index work without it."""
