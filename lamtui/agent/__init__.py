"""The LAM cycle: observe, recall, plan, act, assess, approve, execute, adapt. No UI here.

| module | job |
|---|---|
| `loop.py` | the Agent: run, plan, steps, model calls |
| `gate.py` | the gate step: assessment and approver to a decision, edits, "always allow" |
| `execute.py` | an approved action: undo snapshot, sandbox, secrets, dispatch |
| `preview.py` | the diff a file change shows |
| `memory_port.py` | what the agent asks of memory; a failure is one notice |
| `opening.py` | the request check and the task's first messages |
| `task.py` | options, a task's state, the typed step record |
| `sinks.py` | where records go (audit, trajectories, undo, rules), handed in |
| `events.py` | what run() yields: the closed `AgentEvent` union |
| `approval.py` | the Approver protocol and the fixed approvers |
| `outcome.py` | whether a finish is true; rejected re-proposals |
| `plan.py` | the plan tree and its revisions |
| `observe.py` | the workspace snapshot the model sees |
| `prompts.py` | the prompt text |
| `redact_events.py` | every event redacted on its way out |

The agent is built in lamtui/session.py (new_agent), which hands it its sinks.
"""
