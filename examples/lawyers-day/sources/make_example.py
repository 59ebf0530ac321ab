"""Rebuild the example's photos and music from their public-domain / CC0 sources.

Not part of collage: run it only to regenerate `examples/lawyers-day/`. Needs, beyond collage's own
dependencies: scikit-image (its bundled sample photos are the backgrounds; see SOURCES.md for each
photo's licence) and Debian's fonts-dkg-handwriting (OFL-1.1) for the handwritten signs.

    pip install scikit-image && apt-get install fonts-dkg-handwriting
    python examples/lawyers-day/sources/make_example.py

Every contributor, name and message here is invented for the example.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
import wave
from pathlib import Path

import imageio_ffmpeg
import numpy as np
import skimage
from PIL import Image, ImageDraw, ImageFilter, ImageFont

HERE = Path(__file__).resolve().parent.parent
DATA = Path(skimage.__file__).parent / "data"
ROOT = HERE.parent.parent
HAND = Path("/usr/share/fonts/truetype/fifthhorseman/dkgBd.ttf")
CJK = ROOT / "src" / "collage" / "data" / "fonts" / "NotoSansCJK-Regular.ttc"
INK = (28, 38, 78)
PAPER = (247, 243, 232)
SKIN = [(224, 172, 138), (141, 85, 54), (198, 134, 66), (241, 194, 159), (110, 70, 50)]


def background(name: str, size: tuple[int, int], tint: tuple[int, int, int] | None = None) -> Image.Image:
    """A CC0/PD sample photo, cover-cropped to size (upscaled smoothly: these samples are small)."""
    im = Image.open(DATA / name).convert("RGB")
    if tint:
        grey = im.convert("L")
        im = Image.merge("RGB", [grey.point(lambda v, t=t: int(v * t / 255)) for t in tint])
    w, h = size
    scale = max(w / im.width, h / im.height)
    im = im.resize((math.ceil(im.width * scale), math.ceil(im.height * scale)), Image.Resampling.LANCZOS)
    left, top = (im.width - w) // 2, (im.height - h) // 2
    return im.crop((left, top, left + w, top + h)).filter(ImageFilter.GaussianBlur(0.6))


def sign(text: str, width: int, cjk: bool = False) -> Image.Image:
    """A sheet of paper with a handwritten message, lines centred."""
    height = int(width * 0.68)
    paper = Image.new("RGBA", (width, height), PAPER + (255,))
    d = ImageDraw.Draw(paper)
    for y in range(height):  # a little shading, as paper under daylight
        shade = int(10 * y / height)
        d.line([(0, y), (width, y)], fill=(PAPER[0] - shade, PAPER[1] - shade, PAPER[2] - shade - 2, 255))
    lines = text.split("\n")
    px = int(height / (len(lines) + 1.2))
    font = ImageFont.truetype(str(CJK), int(px * 0.8), index=2) if cjk else ImageFont.truetype(str(HAND), px)
    total = px * 1.05 * len(lines)
    y = (height - total) / 2 + px * 0.5
    for line in lines:
        while font.getlength(line) > width * 0.88:
            font = ImageFont.truetype(font.path, int(font.size * 0.92), index=font.index if cjk else 0) \
                if cjk else ImageFont.truetype(str(HAND), int(font.size * 0.92))
        d.text((width / 2, y), line, font=font, fill=INK + (255,), anchor="mm")
        y += px * 1.05
    return paper


def held_sign(photo: Image.Image, text: str, rel_width: float, centre: tuple[float, float], angle: float,
              skin: tuple[int, int, int], cjk: bool = False) -> Image.Image:
    """Composite a sign held up by two hands, with a soft shadow."""
    w, h = photo.size
    sheet = sign(text, int(w * rel_width), cjk)
    sw, sh = sheet.size
    pad = int(sw * 0.12)
    layer = Image.new("RGBA", (sw + 2 * pad, sh + 2 * pad), (0, 0, 0, 0))
    layer.paste(sheet, (pad, pad))
    d = ImageDraw.Draw(layer)
    for side in (0, 1):  # hands: a palm behind the edge and a thumb over it
        x = pad - int(sw * 0.07) if side == 0 else pad + sw - int(sw * 0.05)
        y = pad + int(sh * 0.42)
        d.rounded_rectangle((x, y, x + int(sw * 0.12), y + int(sh * 0.42)), radius=int(sw * 0.04), fill=skin + (255,))
        tx = pad + int(sw * 0.01) if side == 0 else pad + sw - int(sw * 0.06)
        d.rounded_rectangle((tx, y + int(sh * 0.05), tx + int(sw * 0.05), y + int(sh * 0.2)), radius=int(sw * 0.02),
                            fill=tuple(int(c * 0.93) for c in skin) + (255,))
    layer = layer.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True)
    shadow = Image.new("RGBA", layer.size, (0, 0, 0, 0))
    shadow.putalpha(layer.getchannel("A").point(lambda a: int(a * 0.45)))
    shadow = shadow.filter(ImageFilter.GaussianBlur(sw * 0.02))
    out = photo.convert("RGBA")
    x, y = int(w * centre[0] - layer.width / 2), int(h * centre[1] - layer.height / 2)
    out.alpha_composite(shadow, (x + int(sw * 0.02), y + int(sw * 0.03)))
    out.alpha_composite(layer, (x, y))
    return out.convert("RGB")


def figure(size: tuple[int, int], skin: tuple[int, int, int], shirt: tuple[int, int, int]) -> Image.Image:
    """A flat illustration of a person in front of a window: for the one message with no photo."""
    w, h = size
    im = Image.new("RGB", size)
    d = ImageDraw.Draw(im)
    for y in range(h):
        t = y / h
        d.line([(0, y), (w, y)], fill=(int(120 + 80 * t), int(150 + 60 * t), int(190 + 30 * t)))
    d.rectangle((int(w * 0.08), int(h * 0.08), int(w * 0.42), int(h * 0.55)), fill=(230, 236, 240))
    d.rectangle((int(w * 0.1), int(h * 0.1), int(w * 0.4), int(h * 0.53)), fill=(160, 196, 226))
    d.ellipse((int(w * 0.36), int(h * 0.12), int(w * 0.64), int(h * 0.40)), fill=skin)  # head
    d.chord((int(w * 0.34), int(h * 0.09), int(w * 0.66), int(h * 0.30)), 180, 360, fill=(40, 30, 28))  # hair
    d.rounded_rectangle((int(w * 0.2), int(h * 0.42), int(w * 0.8), int(h * 1.1)), radius=int(w * 0.12), fill=shirt)
    return im


def wav_to_m4a(samples: np.ndarray, rate: int, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "music.wav"
        with wave.open(str(raw), "wb") as wf:
            wf.setnchannels(2)
            wf.setsampwidth(2)
            wf.setframerate(rate)
            wf.writeframes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-i", str(raw), "-c:a", "aac",
                        "-b:a", "160k", "-map_metadata", "-1", "-metadata", "title=Quiet Resolve",
                        "-fflags", "+bitexact", str(target)], check=True)


def music(seconds: float = 52.0, rate: int = 48000) -> np.ndarray:
    """A slow, warm pad progression (Am - F - C - G) with a soft bell line; stereo."""
    t = np.arange(int(seconds * rate)) / rate
    out = np.zeros((t.size, 2))
    chords = [[57, 60, 64], [53, 57, 60], [48, 55, 60, 64], [55, 59, 62]]
    bar = 4.0
    rng = np.random.default_rng(709)  # fixed seed: the example rebuilds identically
    for i in range(int(seconds / bar) + 1):
        notes = chords[i % 4]
        start, end = i * bar, min(seconds, (i + 1) * bar + 1.0)
        idx = (t >= start) & (t < end)
        tt = t[idx] - start
        env = np.minimum(1, tt / 1.2) * np.minimum(1, np.maximum(0, (end - start - tt) / 1.0))
        for k, n in enumerate(notes):
            f = 440 * 2 ** ((n - 69) / 12)
            tone = np.sin(2 * np.pi * f * tt) + 0.3 * np.sin(2 * np.pi * 2 * f * tt + 0.5)
            out[idx, k % 2] += 0.06 * env * tone
            out[idx, 1 - k % 2] += 0.04 * env * tone
        for j in range(4):  # bells on the beat
            n = notes[rng.integers(len(notes))] + 12
            f = 440 * 2 ** ((n - 69) / 12)
            bs = start + j * 1.0
            bidx = (t >= bs) & (t < bs + 2.5)
            bt = t[bidx] - bs
            bell = 0.05 * np.exp(-bt * 2.2) * np.sin(2 * np.pi * f * bt)
            out[bidx, j % 2] += bell
            out[bidx, 1 - j % 2] += 0.6 * bell
    fade = np.minimum(1, np.minimum(t / 2.0, (seconds - t) / 3.0))[:, None]
    out *= fade
    return out / np.max(np.abs(out)) * 0.7


def main() -> None:
    photos = HERE / "photos"
    photos.mkdir(exist_ok=True)
    (HERE / "music").mkdir(exist_ok=True)
    land, port = (1600, 1200), (1200, 1600)

    held_sign(background("rocket.jpg", land), "We stand\nwith you", 0.46, (0.5, 0.56), -3, SKIN[0]).save(
        photos / "alice.jpg", quality=90)
    held_sign(background("coffee.png", land), "正義不是罪\nJustice is\nnot a crime", 0.44, (0.52, 0.5), 2, SKIN[3],
              cjk=True).save(photos / "david.jpg", quality=90, progressive=True)
    held_sign(background("chelsea.png", land), "Free the\nlawyers!", 0.42, (0.62, 0.6), -4, SKIN[2]).save(
        photos / "jose.webp", quality=88)
    # Shot in portrait on a phone: pixels stored sideways, EXIF Orientation 6 says "rotate 90° CW to view".
    upright = held_sign(background("hubble_deep_field.jpg", port), "你们\n并不孤单", 0.7, (0.5, 0.55), 3, SKIN[3],
                        cjk=True)
    exif = Image.Exif()
    exif[0x0112] = 6
    upright.transpose(Image.Transpose.ROTATE_90).save(photos / "wang-fang.jpg", quality=90, exif=exif)
    held_sign(background("brick.png", port, tint=(200, 120, 95)), "709\nwe remember", 0.72, (0.5, 0.6), -2,
              SKIN[1]).save(photos / "abdulla.png")
    held_sign(background("grass.png", land, tint=(120, 190, 90)), "Thank you for\nyour courage", 0.48,
              (0.45, 0.5), 3, SKIN[3]).save(photos / "soren.jpg", quality=90)
    held_sign(background("gravel.png", port, tint=(190, 180, 160)), "Rule of law\nfor all", 0.72, (0.5, 0.5), 2,
              SKIN[4]).save(photos / "amina.jpg", quality=90)
    fatima = held_sign(figure(port, SKIN[2], (120, 40, 60)), "Solidarity\nfrom Berlin", 0.74, (0.5, 0.7), -2,
                       SKIN[2])
    try:
        import pillow_heif

        pillow_heif.from_pillow(fatima).save(photos / "fatima.heic", quality=85)
    except Exception:
        fatima.save(photos / "fatima.jpg", quality=90)
    masked_photo(photos)
    held_sign(background("coffee.png", land).transpose(Image.Transpose.FLIP_LEFT_RIGHT), "(awaiting\nreview)", 0.4,
              (0.5, 0.5), 0, SKIN[0]).save(photos / "pending.jpg", quality=90)

    wav_to_m4a(music(), 48000, HERE / "music" / "quiet-resolve.m4a")


def masked_photo(photos: Path) -> None:
    """The one real face: a contributor who asked not to be seen (`consent: masked`). The file is named
    neutrally, as organisers should name such a file."""
    held_sign(background("astronaut.png", (1200, 1200)), "You are\nnot alone", 0.46, (0.7, 0.74), 3,
              SKIN[0]).save(photos / "c9.jpg", quality=90)


if __name__ == "__main__":
    main()
