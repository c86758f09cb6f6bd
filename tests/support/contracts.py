"""A task body's signature against its registry entry, at run time: the contract is the entry's type
(`TaskRef[[str], EchoResult]`, read from the property's annotation), the body is what the app runs."""

import inspect
from collections.abc import Callable
from typing import Any, get_args, get_type_hints

from celery import Celery

from tasks.registry import TaskRef


def entries(registry: object) -> dict[str, TaskRef[Any, Any]]:
    """Every TaskRef property of a registry, by property name."""
    properties = {name: v for name, v in vars(type(registry)).items() if isinstance(v, property)}
    return {name: ref for name in properties if isinstance(ref := getattr(registry, name), TaskRef)}


def body_mismatches(entry: str, body: Callable[..., Any], params: tuple[Any, ...], result: Any) -> list[str]:
    """How `body` differs from the contract `TaskRef[params, result]` (empty: it matches)."""
    signature, hints = inspect.signature(body), get_type_hints(body)
    positional = [
        p for p in signature.parameters.values() if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    required = [
        p
        for p in signature.parameters.values()
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    problems = (
        []
        if len(required) <= len(params) <= len(positional)
        else [f"{entry}: the contract passes {len(params)} arguments, the body takes {signature}"]
    )
    for parameter, expected in zip(positional, params, strict=False):
        if hints.get(parameter.name) != expected:
            problems.append(
                f"{entry}: {parameter.name} is {hints.get(parameter.name)}, the contract says {expected}"
            )
    if hints.get("return") != result:
        problems.append(f"{entry}: returns {hints.get('return')}, the contract says {result}")
    return problems


def contract_mismatches(registry: object, app: Celery) -> list[str]:
    problems = []
    for entry, ref in entries(registry).items():
        params, result = get_args(get_type_hints(getattr(type(registry), entry).fget)["return"])
        problems += body_mismatches(entry, app.tasks[str(ref.name)].run, params, result)
    return problems
