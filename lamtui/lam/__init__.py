"""Model runtime: backends that turn messages (+ a JSON schema) into streamed text."""
