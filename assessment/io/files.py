"""Writing files so that no reader ever sees half of one."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

PARTIAL_PREFIX = ".partial-"  # hidden temporary files, renamed into place when complete


def write_atomically(path: Path, content: bytes) -> None:
    """Write a file by renaming a finished temporary file into place, so no reader (and no
    interrupted writer) ever leaves a half-written file; raises OSError."""
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=PARTIAL_PREFIX,
                                     suffix=path.suffix, delete=False) as handle:
        partial = Path(handle.name)
        try:
            handle.write(content)
        except BaseException:
            handle.close()
            partial.unlink(missing_ok=True)
            raise
    try:
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
