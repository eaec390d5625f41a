"""Evaluation: run the agent on task suites in sandboxes and measure it the way the LAM
paper and InterCode do (task success, step success, steps, latency, tokens/s, invalid
actions, rejections, timeouts). See runner.py for the per-task procedure."""
