"""What writes the manifest a person edits, above the reader (`collage.manifest`) that checks it.

    scaffold.py   `collage init`: a starting manifest for the photos and music found
    schema.py     `collage schema`: the manifest's JSON Schema, for editors
    sheet.py      submissions sheets read within bounds (CSV/TSV as form tools export them, XLSX)
    importing.py  `collage import`: a sheet's rows merged into the manifest
    roundtrip.py  the file's own layout found and kept; every change validated before it is written
                  (`import` and the review desk)
"""
