"""The `ptc-2020` taxonomy (`proplens.taxonomy`): labels, definitions and colours.

The 14 labels are spelled exactly as in the PTC / SemEval-2020 Task 11 label files.
Definitions and examples are our own wording. The 23 SemEval-2023 labels map onto them
through `SEMEVAL2023_TO_PTC`.
"""

from __future__ import annotations

from proplens.errors import UnknownTechniqueError
from proplens.taxonomy import Taxonomy, Technique

TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "Loaded_Language",
        "Loaded language",
        "Words or phrases chosen for their emotional charge rather than their meaning, "
        "to make the reader feel something about the subject.",
        "a reckless, bloodthirsty gamble",
        "#e6194b",
    ),
    Technique(
        "Name_Calling,Labeling",
        "Name calling / labeling",
        "Attaching a label to a person or group that the audience fears, hates or admires, "
        "so the label does the arguing instead of evidence.",
        "the mayor and his band of crooks",
        "#f58231",
    ),
    Technique(
        "Repetition",
        "Repetition",
        "Saying the same message again and again so that it sticks and comes to feel true.",
        "Lies, lies and more lies.",
        "#9a6324",
    ),
    Technique(
        "Exaggeration,Minimisation",
        "Exaggeration / minimisation",
        "Making something look far bigger, better or worse than it is, or playing down "
        "something that matters.",
        "the greatest disaster in human history",
        "#bfa000",
    ),
    Technique(
        "Doubt",
        "Doubt",
        "Questioning the credibility of a person, group or claim without giving grounds.",
        "Can we really trust anything the ministry says?",
        "#3cb44b",
    ),
    Technique(
        "Appeal_to_fear-prejudice",
        "Appeal to fear / prejudice",
        "Building support for an idea by stirring up anxiety, panic or prejudice about "
        "what will happen otherwise.",
        "If they win, your children will not be safe on the streets.",
        "#911eb4",
    ),
    Technique(
        "Flag-Waving",
        "Flag-waving",
        "Justifying an idea by appealing to patriotism or to the pride of a group.",
        "Every true patriot will stand with us.",
        "#4363d8",
    ),
    Technique(
        "Causal_Oversimplification",
        "Causal oversimplification",
        "Blaming a complex outcome on a single cause, or on one convenient culprit.",
        "Prices went up because of the new governor.",
        "#42d4f4",
    ),
    Technique(
        "Appeal_to_Authority",
        "Appeal to authority",
        "Presenting a claim as true because an authority or expert said it, without other support.",
        "Top scientists agree, so the debate is over.",
        "#469990",
    ),
    Technique(
        "Slogans",
        "Slogans",
        "A short, punchy phrase that stands in for an argument and is meant to be repeated.",
        "Clean streets, safe homes!",
        "#f032e6",
    ),
    Technique(
        "Black-and-White_Fallacy",
        "Black-and-white fallacy",
        "Presenting two options as the only ones possible when more exist.",
        "Either you back this plan or you want the city to fail.",
        "#000075",
    ),
    Technique(
        "Thought-terminating_Cliches",
        "Thought-terminating cliché",
        "A stock phrase that discourages further thought or discussion.",
        "It is what it is.",
        "#808000",
    ),
    Technique(
        "Whataboutism,Straw_Men,Red_Herring",
        "Whataboutism / straw man / red herring",
        "Dodging a point: accusing the other side of hypocrisy, attacking a distorted "
        "version of their view, or changing the subject.",
        "And what about the scandals of the last government?",
        "#800000",
    ),
    Technique(
        "Bandwagon,Reductio_ad_hitlerum",
        "Bandwagon / reductio ad Hitlerum",
        "Urging people to join because everyone else does, or rejecting an idea because a "
        "hated group is said to hold it.",
        "Millions have already signed; don't be left behind.",
        "#aa6e28",
    ),
)

LABELS: tuple[str, ...] = tuple(t.name for t in TECHNIQUES)
BY_NAME: dict[str, Technique] = {t.name: t for t in TECHNIQUES}
PTC_2020 = Taxonomy("ptc-2020", TECHNIQUES)

# The SemEval-2023 Task 3 (subtask 3) labels and where each lands in the 14 PTC labels.
# None means the label has no PTC counterpart and is dropped.
SEMEVAL2023_TO_PTC: dict[str, str | None] = {
    "Loaded_Language": "Loaded_Language",
    "Name_Calling-Labeling": "Name_Calling,Labeling",
    "Repetition": "Repetition",
    "Exaggeration-Minimisation": "Exaggeration,Minimisation",
    "Doubt": "Doubt",
    "Questioning_the_Reputation": "Doubt",
    "Appeal_to_Fear-Prejudice": "Appeal_to_fear-prejudice",
    "Flag_Waving": "Flag-Waving",
    "Causal_Oversimplification": "Causal_Oversimplification",
    "Consequential_Oversimplification": "Causal_Oversimplification",
    "Appeal_to_Authority": "Appeal_to_Authority",
    "Slogans": "Slogans",
    "False_Dilemma-No_Choice": "Black-and-White_Fallacy",
    "Conversation_Killer": "Thought-terminating_Cliches",
    "Straw_Man": "Whataboutism,Straw_Men,Red_Herring",
    "Red_Herring": "Whataboutism,Straw_Men,Red_Herring",
    "Whataboutism": "Whataboutism,Straw_Men,Red_Herring",
    "Appeal_to_Hypocrisy": "Whataboutism,Straw_Men,Red_Herring",
    "Appeal_to_Popularity": "Bandwagon,Reductio_ad_hitlerum",
    "Guilt_by_Association": "Bandwagon,Reductio_ad_hitlerum",
    "Obfuscation-Vagueness-Confusion": None,
    "Appeal_to_Values": None,
    "Appeal_to_Time": None,
}
SEMEVAL2023_LABELS: tuple[str, ...] = tuple(SEMEVAL2023_TO_PTC)


def get(name: str) -> Technique:
    """Return the technique called `name`.

    Raises:
        UnknownTechniqueError: if `name` is not one of the 14 PTC labels.
    """
    return BY_NAME[check(name)]


def check(name: str) -> str:
    """Return `name` unchanged if it is a PTC label, else raise a clear error."""
    if name not in BY_NAME:
        raise UnknownTechniqueError(
            f"Unknown technique {name!r}. Expected one of: {', '.join(LABELS)}."
        )
    return name


def from_semeval2023(name: str) -> str | None:
    """Map a SemEval-2023 label onto its PTC label (None when the label is dropped).

    Raises:
        UnknownTechniqueError: if `name` is not one of the 23 SemEval-2023 labels.
    """
    if name not in SEMEVAL2023_TO_PTC:
        raise UnknownTechniqueError(
            f"Unknown SemEval-2023 technique {name!r}. "
            f"Expected one of: {', '.join(SEMEVAL2023_LABELS)}."
        )
    return SEMEVAL2023_TO_PTC[name]
