"""What the described version says: for each title card its text, for each person on screen who they are
(as they consented to be shown) and what their sign says, in the language the manifest chooses. Pure: no
I/O, no engine.

Each thing said has a key, the name of its recording in a narration folder: `title-N` for the N-th title
card of the sequence (from 0), the message's id for a person.

    en   "Alice Chen, Teacher, Taipei, Taiwan. Their sign reads: We stand with you."
         "An engineer from Vancouver, Canada. Their sign reads: You are not alone."   (anonymous, masked)
    zh   "Alice Chen，Teacher，来自Taipei, Taiwan。标语写着：我们与你们站在一起。"
         "一位来自Vancouver, Canada的Engineer。标语写着：你们并不孤单。"

A contributor who is not named has no name here to say: the manifest loader dropped it (and every field
in `hide:`), so the words are made only of what the video shows. Nothing is said about a face (a
masked contributor's is covered; no one's is described). The sign's text is said as written when it is
mostly in the chosen language; otherwise its `translation` is, when that is ("in translation"). A title
card says the parts of its text in the chosen language (a bilingual card is not read twice), or all of
them when none is. `video.described.template` changes how a person is said: its fields are {who} (the
person as above), {name}, {profession}, {location} and {sign}; a missing part goes with the text before
it, as in captions.

The words are then cut into runs by script (`voiced`): each run is spoken by a voice for its language
(a Chinese name in an English sentence is said in Mandarin, an Arabic one in Arabic).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from collage.model.project import Described, Message, Project, SequenceItem, TitleItem

_FIELD = re.compile(r"\{(\w+)\}")
_SEPARATORS = re.compile(r"\s*(?:·|•|—|–|\|)\s*")

_TEMPLATES = {
    ("en", False): "{who}. Their sign reads: {sign}",
    ("en", True): "{who}. Their sign reads, in translation: {sign}",
    ("zh", False): "{who}。标语写着：{sign}",
    ("zh", True): "{who}。标语译文：{sign}",
}
_END = {"en": ".", "zh": "。"}


@dataclass(frozen=True)
class Line:
    key: str  # `title-N` or a message id: what its recording is named
    text: str  # what is said


def title_key(n: int) -> str:
    return f"title-{n}"


def title_keys(sequence: tuple[SequenceItem, ...]) -> dict[int, str]:
    """The key of each title card, by its place in the sequence."""
    titles = [i for i, item in enumerate(sequence) if isinstance(item, TitleItem)]
    return {i: title_key(n) for n, i in enumerate(titles)}


def lines(project: Project, shown: set[str] | None = None) -> list[Line]:
    """Everything the described version says, in sequence order: each title card, then each person
    (every approved message, or those in `shown`), once."""
    described = project.described or Described()
    out: list[Line] = []
    for i, key in title_keys(project.sequence).items():
        item = project.sequence[i]
        assert isinstance(item, TitleItem)
        out.append(Line(key, title_words(item, described.language)))
    out += [Line(m.id, person_words(m, described)) for m in project.messages if shown is None or m.id in shown]
    return [line for line in out if line.text]


def title_words(item: TitleItem, language: str) -> str:
    parts = [p for text in (item.title, item.subtitle, *(item.body or "").splitlines()) if text
             for p in _SEPARATORS.split(text) if _letters(p)]
    chosen = [p for p in parts if _mostly(p, language)] or parts
    return " ".join(_sentence(p.strip(), language) for p in chosen)


def person_words(message: Message, described: Described) -> str:
    language = described.language
    sign, translated = sign_words(message, language)
    fields = {"who": who(message, language), "name": message.name, "profession": message.profession,
              "location": message.location, "sign": sign}
    template = described.template or _TEMPLATES[(language if language in _END else "en", translated)]
    return _sentence(_fill(template, fields), language)


def sign_words(message: Message, language: str) -> tuple[str | None, bool]:
    """What the sign says, as written when that is mostly in `language`, else its translation when that is
    (True: it is the translation); the sign as written when neither is."""
    sign, translation = _text(message.text), _text(message.translation)
    if sign and _mostly(sign, language):
        return sign, False
    if translation and _mostly(translation, language):
        return translation, True
    return (sign, False) if sign else (translation, bool(translation))


def who(message: Message, language: str) -> str:
    """The person as the video shows them: the name when it is shown; otherwise only what they do and
    where they write from."""
    profession, location = _text(message.profession), _text(message.location)
    if language == "zh":
        if message.name:
            return "，".join(x for x in (message.name, profession, f"来自{location}" if location else None) if x)
        return ("一位" + (f"来自{location}的" if location else "") + (profession or ("人士" if location else "参与者")))
    if message.name:
        return ", ".join(x for x in (message.name, profession, location) if x)
    if not profession:
        return f"Someone from {location}" if location else "Someone"
    role = profession[0].lower() + profession[1:] if profession[1:].islower() else profession
    article = "An" if role[:1].lower() in "aeiou" else "A"
    return f"{article} {role}" + (f" from {location}" if location else "")


def voiced(text: str, language: str) -> list[tuple[str, str]]:
    """`text` as runs to speak, each with the language of the voice that can say it (BCP 47): letters of
    another script than the chosen language's are said by a voice of theirs; digits, spaces and
    punctuation go with the run they are in."""
    out: list[tuple[str, str]] = []
    for ch in text:
        own = _voice_of(ch, language)
        if own is None or (out and own == out[-1][1]):
            if out:
                out[-1] = (out[-1][0] + ch, out[-1][1])
            else:
                out.append((ch, own or language))
            continue
        out.append((ch, own))
    # Uyghur is written in Arabic letters with a few of its own: a run that has one of those is Uyghur.
    out = [(t, "ug" if lang == "ar" and _UYGHUR.intersection(t) else lang) for t, lang in out]
    return [(t.strip(), lang) for t, lang in out if _letters(t) or any(c.isdigit() for c in t)]


# Which voice says a letter, by its Unicode script; a script not listed is said by the chosen language.
_SCRIPTS = (("CJK", "zh"), ("IDEOGRAPHIC", "zh"), ("HIRAGANA", "ja"), ("KATAKANA", "ja"), ("HANGUL", "ko"),
            ("ARABIC", "ar"), ("HEBREW", "he"), ("CYRILLIC", "ru"), ("GREEK", "el"), ("DEVANAGARI", "hi"),
            ("BENGALI", "bn"), ("TAMIL", "ta"), ("THAI", "th"), ("GEORGIAN", "ka"), ("ARMENIAN", "hy"),
            ("ETHIOPIC", "am"), ("LATIN", "en"))
_UYGHUR = set("ئۆۇۈېڭھ")  # letters Uyghur writes and Arabic does not


def _voice_of(ch: str, language: str) -> str | None:
    if not ch.isalpha():
        return None
    name = unicodedata.name(ch, "")
    for prefix, lang in _SCRIPTS:
        if name.startswith(prefix):
            return lang
    return language


def _mostly(text: str, language: str) -> bool:
    """At least half of the letters of `text` are in the script of `language`."""
    letters = [c for c in text if c.isalpha()]
    own = sum(_voice_of(c, language) == language for c in letters)
    return bool(letters) and own * 2 >= len(letters)


def _letters(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _text(value: str | None) -> str | None:
    return " ".join(value.split()) if value and value.strip() else None


def _sentence(text: str, language: str) -> str:
    """One sentence: separators read as pauses, closed with a full stop when it has none."""
    text = _SEPARATORS.sub(", " if language != "zh" else "，", " ".join(text.split())).strip(" ,，")
    if not text:
        return ""
    return text if unicodedata.category(text[-1]).startswith("P") and text[-1] not in ",，、" else \
        text.rstrip(",，、") + _END.get(language, ".")


def _fill(template: str, values: dict[str, str | None]) -> str:
    """The template filled in; a missing field goes with the text before it (after it, for the first)."""
    pieces = _FIELD.split(template)
    literals, fields = pieces[0::2], pieces[1::2]
    present = [(i, values.get(f)) for i, f in enumerate(fields) if values.get(f)]
    if not present:
        return ""
    out = literals[0]
    for k, (i, value) in enumerate(present):
        out += (literals[i] if k and i else "") + str(value)
    return out + literals[-1] if present[-1][0] == len(fields) - 1 else out
