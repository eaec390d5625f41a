"""The confirmation gate's deterministic parts: risk, policy, secrets."""
