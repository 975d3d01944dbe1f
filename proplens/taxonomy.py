"""A taxonomy is data a model carries: its techniques' labels, titles, definitions and colours.

Two are built in: `ptc-2020` (the 14 techniques of the Propaganda Techniques Corpus, SemEval-2020
Task 11; `proplens.techniques`) and `semeval-2023` (the 23 of SemEval-2023 Task 3, each mapped
onto one of the 14 or onto none; `proplens.techniques_2023`). Any other taxonomy is a JSON file
`{"name": ..., "techniques": [{"name", "title", "definition", "example", "colour"}, ...]}`.
A trained model records its taxonomy in full in its config.json, so it describes itself.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from proplens.errors import ModelError, ProplensError, UnknownTechniqueError

DEFAULT_TAXONOMY = "ptc-2020"
TECHNIQUE_KEYS = ("name", "title", "definition", "example", "colour")


@dataclass(frozen=True)
class Technique:
    """One propaganda technique.

    Args:
        name: The label exactly as in the corpus, e.g. "Loaded_Language".
        title: A readable name for people.
        definition: What the technique is, in plain language.
        example: A short phrase we wrote that uses it.
        colour: A CSS hex colour used by the web page and reports.
    """

    name: str
    title: str
    definition: str
    example: str
    colour: str

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Taxonomy:
    """An ordered set of techniques under a name.

    Args:
        name: e.g. "ptc-2020".
        techniques: The techniques, in the order of a model's output units.
        maps_to: For each label, its counterpart in `ptc-2020` (None: no counterpart).
    """

    name: str
    techniques: tuple[Technique, ...]
    maps_to: dict[str, str | None] | None = field(default=None, compare=False)

    @cached_property
    def labels(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.techniques)

    @cached_property
    def by_name(self) -> dict[str, Technique]:
        return {t.name: t for t in self.techniques}

    def __contains__(self, label: object) -> bool:
        return label in self.by_name

    def check(self, label: str) -> str:
        """`label` unchanged when it is one of this taxonomy's, else a clear error."""
        if label not in self.by_name:
            raise UnknownTechniqueError(
                f"Unknown technique {label!r} in the {self.name} taxonomy. "
                f"Expected one of: {', '.join(self.labels)}."
            )
        return label

    def get(self, label: str) -> Technique:
        return self.by_name[self.check(label)]

    def title(self, label: str) -> str:
        """The technique's readable title (the label itself when it is not in the taxonomy)."""
        tech = self.by_name.get(label)
        return tech.title if tech else label

    def to_config(self) -> dict[str, Any]:
        """Everything needed to rebuild the taxonomy (written into a model's config.json)."""
        out: dict[str, Any] = {
            "name": self.name,
            "techniques": [t.to_json() for t in self.techniques],
        }
        if self.maps_to is not None:
            out["maps_to"] = dict(self.maps_to)
        return out

    @classmethod
    def from_config(cls, data: dict[str, Any] | None, where: str = "the model") -> Taxonomy:
        """The taxonomy a model's config describes (None: `ptc-2020`, for models written
        before taxonomies were recorded).

        Raises:
            ModelError: The config names a taxonomy this proplens does not know and does not
                carry its techniques, or a technique lacks a field.
        """
        if data is None:
            return get_taxonomy(DEFAULT_TAXONOMY)
        name = str(data.get("name", ""))
        if "techniques" not in data:
            if name in BUILT_IN:
                return get_taxonomy(name)
            raise ModelError(
                f"{where} uses the taxonomy {name!r}, which this proplens does not know "
                f"(it knows {', '.join(BUILT_IN)}) and whose techniques it does not carry."
            )
        try:
            techniques = tuple(
                Technique(**{k: str(t[k]) for k in TECHNIQUE_KEYS}) for t in data["techniques"]
            )
        except (KeyError, TypeError) as exc:
            raise ModelError(
                f"{where} describes the taxonomy {name!r} with a technique missing {exc}; each "
                f"technique needs {', '.join(TECHNIQUE_KEYS)}."
            ) from None
        if not name or not techniques or len({t.name for t in techniques}) != len(techniques):
            raise ModelError(
                f"{where} describes a taxonomy {name!r} without a name, without techniques or "
                "with a technique listed twice; each needs a name and distinct techniques."
            )
        return cls(name, techniques, data.get("maps_to"))


def _ptc_2020() -> Taxonomy:
    from proplens.techniques import PTC_2020

    return PTC_2020


def _semeval_2023() -> Taxonomy:
    from proplens.techniques_2023 import SEMEVAL_2023

    return SEMEVAL_2023


BUILT_IN = {"ptc-2020": _ptc_2020, "semeval-2023": _semeval_2023}


def get_taxonomy(name: str) -> Taxonomy:
    """A built-in taxonomy by name, or one read from a JSON file path.

    Raises:
        ProplensError: Neither a built-in name nor a readable taxonomy file.
    """
    if name in BUILT_IN:
        return BUILT_IN[name]()
    path = Path(name)
    if path.suffix == ".json" and path.is_file():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ProplensError(f"The taxonomy file {path} could not be read: {exc}.") from None
        if not isinstance(data, dict):
            raise ProplensError(f"The taxonomy file {path} must hold one JSON object.")
        return Taxonomy.from_config(data, where=f"The taxonomy file {path}")
    raise ProplensError(
        f"Unknown taxonomy {name!r}: use {' or '.join(BUILT_IN)}, or a JSON file "
        '{"name": ..., "techniques": [{"name", "title", "definition", "example", "colour"}]}.'
    )
