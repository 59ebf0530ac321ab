"""Frames and the music bed in, a web-ready MP4 out.

The encoder is a seam: `FFmpegEncoder` streams raw RGB frames into one ffmpeg process (imageio-ffmpeg's
binary); `MemoryEncoder` keeps frames in memory for tests. moviepy's writer is not used: it forces its
own pixel format and mp3 audio.

The file is written beside the output under a hidden temporary name and moved into place only when
ffmpeg has finished cleanly, so an interrupted or failed render never leaves a partial file at the
output path nor touches an earlier good output.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from collage import ffmpeg
from collage.draw.pixels import Packed, PixelFormat
from collage.errors import EncodeError
from collage.ffmpeg import ffmpeg_exe
from collage.outputs import files, targets


@dataclass(frozen=True)
class EncodeSpec:
    width: int
    height: int
    fps: int
    frames: int
    title: str
    crf: int = 19
    preset: str = "medium"
    audio_bitrate: str = "192k"
    sample_rate: int = 48000
    # ffmpeg's AAC coder: twoloop (its default, best) or fast (a preview's: 3x less CPU, still AAC-LC)
    audio_coder: str = "twoloop"
    pixel_format: PixelFormat = "yuv420p"  # of the frames written to the sink
    chapters: tuple[tuple[int, int, str], ...] = ()  # (start frame, end frame, title)

    @property
    def duration(self) -> float:
        return self.frames / self.fps


class FrameSink(Protocol):
    def write(self, frame: Packed) -> None: ...


class Encoder(Protocol):
    pixel_format: PixelFormat  # what the sink takes; the composer produces it

    def session(self, output: Path, spec: EncodeSpec,
                audio: Path | None) -> contextlib.AbstractContextManager[FrameSink]:
        """Open an encode; frames written to the sink become `output` when the block exits cleanly."""
        ...


def aac_args(spec: EncodeSpec) -> list[str]:
    """The audio's encoding, the same wherever a track is made: AAC-LC stereo at the spec's rate."""
    return ["-c:a", "aac", "-aac_coder", spec.audio_coder, "-b:a", spec.audio_bitrate, "-ar", str(spec.sample_rate),
            "-ac", "2"]


def chapters_file(spec: EncodeSpec, path: Path) -> Path:
    """The chapters as an ffmetadata file (ffmpeg's own format; = ; # \\ and newlines escaped)."""
    lines = [";FFMETADATA1"]
    for start, end, title in spec.chapters:
        escaped = re.sub(r"([=;#\\\n])", r"\\\1", title)
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(start * 1000 / spec.fps)}",
                  f"END={round(end * 1000 / spec.fps)}", f"title={escaped}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def gop_frames(fps: int) -> int:
    return fps * 2  # a keyframe every 2 s: quick seeking in browsers


def _video_args(spec: EncodeSpec) -> list[str]:
    """The picture's encoding, the same for a whole video and for each segment of it (so that segments
    join without re-encoding): colour conversion and tags, H.264 High at the spec's quality, closed GOPs."""
    gop = gop_frames(spec.fps)
    params = "open-gop=0"
    if spec.preset == "ultrafast":
        # ultrafast also turns off the 8x8 transform, which leaves a Constrained Baseline stream; with it
        # back (a few % of the encoder's time) the stream is High profile, as every output must be.
        params += ":8x8dct=1"
    return [
        # setparams tags the frames themselves: since ffmpeg 7 the encoder takes colour properties from the
        # frames, and raw input carries none. YUV input is already BT.709 limited range (pixels.pack); RGB
        # input is converted here with the matrix the tags claim.
        "format=yuv420p,setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709",
        "-c:v", "libx264", "-preset", spec.preset, "-crf", str(spec.crf), "-profile:v", "high",
        "-pix_fmt", "yuv420p", "-g", str(gop), "-keyint_min", str(min(gop, spec.fps)), "-x264-params", params,
        "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv",
        "-fflags", "+bitexact", "-flags:v", "+bitexact",
        # A timescale of whole ticks per frame: MP4 durations are then exact, and the concat demuxer
        # places each segment on the frame where the previous one ended.
        "-video_track_timescale", str(spec.fps * 1000), "-movie_timescale", str(spec.fps * 1000),
    ]


def _raw_input(spec: EncodeSpec) -> list[str]:
    return ["-f", "rawvideo", "-pix_fmt", spec.pixel_format, "-s", f"{spec.width}x{spec.height}",
            "-framerate", str(spec.fps), "-i", "pipe:0"]


