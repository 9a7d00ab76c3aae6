"""The project's error hierarchy.

Every message names the thing at fault, what is wrong and what to do, so the CLI and the GUI can show
it as it is, without a traceback.
"""


class JepaError(Exception):
    """Base class: a problem the user can act on (bad file, bad mask, bad option)."""


class CheckpointError(JepaError):
    """A checkpoint file that cannot be loaded as a JEPA model."""


class MediaError(JepaError):
    """An image or video that cannot be read or used."""


class MaskError(JepaError):
    """A mask that cannot be used: empty context, empty targets, off the patch grid, bad spec."""


class LessonError(JepaError):
    """Lesson content that cannot be used: bad TOML, a missing field, a set-up naming a model that is not there."""
