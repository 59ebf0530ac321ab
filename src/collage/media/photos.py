"""Reading photos as phones and editors send them: upright, in sRGB, decoded no larger than shown.

Source files are opened read-only and never written.
"""

from __future__ import annotations

import functools
import io
import struct
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from collage.errors import Problem

# EXIF orientations 5–8 swap width and height.
_SWAPS = {5, 6, 7, 8}


# The formats a photo may be read as, whatever its name says: Pillow would otherwise open anything it
# knows, PostScript/EPS among them, which it hands to Ghostscript (an external program) to draw.
FORMATS = ("JPEG", "PNG", "WEBP", "HEIF", "AVIF", "TIFF")  # (JPEG includes MPO, as some cameras write)
# Up to 300 MP is a photo (a 200 MP phone, a 250 MP scan); past 64 MP it must also weigh at least a byte
# per 64 pixels, as a real photo does (a 108 MP phone JPEG is 10-30 MB): a few kilobytes that claim a
# gigapixel are a decompression bomb. Pillow's own limit (89 MP, then a warning) is replaced by this.
MAX_PIXELS = 300_000_000
LARGE_PIXELS = 64_000_000
MIN_BYTES_PER_PIXEL = 1 / 64


@functools.cache
def _register_heif() -> None:
    from pillow_heif import register_heif_opener

    register_heif_opener()
    Image.MAX_IMAGE_PIXELS = None  # sized by `_bomb` instead, which knows the file's weight


@dataclass(frozen=True)
class PhotoInfo:
    width: int  # upright, after EXIF orientation
    height: int
    format: str


class PhotoError(Exception):
    """A photo cannot be read; the message says why in words an editor can act on."""


def _open(path: Path) -> Image.Image:
    _register_heif()
    try:
        im = Image.open(path, formats=FORMATS)
    except UnidentifiedImageError:
        raise PhotoError("not a photo collage reads (JPEG, PNG, WebP, HEIC, AVIF or TIFF): is the file damaged "
                         "or misnamed?") from None
    except OSError as exc:
        raise PhotoError(f"cannot read it: {exc.strerror or exc}") from None
    except (SyntaxError, ValueError, TypeError, IndexError, struct.error, EOFError):
        # A damaged header trips a format plugin's parser in ways of its own.
        raise PhotoError("its header is damaged (is the file complete?)") from None
    problem = _bomb(im.size, path)
    if problem:
        im.close()
        raise PhotoError(problem)
    return im


def _bomb(size: tuple[int, int], path: Path) -> str | None:
    pixels = size[0] * size[1]
    if pixels > MAX_PIXELS:
        return (f"{size[0]}x{size[1]} is {pixels / 1e6:.0f} megapixels, more than the {MAX_PIXELS // 1_000_000} "
                "collage reads (a decompression bomb?)")
    if pixels > LARGE_PIXELS:
        try:
            weight = path.stat().st_size
        except OSError:
            return None
        if weight < pixels * MIN_BYTES_PER_PIXEL:
            return (f"{size[0]}x{size[1]} pixels in {weight / 1e6:.1f} MB: far too little data for a photo that "
                    "large (a decompression bomb?)")
    return None


def verify(path: Path) -> None:
    """Decode the whole photo, at a reduced scale where the format allows (JPEG: 1/8), so that a
    truncated or damaged file is found before a render starts, as drawing it would find it. Raises
    PhotoError. Not remembered here: `check.verified_photos` remembers it by file state, across runs."""
    with _open(path) as im:
        if im.format == "JPEG":
            im.draft("RGB", (max(1, im.width // 8), max(1, im.height // 8)))
        try:
            im.load()
            im.getexif()
        except OSError:
            raise PhotoError("the image data is damaged or cut short") from None
        except Exception:  # hostile bytes can fail inside any format plugin; all mean the same here
            raise PhotoError("the image data is damaged") from None


def probe(path: Path) -> PhotoInfo:
    """Size and format from the header, without decoding the pixels. Remembered per file state: the
    plan (for photo shapes) and the checks ask the same question."""
    stat = path.stat()
    return _probe(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _probe(path_str: str, mtime_ns: int, size: int) -> PhotoInfo:
    with _open(Path(path_str)) as im:
        w, h = im.size
        try:
            orientation = im.getexif().get(0x0112, 1)
        except Exception:  # a broken EXIF block is not worth failing over
            orientation = 1
        if orientation in _SWAPS:
            w, h = h, w
        return PhotoInfo(w, h, im.format or "?")


def load(path: Path, fit: tuple[int, int], background: tuple[int, int, int], cover: bool = False) -> Image.Image:
    """The photo as upright sRGB RGB, decoded at no less than needed to show it in a `fit` (w, h) box,
    contained (or, with `cover`, filling it): JPEG draft mode skips most of a 12 MP decode for a cell."""
    with _open(path) as im:
        try:
            orientation = im.getexif().get(0x0112, 1)
        except Exception:
            orientation = 1
        fw, fh = fit
        if orientation in _SWAPS:
            fw, fh = fh, fw
        w, h = im.size
        scale = max(fw / w, fh / h) if cover else min(fw / w, fh / h)
        if im.format == "JPEG" and scale < 1:
            im.draft(im.mode if im.mode in ("RGB", "L", "CMYK") else "RGB",
                     (max(1, int(w * scale)), max(1, int(h * scale))))
        try:
            im.load()
        except OSError:
            raise PhotoError("the image data is damaged or cut short") from None
        icc = im.info.get("icc_profile")
        upright = ImageOps.exif_transpose(im)
        return _to_srgb(upright, icc, background)


@functools.cache
def _srgb() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(im: Image.Image, icc: bytes | None, background: tuple[int, int, int]) -> Image.Image:
    """Convert any mode to RGB in sRGB; alpha is flattened onto the slide's background, not black."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        im = im.point(lambda v: v / 256).convert("L")
    has_alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
    if icc and im.mode in ("RGB", "RGBA", "L", "LA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            alpha = im.getchannel("A") if has_alpha else None
            base = im.convert("RGB" if im.mode != "CMYK" else "CMYK") if im.mode not in ("RGB", "L", "CMYK") else im
            im = ImageCms.profileToProfile(base, source, _srgb(), outputMode="RGB") or base
            if alpha is not None:
                im.putalpha(alpha)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken profile: show the pixels as they are rather than fail
    if has_alpha or im.mode in ("RGBA", "LA", "PA"):
        rgba = im.convert("RGBA")
        flat = Image.new("RGB", rgba.size, background)
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return im.convert("RGB")


def problem(rel: str, message_id: str, manifest: str, line: int | None, exc: Exception,
            field: str = "photo") -> Problem:
    why = f"cannot read it: {exc.strerror}" if isinstance(exc, OSError) and exc.strerror else str(exc)
    return Problem(manifest, f"photo '{rel}' of message '{message_id}': {why}", line=line,
                   field=field, hint="replace the file with a whole copy of the photo")

