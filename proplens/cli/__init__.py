"""The `proplens` command line: a thin shell over library functions.

Each command group lives in its own module and exposes `commands`, a list of click commands.
"""

from __future__ import annotations

import importlib
import sys

import click

from proplens import __version__
from proplens.errors import ProplensError

COMMAND_MODULES = (
    "analyze",
    "serve",
    "techniques",
    "score",
    "extract",
    "batch",
    "stats",
    "export",
    "train",
    "evaluate",
    "predict",
)


class ProplensGroup(click.Group):
    """A click group that turns `ProplensError` into a one-sentence error with exit 1."""

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except ProplensError as exc:
            raise click.ClickException(str(exc)) from None
        except FileNotFoundError as exc:
            raise click.ClickException(f"No such file or folder: {exc.filename}.") from None
        except IsADirectoryError as exc:
            raise click.ClickException(
                f"Expected a file but got a folder: {exc.filename}."
            ) from None
        except PermissionError as exc:
            raise click.ClickException(f"Permission denied: {exc.filename}.") from None


@click.group(cls=ProplensGroup)
@click.version_option(__version__, prog_name="proplens")
def app() -> None:
    """Find and explain propaganda techniques in news articles."""


for _name in COMMAND_MODULES:
    for _command in importlib.import_module(f"proplens.cli.{_name}").commands:
        app.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    sys.exit(app(standalone_mode=True))
