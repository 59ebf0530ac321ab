"""The one seam where text becomes speech: `Engine.speak(text, language)` gives mono samples.

    Espeak   eSpeak NG, from the `espeakng-loader` wheel (its library and voice data inside it: nothing is
             downloaded, no system package needed), called in process through ctypes. English, Mandarin
             and about a hundred other languages, so that a name in another script is said in its own.
    Piper    a Piper voice (`NAME.onnx` with `NAME.onnx.json`) the organiser placed in the folder, run by
             the `piper-tts` package (`pip install 'collage[piper]'`) for the voice's own language; runs in
             other languages go to eSpeak.

An engine is given only the words of `speech.script` (which never holds a withheld name or an email:
the manifest loader dropped them before) and a language (BCP 47: en, zh, ar, ug, ...). Its `name`
identifies what it would say for the same words (engine, version, voice), for the cache's keys.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import json
import threading
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

from collage.errors import RenderError

Samples = NDArray[np.float32]  # mono, -1..1


@dataclass(frozen=True)
class Speech:
    samples: Samples
    rate: int  # samples a second

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate


class Engine(Protocol):
    name: str  # what it is (engine, version, voice): the same name says the same words the same way

    def speak(self, text: str, language: str) -> Speech:
        """`text` said in `language` (BCP 47), as mono samples."""
        ...


# eSpeak NG's voice for each language the script asks for (BCP 47 -> eSpeak's name).
_ESPEAK_VOICES = {"en": "en-us", "zh": "cmn", "ja": "ja", "ko": "ko", "ar": "ar", "ug": "ug", "he": "he",
                  "ru": "ru", "el": "el", "hi": "hi", "bn": "bn", "ta": "ta", "th": "th", "ka": "ka", "hy": "hy",
                  "am": "am"}
_RATE_WPM = 160  # words a minute: calmer than eSpeak's 175, as describers speak
_AUDIO_OUTPUT_SYNCHRONOUS, _INITIALIZE_DONT_EXIT, _CHARS_UTF8, _POS_CHARACTER, _RATE = 2, 0x8000, 1, 1, 1
_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


class _EspeakLibrary:
    """libespeak-ng, loaded once a process. It keeps global state (one voice, one callback), so every
    call goes through one lock."""

    def __init__(self) -> None:
        try:
            import espeakng_loader
        except ImportError:
            raise RenderError("the bundled voice (espeakng-loader) is not installed",
                              "reinstall collage: pip install collage") from None
        self.lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self.lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self.lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self.lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self.lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint,
                                          ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        self.rate = int(self.lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0,
                                                   espeakng_loader.get_data_path().encode(), _INITIALIZE_DONT_EXIT))
        if self.rate <= 0:
            raise RenderError("the bundled voice (eSpeak NG) could not start", "reinstall collage")
        self._chunks: list[NDArray[np.int16]] = []

        def collect(wav: Any, count: int, events: Any) -> int:
            if count > 0:
                self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).copy())
            return 0

        self._callback = _CALLBACK(collect)  # kept alive as long as the library may call it
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lock = threading.Lock()
        self.version = metadata.version("espeakng-loader")

    def speak(self, text: str, voice: str) -> Speech:
        data = text.encode("utf-8")
        with self.lock:
            if self.lib.espeak_SetVoiceByName(voice.encode()) != 0:
                raise RenderError(f"the bundled voice has no '{voice}' voice", "describe in en or zh")
            self.lib.espeak_SetParameter(_RATE, _RATE_WPM, 0)
            self._chunks = []
            buffer = ctypes.create_string_buffer(data)
            if self.lib.espeak_Synth(buffer, len(data) + 1, 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None) != 0:
                raise RenderError("the bundled voice (eSpeak NG) could not speak", "run `collage check`")
            self.lib.espeak_Synchronize()
            chunks, self._chunks = self._chunks, []
        samples = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        return Speech((samples.astype(np.float32) / 32768.0), self.rate)


@functools.cache
def _espeak() -> _EspeakLibrary:
    return _EspeakLibrary()


class Espeak:
    """eSpeak NG from its wheel: a formant voice, clear at any speed, in English, Mandarin and the
    languages of the names and signs a manifest may hold."""

    def __init__(self) -> None:
        self.name = f"espeak-ng {_espeak().version} {_RATE_WPM}wpm"

    def speak(self, text: str, language: str) -> Speech:
        return _espeak().speak(text, _ESPEAK_VOICES.get(language, language))


class Piper:
    """A Piper voice the organiser placed in the folder, for its own language; other languages go to
    `fallback`."""

    def __init__(self, model: Path, fallback: Engine) -> None:
        try:
            from piper import PiperVoice  # type: ignore[import-not-found, unused-ignore]
        except ImportError:
            raise RenderError("a Piper voice needs the piper-tts package",
                              "pip install 'collage[piper]', or leave out video.described.voice") from None
        config = Path(str(model) + ".json")
        try:
            settings = json.loads(config.read_text(encoding="utf-8"))
            self._voice = PiperVoice.load(model, config_path=config)
        except (OSError, ValueError, RuntimeError) as exc:
            raise RenderError(f"cannot load the voice model {model.name}: {type(exc).__name__}",
                              "use a Piper voice (.onnx with its .onnx.json)") from None
        code = str((settings.get("language") or {}).get("code") or (settings.get("espeak") or {}).get("voice", ""))
        self.language = code.replace("_", "-").split("-")[0].lower()
        self.language = "zh" if self.language in ("zh", "cmn") else self.language
        self._fallback = fallback
        with model.open("rb") as f:
            digest = hashlib.file_digest(f, "blake2b").hexdigest()[:20]
        self.name = f"piper {_version('piper-tts')} {digest} / {fallback.name}"

    def speak(self, text: str, language: str) -> Speech:
        if language != self.language:
            return self._fallback.speak(text, language)
        chunks = list(self._voice.synthesize(text))
        if not chunks:
            return Speech(np.zeros(0, np.float32), 22050)
        samples = np.concatenate([np.asarray(c.audio_float_array, dtype=np.float32) for c in chunks])
        return Speech(samples, int(chunks[0].sample_rate))


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def engine_for(folder: Path, voice: str | None) -> Engine:
    """The engine a described version speaks with: the folder's Piper voice when it names one, else
    eSpeak NG."""
    fallback = Espeak()
    return Piper(folder / voice, fallback) if voice else fallback
