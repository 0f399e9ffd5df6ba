# Flask-WTF 1.2 ships no type hints. This partial stub types CSRFProtect.exempt (a decorator:
# exempted views keep their signatures under mypy --strict); every other name is Any, as it
# is without a stub (the module-level __getattr__ below).
from typing import Any

from .csrf import CSRFProtect as CSRFProtect

def __getattr__(name: str) -> Any: ...
