"""The music: read in blocks where it plays, measured (EBU R128), mixed into one bed the video's length."""
