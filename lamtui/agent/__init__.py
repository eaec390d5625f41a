"""The LAM cycle: observe, recall, plan, act, assess, approve, execute, adapt. No UI here."""
