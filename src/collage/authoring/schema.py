"""The JSON Schema of `collage.yaml`, generated from the manifest's models, for editors that complete
and check YAML as it is typed (yaml-language-server: `# yaml-language-server: $schema=…`).

The schema describes the shapes; `collage check` stays the judge (files, ids, emails, consent).
A committed copy (`schema/collage.schema.json`) is kept equal to this by a test.
"""

from __future__ import annotations

import json
from typing import Any

from collage.manifest import models as m
from collage.model.theme import KEYS as THEME_KEYS

SCHEMA_ID = "collage.schema.json"


def schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    models: dict[str, type[m.Strict]] = {
        "Video": m.VideoIn, "Timing": m.TimingIn, "Track": m.TrackIn, "Music": m.MusicIn, "Message": m.MessageIn,
        "TitleCard": m.TitleIn, "Grid": m.GridIn, "Photo": m.PhotoIn, "Privacy": m.PrivacyIn,
    }
    for name, model in models.items():
        part = model.model_json_schema(ref_template="#/$defs/{model}")
        defs.update(part.pop("$defs", {}))
        part["title"] = name
        defs[name] = part
    track = {"anyOf": [{"type": "string", "description": "a music file in the folder"}, {"$ref": "#/$defs/Track"}]}
    tracks = {"type": "array", "items": track}
    defs["Music"]["properties"]["tracks"] = tracks
    message = defs["Message"]["properties"]
    message["approved"] = {"type": "boolean", "default": False,
                           "description": "only the literal `true` puts the message on screen"}
    message["email"] = {"type": "string", "description": "private: checked, then dropped; never shown or written"}
    message["photo"]["description"] = "the photo, relative to the folder"
    message["consent"]["description"] = ("named (default); anonymous: no name anywhere; masked: no name, and every "
                                         "face found and every `mask` box covered")
    message["mask"] = {"type": "array", "items": {"type": "array", "items": {"type": "number", "minimum": 0,
                                                                            "maximum": 1},
                                                  "minItems": 4, "maxItems": 4},
                       "description": "boxes to cover: [x, y, w, h] as fractions of the photo"}
    message["hide"]["description"] = "caption fields never shown for this person"
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",  # what yaml-language-server reads
        "$id": SCHEMA_ID,
        "title": "collage.yaml",
        "description": "A collage video: title cards, photo messages in grids and full-screen, music.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "title": {"type": "string", "maxLength": 300, "description": "the video's title (metadata, first card)"},
            "video": {"$ref": "#/$defs/Video"},
            "timing": {"$ref": "#/$defs/Timing"},
            "music": {"anyOf": [tracks, {"$ref": "#/$defs/Music"}]},
            "style": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "theme": {"type": "string", "description": "calm, light, or a theme file in the folder"},
                    "caption": {"type": "string", "description": "e.g. \"{name} · {profession} · {location}\""},
                    "translations": {"enum": ["show", "sidecars"], "default": "sidecars",
                                     "description": "show: each message's translation on screen too"},
                    "fonts": {"type": "array", "items": {"type": "string"}, "maxItems": 20,
                              "description": "font files in the folder (.ttf, .otf, .ttc), tried before the "
                                             "bundled ones for every text"},
                    **{key: {} for key in THEME_KEYS if key not in ("theme", "caption")},
                },
            },
            "privacy": {"$ref": "#/$defs/Privacy"},
            "sequence": {"type": "array", "items": {"anyOf": [{"$ref": f"#/$defs/{k}"}
                                                             for k in ("TitleCard", "Grid", "Photo")]}},
            "messages": {"type": "array", "items": {"$ref": "#/$defs/Message"}},
        },
        "$defs": dict(sorted(defs.items())),
    }


def schema_json() -> str:
    return json.dumps(schema(), indent=2, ensure_ascii=False)
