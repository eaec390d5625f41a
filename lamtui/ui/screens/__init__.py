"""Screens pushed over the main view: the gate, full output, audit log, past tasks."""
