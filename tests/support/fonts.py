"""Fonts written in code for tests, and real names in every script collage bundles a face for."""

from __future__ import annotations

from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.ttGlyphPen import TTGlyphPen

# A real name (or a few words) a script at a time, written as its people write it: the shaping each needs
# is noted. Keys are the bundled face's script name (`NotoSans<Script>`, Arabic and Tibetan as bundled).
NAMES: dict[str, str] = {
    "Devanagari": "प्रिया शर्मा",  # Priya Sharma: conjunct प्र (ra below), ि drawn before its consonant
    "Bengali": "রবীন্দ্রনাথ ঠাকুর",  # Rabindranath Thakur: conjunct ন্দ্র
    "Gurmukhi": "ਗੁਰਪ੍ਰੀਤ ਸਿੰਘ",  # Gurpreet Singh: subjoined ra in ਪ੍ਰ, ਿ before ਸ
    "Gujarati": "સ્મિતા પટેલ",  # Smita Patel: conjunct સ્મ, િ before it
    "Oriya": "ପ୍ରିୟଙ୍କା ମହାନ୍ତି",  # Priyanka Mohanty: ପ୍ର, ଙ୍କ, ନ୍ତି
    "Tamil": "செல்வி கார்த்திகேயன்",  # Selvi Karthikeyan: ெ and ே drawn before their consonants
    "Telugu": "శ్రీనివాస్ రెడ్డి",  # Srinivas Reddy: శ్రీ, డ్డి (subjoined forms)
    "Kannada": "ಲಕ್ಷ್ಮಿ ರಾವ್",  # Lakshmi Rao: ಕ್ಷ್ಮಿ
    "Malayalam": "ലക്ഷ്മി മേനോൻ",  # Lakshmi Menon: ക്ഷ്മി, േ before മ, ോ around ന, chillu ൻ
    "Sinhala": "නිමල් පෙරේරා",  # Nimal Perera: ෙ and ේ before their consonants
    "Thai": "สมชาย ใจดี",  # Somchai Jaidee: vowels above, a leading vowel
    "Lao": "ສົມພອນ ແກ້ວມະນີ",  # Somphone Keomany: marks above, a tone mark
    "Khmer": "ស្រីពៅ ចាន់",  # Sreypov Chan: coeng ro ្រ drawn before ស, ៅ split around ព
    "Myanmar": "မောင်မောင်ကြည်",  # Maung Maung Kyi: ေ before မ, medial ြ around က
    "Ethiopic": "አበበ ቢቂላ",  # Abebe Bikila
    "Hebrew": "דָּוִד כֹּהֵן",  # David Cohen, pointed: right to left, points placed on their letters
    "Armenian": "Արամ Խաչատրյան",  # Aram Khachaturian
    "Georgian": "ნინო ბერიძე",  # Nino Beridze
    "Arabic": "ئابدۇللا قادىر",  # Abdulla Qadir (Uyghur): joined, right to left
    "Tibetan": "བསྟན་འཛིན་རྒྱ་མཚོ",  # Tenzin Gyatso: stacks སྟ, རྒྱ
}
# The scripts whose names do not read right unless shaped: letters reordered, joined or combined.
SHAPED = ("Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam",
          "Sinhala", "Khmer", "Myanmar", "Hebrew", "Arabic", "Tibetan")


def block_font(path: Path, chars: str, weight: int = 400, family: str = "Block", advance: int = 700) -> Path:
    """A TrueType font whose glyph for each of `chars` is a solid box (600 x 700 units of a 1000 em):
    unmistakable in a picture. Only `chars` and the space are mapped; `weight` is its OS/2 weight class,
    `advance` each box's width in units (a wide one is unmistakable in a measurement too)."""
    names = {ord(c): f"uni{ord(c):04X}" for c in chars}
    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "space", *names.values()])
    fb.setupCharacterMap({0x20: "space", **names})
    box = TTGlyphPen(None)
    box.moveTo((50, 0))
    box.lineTo((50, 700))
    box.lineTo((650, 700))
    box.lineTo((650, 0))
    box.closePath()
    solid = box.glyph()
    fb.setupGlyf({".notdef": TTGlyphPen(None).glyph(), "space": TTGlyphPen(None).glyph(),
                  **{n: solid for n in names.values()}})
    fb.setupHorizontalMetrics({".notdef": (700, 0), "space": (300, 0), **{n: (advance, 50) for n in names.values()}})
    fb.setupHorizontalHeader(ascent=900, descent=-250)
    style = "Bold" if weight >= 600 else "Regular"
    fb.setupNameTable({"familyName": family, "styleName": style})
    fb.setupOS2(sTypoAscender=900, sTypoDescender=-250, usWinAscent=900, usWinDescent=250, usWeightClass=weight,
                fsSelection=0x20 if weight >= 600 else 0x40)
    fb.setupPost()
    path.parent.mkdir(parents=True, exist_ok=True)
    fb.save(str(path))
    return path
