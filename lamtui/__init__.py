"""lamtui: a terminal task assistant that runs a local model as a Large Action Model."""

__version__ = "0.1.0"