def _convert(spec: EncodeSpec) -> str:
    return ("" if spec.pixel_format == "yuv420p" else
            "scale=out_color_matrix=bt709:out_range=tv:flags=bicubic+accurate_rnd+full_chroma_int,")


def ffmpeg_command(spec: EncodeSpec, audio: Path | None, target: Path, chapters: Path | None = None) -> list[str]:
    """One pass: raw frames on stdin and the bed in, the finished MP4 out."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *_raw_input(spec)]
    if audio is not None:
        cmd += ["-i", str(audio)]
    else:
        cmd += ["-f", "lavfi", "-t", f"{spec.duration:.6f}", "-i",
                f"anullsrc=channel_layout=stereo:sample_rate={spec.sample_rate}"]
    if chapters is not None:
        cmd += ["-f", "ffmetadata", "-i", str(chapters)]
    video = _video_args(spec)
    cmd += [
        "-map", "0:v:0", "-map", "1:a:0", *_metadata_args(spec, chapters),
        "-vf", _convert(spec) + video[0], *video[1:],
        *aac_args(spec), "-flags:a", "+bitexact",
        # Trim audio to the picture; never -shortest with a pipe (ffmpeg buffers gigabytes).
        "-t", f"{spec.duration:.6f}", "-movflags", "+faststart", "-f", "mp4", str(target),
    ]
    return cmd


def _metadata_args(spec: EncodeSpec, chapters: Path | None) -> list[str]:
    # Metadata comes only from the chapters file (no tags of the inputs), chapters with their titles.
    chosen = (["-map_chapters", "2", "-map_metadata", "2"] if chapters is not None
              else ["-map_chapters", "-1", "-map_metadata", "-1"])
    # The comment marks the file as collage's: a later render may replace it (`outputs.targets`).
    return [*chosen, "-metadata", f"title={spec.title}", "-metadata", f"comment={targets.MARK}"]


MOVING_THREADS = 2


def segment_command(spec: EncodeSpec, target: Path, hold: bool) -> list[str]:
    """One segment, video only, `spec.frames` long. A hold reads its one frame from stdin and repeats it
    inside ffmpeg (`loop` passes the same frame on; nothing is copied per frame)."""
    video = _video_args(spec)
    repeat = f"loop=loop={spec.frames - 1}:size=1:start=0," if hold else ""
    # A fixed number of encoder threads per kind of segment, never one that depends on the machine or
    # on --jobs, so the bitstream is the same everywhere. Still holds: one thread (segments run in
    # parallel instead, which costs less CPU than x264's frame threads). Transitions, where every
    # pixel changes and a frame costs several times as much: two, so that a re-render that encodes
    # little does not wait on one core.
    threads = "1" if hold else str(MOVING_THREADS)
    return [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *_raw_input(spec),
            "-vf", _convert(spec) + repeat + video[0], *video[1:], "-threads", threads, "-frames:v", str(spec.frames),
            "-an", "-map_metadata", "-1", "-f", "mp4", str(target)]


def silence_command(spec: EncodeSpec, target: Path) -> list[str]:
    """A silent AAC track the video's length: a video without music still has the audio players expect."""
    source = ["-f", "lavfi", "-i", f"anullsrc=channel_layout=stereo:sample_rate={spec.sample_rate}"]
    return [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *source, "-t", f"{spec.duration:.6f}",
            *aac_args(spec), "-fflags", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1", "-f", "mp4",
            str(target)]


def join_command(spec: EncodeSpec, segments_list: Path, audio: Path, target: Path,
                 chapters: Path | None = None) -> list[str]:
    """Encoded segments (a concat list) and the encoded bed muxed into the finished MP4, nothing re-encoded."""
    cmd = [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
           "-f", "concat", "-safe", "0", "-i", str(segments_list), "-i", str(audio)]
    if chapters is not None:
        cmd += ["-f", "ffmetadata", "-i", str(chapters)]
    return [*cmd, "-map", "0:v:0", "-map", "1:a:0", *_metadata_args(spec, chapters), "-c", "copy",
            "-fflags", "+bitexact", "-movie_timescale", str(spec.fps * 1000),
            "-movflags", "+faststart", "-f", "mp4", str(target)]


def concat_command(spec: EncodeSpec, segments_list: Path, target: Path) -> list[str]:
    """Consecutive encoded segments joined into one video-only MP4, copied, with the same timescale."""
    return [ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-f", "concat", "-safe", "0", "-i", str(segments_list), "-map", "0:v:0", "-c", "copy",
            "-map_metadata", "-1", "-fflags", "+bitexact", "-video_track_timescale", str(spec.fps * 1000),
            "-movie_timescale", str(spec.fps * 1000), "-f", "mp4", str(target)]


