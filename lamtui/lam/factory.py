"""Open the backend the settings ask for: a server, a scripted demo, or (default) the
embedded llama.cpp model resolved through the catalog."""

from __future__ import annotations

from pathlib import Path

from lamtui.config import ModelSettings
from lamtui.lam.base import Backend

SCRIPTED_PREFIX = "scripted:"


def open_backend(settings: ModelSettings) -> Backend:
    if settings.base_url:
        from lamtui.lam.openai import OpenAIBackend
        from lamtui.safety.secrets import get_secret

        api_key = get_secret(settings.api_key_secret) if settings.api_key_secret else ""
        return OpenAIBackend(
            settings.base_url,
            settings.remote_model,
            api_key=api_key,
            timeout=settings.request_timeout,
        )
    if settings.name.startswith(SCRIPTED_PREFIX):
        from lamtui.lam.scripted import ScriptedBackend

        return ScriptedBackend.from_file(Path(settings.name[len(SCRIPTED_PREFIX) :]))

    from lamtui.lam.catalog import resolve_model
    from lamtui.lam.llamacpp import LlamaCppBackend

    resolved = resolve_model(settings.name)
    return LlamaCppBackend(
        resolved.path,
        name=resolved.name,
        prompt_style=resolved.prompt_style,
        threads=settings.threads,
        context=settings.context,
        sha256=resolved.entry.sha256 if resolved.entry else "",
        fast_grammar=settings.fast_grammar,
        lora_path=resolved.adapter,
    )
