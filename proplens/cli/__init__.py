"""The `proplens` command line: a thin shell over library functions.

Each command group lives in its own module and exposes `commands`, a list of click commands.
Modules are imported only when their command runs, so `proplens --help` stays fast; the
one-line help shown in the command list is kept here (a test checks it matches each command).
"""

from __future__ import annotations

import importlib
import sys

import click

from proplens import __version__
from proplens.errors import ProplensError

# command name -> (module under proplens.cli, one-line help for `proplens --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "adapt": ("adapt", "Keep pre-training an encoder on unlabelled news (masked LM)."),
    "analyze": (
        "analyze",
        "Mark propaganda techniques in an article, folder, stdin or URL.",
    ),
    "batch": ("batch", "Analyse INPUT files, folders, globs or JSONL into the database."),
    "classify": ("predict", "Give each span row of a SemEval TC template its technique."),
    "corrections": ("corrections", "List readers' corrections; export them as training data."),
    "evaluate": ("evaluate", "Score a model on gold articles: SI, TC and FLC, per technique."),
    "export": ("export", "Export every analysed article in the database."),
    "extract": ("extract", "Show the clean text, offset map and sentences a model sees."),
    "label": ("label", "Write a teacher model's soft labels for unlabelled articles."),
    "models": ("models", "List the shipped models with size, dev scores and speed."),
    "predict": ("predict", "Find technique spans in every article<ID>.txt of a folder."),
    "score": ("score", "Score PRED against GOLD SemEval `.labels` files or folders."),
    "serve": ("serve", "Serve the web page at / and the API under /api."),
    "stats": ("stats", "Compare outlets: technique rates per 1,000 words, trends."),
    "techniques": ("techniques", "List the 14 techniques proplens marks, with definitions."),
    "train": ("train", "Train the span detector and technique classifier."),
}
# Kept for code that iterates the command modules.
COMMAND_MODULES = tuple(dict.fromkeys(module for module, _ in COMMANDS.values()))


class ProplensGroup(click.Group):
    """A click group that loads each command's module on first use and turns `ProplensError`
    into a one-sentence error with exit 1."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.commands:
            return self.commands[name]
        if name not in COMMANDS:
            return None
        module = importlib.import_module(f"proplens.cli.{COMMANDS[name][0]}")
        for command in module.commands:
            self.commands.setdefault(command.name, command)  # type: ignore[arg-type]
        return self.commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in sorted(COMMANDS)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

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


def main() -> None:
    """Console-script entry point."""
    sys.exit(app(standalone_mode=True))
