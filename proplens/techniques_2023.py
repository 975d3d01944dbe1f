"""The `semeval-2023` taxonomy: the 23 techniques of SemEval-2023 Task 3 (subtask 3).

Labels are spelled as in the SemEval-2023 span files; definitions and examples are our own
wording; each label maps onto its `ptc-2020` counterpart, or onto none
(`proplens.techniques.SEMEVAL2023_TO_PTC`).
"""

from __future__ import annotations

from proplens.taxonomy import Taxonomy, Technique
from proplens.techniques import BY_NAME, SEMEVAL2023_TO_PTC


def _same(label: str, ptc: str) -> Technique:
    t = BY_NAME[ptc]
    return Technique(label, t.title, t.definition, t.example, t.colour)


TECHNIQUES_2023: tuple[Technique, ...] = (
    _same("Loaded_Language", "Loaded_Language"),
    _same("Name_Calling-Labeling", "Name_Calling,Labeling"),
    _same("Repetition", "Repetition"),
    _same("Exaggeration-Minimisation", "Exaggeration,Minimisation"),
    Technique(
        "Doubt",
        "Doubt",
        "Casting doubt on a claim, or on what a person or group says or does, without grounds.",
        "Are we really supposed to believe these figures?",
        "#3cb44b",
    ),
    Technique(
        "Questioning_the_Reputation",
        "Questioning the reputation",
        "Attacking the character or record of a person or group to discredit what they "
        "stand for, rather than their argument.",
        "Coming from a man with his history, that promise is worthless.",
        "#2f8a3a",
    ),
    Technique(
        "Appeal_to_Fear-Prejudice",
        "Appeal to fear / prejudice",
        BY_NAME["Appeal_to_fear-prejudice"].definition,
        BY_NAME["Appeal_to_fear-prejudice"].example,
        "#911eb4",
    ),
    _same("Flag_Waving", "Flag-Waving"),
    _same("Causal_Oversimplification", "Causal_Oversimplification"),
    Technique(
        "Consequential_Oversimplification",
        "Consequential oversimplification (slippery slope)",
        "Claiming that one step will set off a chain of ever worse consequences, without "
        "showing why each would follow.",
        "Allow this and next they will ban every newspaper.",
        "#1aa3c4",
    ),
    _same("Appeal_to_Authority", "Appeal_to_Authority"),
    _same("Slogans", "Slogans"),
    Technique(
        "False_Dilemma-No_Choice",
        "False dilemma / no choice",
        BY_NAME["Black-and-White_Fallacy"].definition,
        BY_NAME["Black-and-White_Fallacy"].example,
        "#000075",
    ),
    Technique(
        "Conversation_Killer",
        "Conversation killer",
        "A stock phrase or dismissal that ends the discussion instead of answering it.",
        "Enough said.",
        "#808000",
    ),
    Technique(
        "Straw_Man",
        "Straw man",
        "Replacing the other side's position with a weaker or distorted one, then attacking that.",
        "So my opponent wants to open every prison door.",
        "#800000",
    ),
    Technique(
        "Red_Herring",
        "Red herring",
        "Drawing attention away from the issue at hand to something irrelevant.",
        "Why talk about the budget when the weather has been so bad?",
        "#a52a2a",
    ),
    Technique(
        "Whataboutism",
        "Whataboutism",
        "Deflecting criticism by pointing at a supposedly similar fault of the critic.",
        "And what about the scandals of the last government?",
        "#c04040",
    ),
    Technique(
        "Appeal_to_Hypocrisy",
        "Appeal to hypocrisy",
        "Dismissing an argument because the person making it is said not to live by it.",
        "He lectures us on thrift while flying first class.",
        "#d46a6a",
    ),
    Technique(
        "Appeal_to_Popularity",
        "Appeal to popularity (bandwagon)",
        "Urging people to agree or join because many others already have.",
        "Millions have already signed; don't be left behind.",
        "#aa6e28",
    ),
    Technique(
        "Guilt_by_Association",
        "Guilt by association",
        "Discrediting an idea or person by linking them to a group or figure the audience "
        "despises.",
        "That is exactly what the dictators of the last century said.",
        "#8a5520",
    ),
    Technique(
        "Obfuscation-Vagueness-Confusion",
        "Obfuscation / vagueness / confusion",
        "Using deliberately unclear words so that the audience may read its own meaning "
        "into them and no claim can be checked.",
        "Certain forces are working to change things in ways we all understand.",
        "#7f7f7f",
    ),
    Technique(
        "Appeal_to_Values",
        "Appeal to values",
        "Tying an idea to values the audience holds dear (freedom, tradition, fairness) "
        "instead of arguing for it.",
        "This is about the freedom our families have always cherished.",
        "#5b8def",
    ),
    Technique(
        "Appeal_to_Time",
        "Appeal to time",
        "Pressing for action because the moment is said to have come, or to be running out.",
        "The time to act is now; tomorrow will be too late.",
        "#e377c2",
    ),
)

SEMEVAL_2023 = Taxonomy("semeval-2023", TECHNIQUES_2023, dict(SEMEVAL2023_TO_PTC))
assert SEMEVAL_2023.labels == tuple(SEMEVAL2023_TO_PTC), "label order must follow the 2023 list"
