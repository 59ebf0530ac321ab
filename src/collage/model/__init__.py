"""The frozen data that flows from stage to stage: the validated project, the look (theme), and the
timeline with the media facts it was planned from. No I/O here, and nothing imaging."""
