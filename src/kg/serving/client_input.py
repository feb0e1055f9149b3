"""gunicorn raises its own parse errors (a broken chunked encoding: `InvalidChunkSize`, `ChunkMissingTerminator`)
while the app reads a request body. They are the client's fault, so this middleware turns them into an OSError,
which the web layer answers with a 400 in the service's error shape (`kg.web.bodies`), instead of a 500."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from gunicorn.http.errors import ParseException


class UnreadableBody(OSError):
    """The client's body broke its transfer encoding."""


class ClientInput:
    """WSGI middleware: `wsgi.input` whose reads raise UnreadableBody instead of gunicorn's ParseException."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        environ["wsgi.input"] = _Translated(environ["wsgi.input"])
        return self.app(environ, start_response)


class _Translated:
    def __init__(self, stream) -> None:
        self._stream = stream

    def read(self, *arguments) -> bytes:
        return self._call(self._stream.read, *arguments)

    def readline(self, *arguments) -> bytes:
        return self._call(self._stream.readline, *arguments)

    def readlines(self, *arguments) -> list[bytes]:
        return self._call(self._stream.readlines, *arguments)

    def __iter__(self):
        return iter(self.readline, b"")

    @staticmethod
    def _call(read: Callable, *arguments):
        try:
            return read(*arguments)
        except ParseException as error:
            raise UnreadableBody(f"{type(error).__name__}: {error}") from None
