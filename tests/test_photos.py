"""Photos as phones and editors send them: every format and mode comes out upright, in sRGB, flattened
onto the slide's background."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from collage.media import photos

pytestmark = pytest.mark.frames

BG = (16, 21, 30)


def _centre(im: Image.Image) -> tuple[int, ...]:
    return tuple(int(v) for v in np.asarray(im.convert("RGB"))[im.height // 2, im.width // 2])


@pytest.mark.parametrize(("name", "make"), [
    ("baseline.jpg", lambda p: Image.new("RGB", (64, 48), (200, 40, 40)).save(p, quality=95)),
    ("progressive.jpg", lambda p: Image.new("RGB", (64, 48), (200, 40, 40)).save(p, quality=95, progressive=True)),
    ("plain.png", lambda p: Image.new("RGB", (64, 48), (200, 40, 40)).save(p)),
    ("photo.webp", lambda p: Image.new("RGB", (64, 48), (200, 40, 40)).save(p, lossless=True)),
    ("photo.tiff", lambda p: Image.new("RGB", (64, 48), (200, 40, 40)).save(p)),
    ("photo.avif", lambda p: Image.new("RGB", (64, 48), (200, 40, 40)).save(p, quality=100)),
])
def test_formats_open_with_their_colours(tmp_path: Path, name: str, make) -> None:
    path = tmp_path / name
    make(path)
    got = _centre(photos.load(path, (64, 48), BG))
    assert np.abs(np.array(got) - (200, 40, 40)).max() <= 8, got


def test_heic_opens(tmp_path: Path) -> None:
    import pillow_heif

    path = tmp_path / "iphone.heic"
    pillow_heif.from_pillow(Image.new("RGB", (64, 48), (40, 160, 60))).save(path, quality=95)
    assert np.abs(np.array(_centre(photos.load(path, (64, 48), BG))) - (40, 160, 60)).max() <= 10


def test_cmyk_grayscale_and_16_bit(tmp_path: Path) -> None:
    Image.new("CMYK", (32, 32), (0, 255, 255, 0)).save(tmp_path / "cmyk.jpg", quality=95)  # red in CMYK
    assert _centre(photos.load(tmp_path / "cmyk.jpg", (32, 32), BG))[0] > 200
    Image.new("L", (32, 32), 128).save(tmp_path / "grey.jpg")
    assert np.abs(np.array(_centre(photos.load(tmp_path / "grey.jpg", (32, 32), BG))) - 128).max() <= 2
    Image.fromarray(np.full((32, 32), 40000, np.uint16)).save(tmp_path / "deep.png")  # 16-bit grey
    assert abs(_centre(photos.load(tmp_path / "deep.png", (32, 32), BG))[0] - 40000 // 256) <= 2


def test_alpha_is_flattened_onto_the_slide_not_black(tmp_path: Path) -> None:
    Image.new("RGBA", (32, 32), (255, 255, 255, 0)).save(tmp_path / "clear.png")
    assert _centre(photos.load(tmp_path / "clear.png", (32, 32), BG)) == BG


def _matrix_profile(rgb_xyz: list[tuple[float, float, float]], gamma: float) -> bytes:
    """A minimal ICC v2 RGB matrix/TRC display profile (the kind phones embed), built byte by byte."""
    def s15(v: float) -> bytes:
        return round(v * 65536).to_bytes(4, "big", signed=True)

    def xyz(v: tuple[float, float, float]) -> bytes:
        return b"XYZ " + bytes(4) + b"".join(s15(c) for c in v)

    curve = b"curv" + bytes(4) + (1).to_bytes(4, "big") + int(gamma * 256).to_bytes(2, "big") + bytes(2)
    text = b"Display P3 (test)"
    desc = b"desc" + bytes(4) + (len(text) + 1).to_bytes(4, "big") + text + bytes(1) + bytes(4 + 4 + 2 + 1 + 67)
    tags = [(b"desc", desc), (b"wtpt", xyz((0.9642, 1.0, 0.8249))), (b"rXYZ", xyz(rgb_xyz[0])),
            (b"gXYZ", xyz(rgb_xyz[1])), (b"bXYZ", xyz(rgb_xyz[2])), (b"rTRC", curve), (b"gTRC", curve),
            (b"bTRC", curve), (b"cprt", b"text" + bytes(4) + b"none" + bytes(1))]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        while (offset + len(data)) % 4:
            data += b"\0"
        table += sig + (offset + len(data)).to_bytes(4, "big") + len(body).to_bytes(4, "big")
        data += body
    size = offset + len(data)
    header = (size.to_bytes(4, "big") + b"lcms" + bytes([2, 0x10, 0, 0]) + b"mntr" + b"RGB " + b"XYZ "
              + bytes(12) + b"acsp" + bytes(24) + (0).to_bytes(4, "big") + s15(0.9642) + s15(1.0) + s15(0.8249))
    header += bytes(128 - len(header))
    return header + len(tags).to_bytes(4, "big") + table + data


def test_display_p3_photo_is_converted_to_srgb(tmp_path: Path) -> None:
    # Display P3 primaries (D50-adapted, as ICC stores them); gamma 2.2 stands in for its sRGB-like curve.
    p3 = _matrix_profile([(0.5151, 0.2412, -0.0011), (0.2920, 0.6922, 0.0419), (0.1571, 0.0666, 0.7841)], 2.2)
    Image.new("RGB", (16, 16), (100, 150, 100)).save(tmp_path / "p3.png", icc_profile=p3)
    got = np.array(_centre(photos.load(tmp_path / "p3.png", (16, 16), BG)))
    # The same green in sRGB is more saturated numbers: shown untagged, a P3 photo looks dull.
    assert np.abs(got - (83, 153, 95)).max() <= 4, got


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_comes_out_upright(tmp_path: Path, orientation: int) -> None:
    upright = Image.new("RGB", (40, 60), (220, 30, 30))  # portrait: red top, blue bottom, green left strip
    upright.paste(Image.new("RGB", (40, 30), (30, 30, 220)), (0, 30))
    upright.paste(Image.new("RGB", (8, 60), (30, 200, 30)), (0, 0))
    # What a camera would store for each orientation tag: the inverse of the transform that shows it.
    inverse = {1: None, 2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180,
               4: Image.Transpose.FLIP_TOP_BOTTOM, 5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_90,
               7: Image.Transpose.TRANSVERSE, 8: Image.Transpose.ROTATE_270}[orientation]
    stored = upright if inverse is None else upright.transpose(inverse)
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored.save(tmp_path / "o.png", exif=exif)
    shown = np.asarray(photos.load(tmp_path / "o.png", (40, 60), BG))
    assert shown.shape[:2] == (60, 40)
    assert shown[10, 25].tolist() == [220, 30, 30] and shown[50, 25].tolist() == [30, 30, 220]
    assert shown[30, 2].tolist() == [30, 200, 30]
    info = photos.probe(tmp_path / "o.png")
    assert (info.width, info.height) == (40, 60)


def test_huge_photo_is_decoded_reduced(tmp_path: Path) -> None:
    Image.new("RGB", (6000, 4000), (90, 90, 200)).save(tmp_path / "big.jpg", quality=80)
    shown = photos.load(tmp_path / "big.jpg", (600, 400), BG)
    assert shown.width < 6000 and shown.width >= 600  # draft mode: a reduced decode, never below the need


def _png_claiming(path: Path, width: int, height: int) -> Path:
    """A real PNG of `width` x `height` black pixels, written row by row: a few hundred kilobytes that
    decode to gigabytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    packer, row = zlib.compressobj(9), bytes(1 + width)  # filter byte, then grey pixels
    body = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
                     + chunk(b"IDAT", body) + chunk(b"IEND", b""))
    return path


