"""The plugin's version (metadata.txt says the same; a test checks it)."""
__version__ = "0.2.0"
