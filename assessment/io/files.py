"""Writing files so that no reader ever sees half of one."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

PARTIAL_PREFIX = ".partial-"  # hidden temporary files, renamed into place when complete


def _file_mode() -> int:
    """The mode a plainly created file gets (0o666 less the umask).

    The temporary file is created 0o600; the finished file should be readable as any
    file the user writes. The umask is read from /proc rather than set and reset with
    os.umask, which would change it for every thread of the process for a moment.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o644


def check_destination(path: Path) -> None:
    """Raise OSError if `path` exists as anything but a regular file.

    The rename replaces whatever is at `path`: a symbolic link would be swapped for a file
    (what the user meant by it lost), and a device or pipe (say -o /dev/stdout, run as root)
    replaced by a regular file. Those are refused, as a directory is.
    """
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISLNK(found.st_mode):
        raise OSError(errno.EEXIST, "it is a symbolic link; give the file it points to",
                      str(path))
    if stat.S_ISDIR(found.st_mode):
        raise OSError(errno.EISDIR, "it is a directory", str(path))
    if not stat.S_ISREG(found.st_mode):
        raise OSError(errno.EEXIST, "it is not a regular file", str(path))


def write_atomically(path: Path, content: bytes) -> None:
    """Write a file by renaming a finished temporary file into place, so no reader (and no
    interrupted writer) ever leaves a half-written file; raises OSError, also when `path`
    is a symbolic link or not a regular file (checked before and after the writing)."""
    check_destination(path)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=PARTIAL_PREFIX,
                                     suffix=path.suffix, delete=False) as handle:
        partial = Path(handle.name)
        try:
            handle.write(content)
            os.chmod(partial, _file_mode())
        except BaseException:
            handle.close()
            partial.unlink(missing_ok=True)
            raise
    try:
        check_destination(path)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
