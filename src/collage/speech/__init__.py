"""The described version's words and voices.

    script.py    what is said about each title card and each person, in the chosen language (pure)
    engines.py   the one seam where text becomes speech: eSpeak NG (bundled), a Piper voice in the folder
"""
