"""The video: ffmpeg command lines and the encoder seam, the render's tasks, their cache keys and cache,
and where tasks run."""
