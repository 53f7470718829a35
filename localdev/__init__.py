"""Local emulation of the deployed stack: moto for AWS, template-driven routing, no Docker."""

import sys
from pathlib import Path

# On Lambda the common layer is unpacked into /opt/python, which is on sys.path; here it is the
# layer's source folder.
_LAYER = str(Path(__file__).resolve().parent.parent / "layers" / "common")
if _LAYER not in sys.path:
    sys.path.insert(0, _LAYER)
