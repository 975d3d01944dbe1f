"""`proplens models`: the shipped models, which one is the default, and how good and big each is."""

from __future__ import annotations

import json
import os

import click


@click.command("models")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array.")
def models_cmd(as_json: bool) -> None:
    """List the models shipped in the package (use one with `--model NAME`)."""
    from proplens.shipped import MARGIN, MODEL_ENV, describe

    rows = describe()
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        mark = "*" if r["default"] else " "
        scores = (
            f"dev SI F1 {r['dev_si_f1']:.3f}, TC F1 {r['dev_tc_f1']:.3f}"
            if r["dev_si_f1"] is not None
            else "no dev scores recorded"
        )
        speed = f", {r['articles_per_s']} articles/s" if r["articles_per_s"] else ""
        if r["p50_seconds_per_article"]:
            speed += f" (p50 {r['p50_seconds_per_article']:.2f} s an article)"
        click.echo(
            f"{mark} {r['name']:<9} {r['size_mb']:>6.1f} MB  {r['base_model']}  "
            f"v{r['version']}  {scores}{speed}"
        )
    click.echo(
        f"* the default: `accurate` when it beats `fast` on PTC dev by {MARGIN * 100:.0f} points "
        "of SI or TC F1, else `fast`. `batch` uses `fast` unless given --model."
    )
    override = os.environ.get(MODEL_ENV)
    if override:
        click.echo(f"${MODEL_ENV} is set: commands given no --model use {override}.")


commands = [models_cmd]
