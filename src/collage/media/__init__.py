"""Reading the folder's media for what the plan and the checks need to know: photos (upright size,
whole decode), the faces and sign in them, and the music (length, beats), as one `MediaFacts` value."""