def concat_list(paths: list[Path], target: Path) -> Path:
    """An ffconcat file naming `paths` in order. Single-quoted: only a quote itself needs escaping."""
    def quoted(p: Path) -> str:
        return "'" + str(p.absolute()).replace("'", "'\\''") + "'"

    target.write_text("ffconcat version 1.0\n" + "".join(f"file {quoted(p)}\n" for p in paths), encoding="utf-8")
    return target


class _FFmpegSink:
    def __init__(self, proc: subprocess.Popen[bytes], stderr_file: Path) -> None:
        self.proc, self.stderr_file = proc, stderr_file

    def write(self, frame: Packed) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(np.ascontiguousarray(frame).data)  # the buffer itself, no copy
        except BrokenPipeError:
            self.proc.wait()
            raise EncodeError(*_translate(self.stderr_file.read_text(errors="replace"))) from None


@contextlib.contextmanager
def ffmpeg_pipe(command: Callable[[Path], list[str]], output: Path) -> Iterator[FrameSink]:
    """Run `command(partial path)` with frames written to its stdin; when the block exits cleanly and
    ffmpeg succeeds, the partial file becomes `output` (`outputs.files.aside`). On any failure or
    interrupt ffmpeg is killed and the partial file removed."""
    with files.aside(output) as target, tempfile.TemporaryDirectory(prefix="collage-ffmpeg-") as tmp:
        stderr_file = Path(tmp) / "stderr.txt"
        with stderr_file.open("wb") as err:
            proc = ffmpeg.start(command(target), stdin=True, stderr=err)
        try:
            yield _FFmpegSink(proc, stderr_file)
            assert proc.stdin is not None
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()
            if proc.wait() != 0:
                raise EncodeError(*_translate(stderr_file.read_text(errors="replace")))
        finally:
            ffmpeg.stop(proc)


def run_ffmpeg(command: Callable[[Path], list[str]], output: Path) -> Path:
    """Run a command that reads files (no pipe) the same way: written aside, moved into place on success."""
    with ffmpeg_pipe(command, output):
        pass
    return output


class FFmpegEncoder:
    """The whole video in one ffmpeg process (the reference the segmented render is compared with)."""

    pixel_format: PixelFormat = "yuv420p"

    def __init__(self, exe: str | None = None) -> None:
        self._exe = exe

    @contextlib.contextmanager
    def session(self, output: Path, spec: EncodeSpec, audio: Path | None) -> Iterator[FrameSink]:
        with tempfile.TemporaryDirectory(prefix="collage-ffmpeg-") as tmp:
            chapters = chapters_file(spec, Path(tmp) / "chapters.txt") if spec.chapters else None

            def command(target: Path) -> list[str]:
                cmd = ffmpeg_command(spec, audio, target, chapters)
                if self._exe:
                    cmd[0] = self._exe
                return cmd

            with ffmpeg_pipe(command, output) as sink:
                yield sink


def _translate(stderr: str) -> tuple[str, str]:
    """ffmpeg's stderr as one line and a hint, not a dump."""
    low = stderr.lower()
    if "no space left" in low:
        return "ffmpeg ran out of disk space", "free some space where the output goes"
    if "permission denied" in low:
        return "ffmpeg may not write the output", "check the output folder's permissions"
    if "invalid data found" in low or "could not find codec" in low:
        return "ffmpeg could not read the music bed", "check the music files with `collage check`"
    last = next((ln.strip() for ln in reversed(stderr.splitlines()) if ln.strip()), "no message")
    return f"ffmpeg failed: {last[:200]}", "run `collage check`; if it passes, this is a bug in collage"


@dataclass
class MemoryEncoder:
    """Keeps what would be encoded, as (H, W, 3) RGB frames; for tests of everything before ffmpeg."""

    frames: list[NDArray[np.uint8]] = field(default_factory=list)
    spec: EncodeSpec | None = None
    audio: Path | None = None
    pixel_format: PixelFormat = "rgb24"

    @contextlib.contextmanager
    def session(self, output: Path, spec: EncodeSpec, audio: Path | None) -> Iterator[FrameSink]:
        self.spec, self.audio = spec, audio
        frames = self.frames

        class _Sink:
            def write(self, frame: Packed) -> None:
                frames.append(frame.reshape(spec.height, spec.width, 3).copy())

        yield _Sink()
