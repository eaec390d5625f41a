"""Records: the append-only audit log and task trajectories (the dataset)."""
