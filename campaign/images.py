"""The one place an uploaded picture is decoded and written again (organization logo, campaign
photo). Only pixels survive: the output is a new file, so EXIF (GPS position, camera, owner),
XMP, IPTC, comments and embedded thumbnails are gone, whatever the upload carried.

Guards, in order: the byte size of the upload; the canvas its header claims (a few kilobytes
of PNG can claim 400 million pixels: a decompression bomb), checked before any pixel is
decoded, with Pillow's own `DecompressionBombError`/`Warning` as a second net; the format
(only PNG, JPEG, GIF and WebP are opened at all). Callers turn an `ImageProblem` into their
own translated message.
"""
from __future__ import annotations

import io
import logging
import warnings
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError

FORMATS = ("PNG", "JPEG", "GIF", "WEBP")
log = logging.getLogger(__name__)

Reason = Literal["bytes", "pixels", "format"]


class ImageProblem(ValueError):
    """The upload is refused; `reason` says why ("bytes", "pixels" or "format")."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason)
        self.reason: Reason = reason


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    width: int
    height: int
    mimetype: str


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours as the camera meant them, once its ICC profile is dropped (a phone's Display P3
    photo would look dull otherwise). Without LittleCMS, or with a broken profile, as is."""
    profile = image.info.get("icc_profile")
    if not profile or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        from PIL import ImageCms

        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"),
                                              outputMode=image.mode)
    except Exception:  # noqa: BLE001 - any profile trouble: keep the pixels as they are
        return image
    return converted if isinstance(converted, Image.Image) else image


def open_checked(data: bytes, *, max_bytes: int, max_pixels: int,
                 box: tuple[int, int] | None = None) -> Image.Image:
    """The upload decoded (first frame), after the guards; raises ImageProblem. A JPEG is
    decoded straight at a reduced scale when `box` is all that will be kept (a 50-megapixel
    photo then costs a few megabytes of memory, not 150)."""
    if len(data) > max_bytes:
        raise ImageProblem("bytes")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            width, height = image.size
            if width < 1 or height < 1:
                raise ImageProblem("format")
            if width * height > max_pixels:
                raise ImageProblem("pixels")
            if box is not None and image.format == "JPEG":
                image.draft(None, box)
            image.load()
    except ImageProblem:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ImageProblem("pixels") from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError,
            MemoryError) as error:
        raise ImageProblem("format") from error
    return image


def sanitise(data: bytes, *, max_bytes: int, max_pixels: int, box: tuple[int, int],
             output: Literal["PNG", "JPEG"] = "JPEG", quality: int = 85) -> CleanImage:
    """Decode `data`, turn it upright (EXIF orientation), convert to sRGB, shrink it into `box`
    and write a brand-new PNG or JPEG holding only the pixels."""
    image = open_checked(data, max_bytes=max_bytes, max_pixels=max_pixels, box=box)
    try:
        return _rewrite(image, box, output, quality)
    except (OSError, ValueError, MemoryError) as error:  # a mode or file Pillow cannot turn
        raise ImageProblem("format") from error


def _rewrite(image: Image.Image, box: tuple[int, int], output: Literal["PNG", "JPEG"],
             quality: int) -> CleanImage:
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a broken orientation tag: keep it as it was stored
        log.info("image orientation tag unreadable; kept as stored")
    mode = "RGBA" if output == "PNG" else "RGB"
    if image.mode in ("P", "LA", "PA", "1", "L", "I", "I;16", "F", "CMYK", "YCbCr", "LAB",
                      "HSV"):
        image = image.convert("RGBA" if "transparency" in image.info or "A" in image.mode
                              else "RGB")
    image = _to_srgb(image)
    if output == "JPEG" and image.mode == "RGBA":
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        image = flat
    image = image.convert(mode)
    image.thumbnail(box, Image.Resampling.LANCZOS)
    # A new image from the bare pixels: nothing of the upload's info dict can ride along.
    clean = Image.frombytes(mode, image.size, image.tobytes())
    out = io.BytesIO()
    if output == "PNG":
        clean.save(out, format="PNG", optimize=True)
    else:
        clean.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return CleanImage(out.getvalue(), clean.width, clean.height,
                      "image/png" if output == "PNG" else "image/jpeg")


def shrink(data: bytes, box: tuple[int, int], quality: int = 80) -> CleanImage:
    """A smaller JPEG of an image `sanitise` already wrote (for phones: srcset)."""
    with Image.open(io.BytesIO(data), formats=["JPEG"]) as image:
        picture = image.convert("RGB")
    picture.thumbnail(box, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=quality, optimize=True, progressive=True)
    return CleanImage(out.getvalue(), picture.width, picture.height, "image/jpeg")
