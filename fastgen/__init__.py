"""fastgen: scaffold layered, tested, typed FastAPI projects."""

__version__ = "0.2.0"
