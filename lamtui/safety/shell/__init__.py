"""Classify a bash command by what it could do, purely from parsing its text.

`lamtui.safety.risk` is the façade (`classify_command` and `secret_path_reason`); the risk
classes and the result types live in `lamtui.contract.risk`. The package reads top down:

- `engine.py`: a whole command line. Each simple command is unwrapped (sudo, env, nice ...)
  and dispatched to its family's handler; the strictest finding of any part is the verdict.
- `handlers/`: one module per family of commands; each registers its own `HANDLERS`.
- `accumulator.py`: what one simple command may do (`Acc`), what a line carries (`Ctx`).
- `parser.py`: tokens -> simple commands, following compound commands just enough.
- `lexer.py`: text -> words, operators and redirections (`tokens.py` holds their types,
  `expansions.py` what bash decodes or evaluates inside a word).
- `targets.py`: where a write lands. `sensitive.py`: reads of credentials and the environment.
- `options.py`: options and operands. `tables.py`, `tool_tables.py`: what each command can do.

Imports point down: handlers use the modules below them, only the engine imports the handlers,
and only the façade imports the engine. Handlers that run nested text (`bash -c`, `eval`, a
substitution) reach the engine through `Ctx.engine`.
"""
