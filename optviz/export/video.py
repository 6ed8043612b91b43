"""Encoders for animations: MP4 (H.264 through PyAV) and GIF (Pillow, one global palette).

Both take frames as (height, width, 4) uint8 arrays in QImage Format_RGB32 byte order
(B, G, R, 255 on little-endian machines) in two stages: ``prepare`` converts one (colour
conversion or palette mapping; any thread, so it can overlap the encoding of the frame
before), ``write`` encodes it. They write to a binary stream (see :mod:`.atomic`) and raise
:class:`~.errors.ExportError` with a one-line message when the encoder fails. OSErrors of
the stream (a full disk) pass through for the caller to word.

MP4: libx264, yuv420p (so width and height must be even), BT.709 colours tagged as such, a
constant frame rate with time base 1/fps (decoders report exactly ``fps``), and a fixed
thread count, so the same frames give the same file on any machine.

GIF: one global palette for all frames: 255 colours made once from a reference frame (the
last one: every path at full length, legend and counter) plus the exact run and text
colours, and index 255 as "transparent". Frames are mapped to it without dithering (flat
colours stay flat, unchanged areas stay unchanged) and stored as the rectangle that changed
since the previous frame, with unchanged pixels in it transparent (long runs of one index
compress to almost nothing). GIF delays
are whole centiseconds: frame i lasts ⌊100(i+1)/fps⌋ − ⌊100i/fps⌋ cs, so the average rate is
exactly ``fps`` (30 fps alternates 30 and 40 ms). Browsers slow down delays under 20 ms,
hence at most 50 fps.

Both formats are reproducible: the same frames give the same bytes in any process (no
timestamps, no encoder state that depends on the machine's cores, no set-order palette).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from fractions import Fraction
from typing import BinaryIO

import numpy as np

from .errors import ExportError

FORMATS = {".mp4": "MP4 video (H.264)", ".gif": "GIF animation"}
MAX_FPS = {".mp4": 120, ".gif": 50}
#: x264 settings: CRF 18 is visually lossless for flat-coloured graphics. On these frames
#: (a still map, thin moving lines) "veryfast" makes files no larger than "medium" in a
#: third of the time. A fixed thread count makes the bitstream reproducible.
CRF = 18
PRESET = "veryfast"
THREADS = 4
_BGRA = "bgra" if sys.byteorder == "little" else "argb"


def check_settings(suffix: str, width: int, height: int, fps: int) -> None:
    """ExportError for settings a format cannot take (odd sizes for H.264, GIF above 50 fps)."""
    suffix = suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"unknown animation format {suffix or '(none)'!r}; use .mp4 or .gif")
    if isinstance(fps, bool) or not isinstance(fps, int) or not 1 <= fps <= MAX_FPS[suffix]:
        raise ExportError(f"frames per second for {suffix} must be a whole number in [1, {MAX_FPS[suffix]}], "
                          f"got {fps!r}")
    if suffix == ".mp4" and (width % 2 or height % 2):
        raise ExportError(f"MP4 (H.264, 4:2:0) needs an even width and height, got {width}×{height}; "
                          f"try {width + width % 2}×{height + height % 2}")


def gif_delays_cs(count: int, fps: int) -> list[int]:
    """Per-frame GIF delays in centiseconds whose running sum stays within 1 cs of i·100/fps."""
    edges = [(100 * i) // fps for i in range(count + 1)]
    return [b - a for a, b in zip(edges, edges[1:])]


class Mp4Writer:
    """H.264 MP4 at exactly ``fps`` frames per second."""

    suffix = ".mp4"

    def __init__(self, stream: BinaryIO, width: int, height: int, fps: int, *, crf: int | None = None,
                 preset: str | None = None) -> None:
        import av

        check_settings(".mp4", width, height, fps)
        crf, preset = CRF if crf is None else crf, PRESET if preset is None else preset
        self.width, self.height, self.frames = width, height, 0
        try:
            self.container = av.open(stream, mode="w", format="mp4", options={"movflags": "+faststart"})
            s = self.container.add_stream("libx264", rate=Fraction(fps))
            s.width, s.height, s.pix_fmt = width, height, "yuv420p"
            cc = s.codec_context
            cc.time_base = Fraction(1, fps)
            cc.thread_count = THREADS
            # BT.709, limited range, tagged: what HD players assume.
            cc.colorspace, cc.color_primaries, cc.color_trc, cc.color_range = 1, 1, 1, 1
            s.options = {"crf": str(crf), "preset": preset}
            self.stream = s
        except OSError:
            raise
        except Exception as err:
            raise ExportError(f"Video encoder failed to start: {err}") from err

    def prepare(self, bgra: np.ndarray):
        """The frame as a BT.709 yuv420p VideoFrame (a copy: ``bgra`` may be freed after)."""
        import av

        try:
            # Zero-copy view of the array; reformat writes a new frame, so nothing refers to it after.
            frame = av.VideoFrame.from_numpy_buffer(np.ascontiguousarray(bgra), format=_BGRA)
            return frame.reformat(format="yuv420p", dst_colorspace=1, dst_color_range=1)
        except Exception as err:
            raise ExportError(f"Video encoder failed to convert a frame: {err}") from err

    def write(self, frame) -> None:
        try:
            frame.pts = self.frames
            for packet in self.stream.encode(frame):
                self.container.mux(packet)
        except OSError:
            raise
        except Exception as err:
            raise ExportError(f"Video encoder failed at frame {self.frames + 1}: {err}") from err
        self.frames += 1

    def close(self) -> None:
        """Flush the encoder and finish the file."""
        try:
            for packet in self.stream.encode(None):
                self.container.mux(packet)
            self.container.close()
        except OSError:
            raise
        except Exception as err:
            raise ExportError(f"Video encoder failed while finishing: {err}") from err

    def abort(self) -> None:
        """Stop without finishing (the caller deletes the file)."""
        try:
            self.container.close()
        except Exception:  # the file is thrown away; a second error changes nothing
            pass


#: Palette index of "unchanged since the last frame"; never a colour of a frame.
TRANSPARENT = 255


def global_palette(reference_rgb: np.ndarray, exact: Sequence[tuple[int, int, int]] = ()) -> list[int]:
    """A 255-colour palette (flat [r, g, b, …]): the ``exact`` colours first, then the most
    representative colours of the reference frame (median cut).

    The exact colours are deduplicated and sorted, so the palette (and the file's bytes)
    depends only on which colours are given, never on the order a caller found them in (a
    set's order changes with the process's hash seed)."""
    from PIL import Image

    exact = sorted({tuple(int(v) for v in c) for c in exact})[:64]
    rest = TRANSPARENT - len(exact)
    quantized = Image.fromarray(reference_rgb, "RGB").quantize(colors=rest, method=Image.Quantize.MEDIANCUT,
                                                                dither=Image.Dither.NONE)
    found = quantized.getpalette()[: 3 * rest]
    flat = [v for c in exact for v in c] + found
    return flat + [0] * (3 * TRANSPARENT - len(flat))


class GifWriter:
    """Animated GIF with one global palette, streamed frame by frame (memory stays flat)."""

    suffix = ".gif"

    def __init__(self, stream: BinaryIO, width: int, height: int, fps: int, palette: Sequence[int],
                 total_frames: int) -> None:
        from PIL import Image

        check_settings(".gif", width, height, fps)
        self.file, self.width, self.height, self.fps = stream, width, height, fps
        self.frames = 0
        self._delays = gif_delays_cs(max(total_frames, 1), fps)
        # Only the 255 colours: quantize never picks the transparent index.
        self._palette_image = Image.new("P", (1, 1))
        self._palette_image.putpalette(list(palette)[: 3 * TRANSPARENT])
        self._previous: np.ndarray | None = None

    def prepare(self, bgra: np.ndarray):
        """The frame mapped to the global palette (a "P" image; ``bgra`` may be freed after)."""
        from PIL import Image

        try:
            rgb = np.ascontiguousarray(bgra[..., 2::-1] if _BGRA == "bgra" else bgra[..., 1:])
            return Image.fromarray(rgb, "RGB").quantize(palette=self._palette_image, dither=Image.Dither.NONE)
        except Exception as err:
            raise ExportError(f"GIF encoder failed to convert a frame: {err}") from err

    def write(self, image) -> None:
        from PIL import GifImagePlugin, Image

        try:
            delay = self._delays[min(self.frames, len(self._delays) - 1)] * 10
            index = np.asarray(image)
            params = {"duration": delay, "disposal": 1}  # 1: keep the frame; the next draws on top
            if self._previous is None:
                header = image.copy()
                header.putpalette(list(self._palette_image.getpalette()) + [255, 255, 255])
                for chunk in GifImagePlugin.getheader(header, None, {"loop": 0, "duration": delay})[0]:
                    self.file.write(chunk)
                part, offset = image, (0, 0)
            else:
                changed = index != self._previous
                rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
                if rows.size == 0:  # nothing moved: one pixel keeps the frame (and its delay)
                    rows, cols = np.array([0]), np.array([0])
                y0, y1, x0, x1 = int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1
                delta = np.where(changed[y0:y1, x0:x1], index[y0:y1, x0:x1], TRANSPARENT).astype(np.uint8)
                part, offset = Image.fromarray(delta, "P"), (x0, y0)
                params["transparency"] = TRANSPARENT
            for chunk in GifImagePlugin.getdata(part, offset, **params):
                self.file.write(chunk)
        except OSError:
            raise
        except Exception as err:
            raise ExportError(f"GIF encoder failed at frame {self.frames + 1}: {err}") from err
        self._previous = index
        self.frames += 1

    def close(self) -> None:
        if self._previous is None:
            raise ExportError("GIF encoder failed: no frames")
        self.file.write(b";")  # GIF trailer

    def abort(self) -> None:
        pass