@pytest.mark.parametrize(("size", "says"), [((20000, 20000), "more than the 300"),  # 400 MP
                                            ((12000, 10000), "far too little data")])  # 120 MP in ~0.1 MB
def test_decompression_bomb_is_a_clear_error(tmp_path: Path, size: tuple[int, int], says: str) -> None:
    bomb = _png_claiming(tmp_path / "bomb.png", *size)
    for read in (photos.probe, photos.verify):
        with pytest.raises(photos.PhotoError, match=says):
            read(bomb)


def test_a_108_megapixel_phone_photo_is_read_reduced(tmp_path: Path) -> None:
    """A 108 MP phone photo (12000x9000, 5.5 MB) is a photo: probed, verified and drawn from a reduced
    decode, not refused as a bomb."""
    from PIL import ImageDraw

    big = Image.new("RGB", (12000, 9000), (120, 90, 70))
    draw = ImageDraw.Draw(big)
    for x in range(0, 12000, 400):
        draw.line((x, 0, 12000 - x, 9000), fill=(250, 250, 240), width=30)
    big.save(tmp_path / "phone.jpg", quality=90)
    del big, draw
    assert photos.probe(tmp_path / "phone.jpg").width == 12000
    photos.verify(tmp_path / "phone.jpg")
    shown = photos.load(tmp_path / "phone.jpg", (1920, 1080), BG)
    assert shown.height >= 1080 and shown.width < 12000  # enough for the frame, from a 1/8 decode


def test_postscript_named_as_a_photo_is_never_handed_to_ghostscript(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Pillow opens EPS by its content, whatever the name, and draws it by running Ghostscript: a photo
    is opened only as a photo format."""
    import subprocess

    ran: list[object] = []
    for name in ("Popen", "run", "call", "check_call", "check_output"):
        monkeypatch.setattr(subprocess, name, lambda *a, **k: ran.append(a))
    eps = tmp_path / "sign.jpg"
    eps.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n"
                    b"newpath 0 0 moveto 100 100 lineto stroke showpage\n%%EOF\n")
    for read in (photos.probe, photos.verify, lambda p: photos.load(p, (100, 100), BG)):
        with pytest.raises(photos.PhotoError, match="not a photo collage reads"):
            read(eps)
    assert not ran


def test_damaged_file_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.jpg").write_bytes(b"\xff\xd8\xff\xe0 definitely not the rest of a JPEG")
    with pytest.raises(photos.PhotoError):
        photos.load(tmp_path / "bad.jpg", (10, 10), BG)
