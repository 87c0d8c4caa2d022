"""Authoring helpers: option ids, default titles and category paths for new questions.

Every way a question comes in (GIFT, Aiken, a form) builds it through these, so one file
imported twice gets the same ids, and ids never hint at the right answer.
"""

import re
from collections.abc import Sequence
from decimal import Decimal

from courses.assessments.questions.model import ChoiceOption, MatchChoice, MatchItem


def letter_id(index: int) -> str:
    """``0 -> "a"``, ``25 -> "z"``, ``26 -> "aa"``: short ids in spreadsheet-column order."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def assign_choice_ids(texts: Sequence[str]) -> list[str]:
    """Ids for options in the order given: letters by alphabetical rank of the text.

    The id says nothing the participant cannot read off the texts, and importing the same
    file twice gives the same ids.
    """
    ranked = sorted(range(len(texts)), key=lambda i: (texts[i].casefold(), texts[i], i))
    ids = [""] * len(texts)
    for rank, index in enumerate(ranked):
        ids[index] = letter_id(rank)
    return ids


def make_options(specs: Sequence[tuple[str, Decimal, str]]) -> tuple[ChoiceOption, ...]:
    """Options from ``(text, weight, feedback)`` in display order, with ids assigned."""
    ids = assign_choice_ids([text for text, _, _ in specs])
    return tuple(
        ChoiceOption(id=option_id, text=text, weight=weight, feedback=feedback)
        for option_id, (text, weight, feedback) in zip(ids, specs, strict=True)
    )


def make_matching(
    pairs: Sequence[tuple[str, str]], distractors: Sequence[str] = ()
) -> tuple[tuple[MatchItem, ...], tuple[MatchChoice, ...]]:
    """Items and choices from ``(item text, answer text)`` pairs and extra wrong answers.

    Equal answer texts share one choice (as in Moodle). Items are numbered ``"1"``, ``"2"``...
    in order; choices get letters in alphabetical order of their texts, so no id links an
    item to its answer.
    """
    texts: list[str] = []
    for text in [answer for _, answer in pairs] + list(distractors):
        if text not in texts:
            texts.append(text)
    ordered = sorted(texts, key=lambda t: (t.casefold(), t))
    choice_ids = {text: letter_id(rank) for rank, text in enumerate(ordered)}
    items = tuple(
        MatchItem(id=str(number), text=prompt, choice_id=choice_ids[answer])
        for number, (prompt, answer) in enumerate(pairs, start=1)
    )
    choices = tuple(MatchChoice(id=choice_ids[text], text=text) for text in ordered)
    return items, choices


_TAGS = re.compile(r"<[^>]*>")


def default_title(text: str, fallback: str = "Soal") -> str:
    """A title from the question text, as Moodle names an untitled question (80 characters)."""
    plain = " ".join(_TAGS.sub("", text).split())
    if len(plain) > 80:
        cut = plain[:80]
        plain = (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "..."
    return plain or fallback


def parse_category(path: str | Sequence[str]) -> tuple[str, ...]:
    """A category path from ``"A/B"`` (``//`` is a literal slash) or ``["A", "B"]``."""
    if isinstance(path, str):
        parts = [part.replace("\0", "/") for part in path.replace("//", "\0").split("/")]
    else:
        parts = list(path)
    cleaned = (" ".join(part.split()).strip(" /") for part in parts)
    return tuple(part for part in cleaned if part)


def category_path(category: Sequence[str]) -> str:
    """``("A", "B/C")`` -> ``"A/B//C"``: the inverse of ``parse_category`` for a string."""
    return "/".join(part.replace("/", "//") for part in category)
