"""Everything collage writes: one room for its outputs.

    names.py       every output's name (video, renditions, previews, proofs, sidecars, still, storyboard,
                   cache), worked out here and nowhere else
    targets.py     the one rule for where collage may write, asked by every command before it writes
    files.py       the one way a file or folder is written: aside, then moved into place
    sidecars.py    captions (VTT, SRT), transcript and poster beside every video
    still.py       `collage still`: one frame as PNG
    storyboard.py  `collage storyboard`: the review page and contact sheet

The video itself is encoded and joined by `collage.video`, which writes through `files` too.
"""
