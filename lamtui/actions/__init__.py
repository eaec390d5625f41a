"""Executors: run one approved action and return (or stream) its result. Never print."""
