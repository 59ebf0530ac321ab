"""Pixels: text in any script, slides drawn with Pillow, packed for the encoder, blended in numpy."""
