"""The materials library and the estimates made with it (issue #13): what a part holds when its
supplier has not said, recognised from its text, with a low / typical / high range and a source per figure."""

from bomaudit.materials.estimate import Estimates, estimate, recognise
from bomaudit.materials.library import Library, MaterialClass, load_library

__all__ = ["Estimates", "Library", "MaterialClass", "estimate", "load_library", "recognise"]
