"""`analyze` has the same limits as the API and `batch`, and its messages name the options."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from proplens.cli import app

FAKE = "tests.fakes:StandInPipeline"


@pytest.mark.parametrize(
    "args,skipped",
    [
        (
            ["--max-chars", "50"],
            "over the limit of 50; split it, or raise the limit with `--max-chars`",
        ),
        (["--max-bytes", "40"], "over the limit of 40 bytes; raise it with `--max-bytes`"),
    ],
)
def test_analyze_skips_articles_over_a_limit_naming_its_option(tmp_path, args, skipped):
    (tmp_path / "short.txt").write_text("The reckless traitors.", encoding="utf-8")
    (tmp_path / "long.txt").write_text("The reckless traitors. " * 10, encoding="utf-8")
    result = CliRunner().invoke(
        app, ["analyze", str(tmp_path), "-f", "json", "--model", FAKE, *args]
    )
    assert result.exit_code == 0, result.output
    assert "Skipped: " in result.output and skipped in result.output
    assert '"title": "short.txt"' in result.output and '"title": "long.txt"' not in result.output


def test_analyze_default_character_limit_is_the_api_default():
    from proplens.api import DEFAULT_MAX_CHARS
    from proplens.cli.analyze import analyze_cmd

    limit = next(p for p in analyze_cmd.params if p.name == "max_chars")
    assert limit.default == DEFAULT_MAX_CHARS == 200_000
