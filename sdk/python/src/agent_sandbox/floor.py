"""The persisted version floor: the highest policy version the client verified, kept in a file so
that a restarted agent refuses lower versions too (a rollback across a restart).

The file holds ``{"agent_id": "...", "policy_version": N}`` (the Swift SDK reads and writes the
same form) and is replaced atomically: written to a temporary file beside it, flushed to disk,
renamed over it, and the directory flushed. A file that cannot be read or understood raises
:class:`ConfigurationError`, never a silent reset to zero (which would re-open the rollback the
file exists to close)."""

from __future__ import annotations

import json
import logging
import os
import threading

from .errors import ConfigurationError

_log = logging.getLogger("agent_sandbox")


class VersionFloor:
    """The floor file of one agent, read once and raised with each higher version accepted."""

    def __init__(self, path: str | os.PathLike[str], agent_id: str) -> None:
        self.path = os.fspath(path)
        self.agent_id = agent_id
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self.stored = self._read()

    def _read(self) -> int:
        try:
            with open(self.path, "rb") as file:
                data = file.read(4097)
        except FileNotFoundError:
            return 0
        except OSError as error:
            raise ConfigurationError(f"policy version floor file {self.path} cannot be read: {error}") from error
        try:
            document = json.loads(data.decode("utf-8")) if len(data) <= 4096 else None
        except (UnicodeDecodeError, ValueError):
            document = None
        version = document.get("policy_version") if isinstance(document, dict) else None
        if not isinstance(version, int) or isinstance(version, bool) or version < 0:
            raise ConfigurationError(
                f'policy version floor file {self.path} is not {{"agent_id": ..., "policy_version": N}}: restore it, '
                "or remove it knowingly (any verified version is then accepted again)")
        owner = document.get("agent_id") if isinstance(document, dict) else None
        if owner != self.agent_id:
            raise ConfigurationError(f"policy version floor file {self.path} is agent `{owner}`'s, "
                                     f"not `{self.agent_id}`'s")
        return version

    def raise_to(self, version: int) -> None:
        """Stores ``version`` when it is higher than the stored one; a failed write is logged and
        kept in ``last_error`` (the floor then holds in memory only)."""
        with self._lock:
            if version <= self.stored:
                return
            try:
                self._write(version)
            except OSError as error:
                self.last_error = f"policy version floor file {self.path}: {error}"
                _log.error("%s", self.last_error)
                return
            self.stored, self.last_error = version, None

    def _write(self, version: int) -> None:
        data = (json.dumps({"agent_id": self.agent_id, "policy_version": version}, separators=(",", ":")) + "\n").encode()
        temporary = f"{self.path}.tmp-{os.getpid()}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        try:
            try:
                os.write(fd, data)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temporary, self.path)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise
        directory = os.open(os.path.dirname(os.path.abspath(self.path)), os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
