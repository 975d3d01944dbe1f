"""`proplens techniques`: list the technique taxonomy."""

from __future__ import annotations

import json

import click

from proplens.techniques import TECHNIQUES


@click.command("techniques")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def techniques_cmd(as_json: bool) -> None:
    """List the 14 techniques proplens marks, with definitions and examples."""
    if as_json:
        click.echo(json.dumps([t.to_json() for t in TECHNIQUES], indent=2, ensure_ascii=False))
        return
    for t in TECHNIQUES:
        click.echo(f'{t.name}\n  {t.definition}\n  e.g. "{t.example}"\n')


commands = [techniques_cmd]
