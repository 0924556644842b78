"""The default Word templates of the report packs (built by `build.py`, committed as .docx)."""
