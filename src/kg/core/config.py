"""One settings object for the whole tool, read from the environment (or a TOML file) and overridden by the
CLI or tests. Safe defaults live here: read-only, limits on, no outbound requests."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from kg.core.errors import UsageError

DEFAULT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_BASE = "https://w3id.org/infosec-law-kg/"


@dataclass(frozen=True)
class Settings:
    """Where the data lives, which store serves it, and the service's limits.

    `root` holds `ontology/`, `graph/` and `shapes/`; `base` is the IRI base of every resource in the graph.
    """

    root: Path = DEFAULT_ROOT
    base: str = DEFAULT_BASE
    # the store: embedded in memory (default), embedded on disk (store_path), or a remote SPARQL 1.1 server
    store_path: Path | None = None
    endpoint: str | None = None
    update_endpoint: str | None = None
    graph_store_endpoint: str | None = None
    # its login (HTTP Basic or Digest, as the server asks): the password from a file or KG_REMOTE_PASSWORD, never
    # from the command line, never in a repr or log
    remote_user: str | None = None
    remote_password_file: Path | None = None
    remote_password: str | None = field(default=None, repr=False)
    # writes are refused unless a token is configured
    write_token: str | None = field(default=None, repr=False)  # a secret: never in a repr or a log
    # limits, on by default
    query_timeout: float = 10.0
    write_timeout: float = 30.0  # seconds a write's validation may take (0 = no limit)
    max_rows: int = 10_000
    max_body: int = 1_000_000
    max_depth: int = 64  # nesting of groups, parentheses and brackets in a query or update, and of a JSON body
    service_allowlist: tuple[str, ...] = ()
    # admission control (kg.web.admission), per client address: costly requests are ad-hoc SPARQL and writes
    admission: str = "on"  # "off" only to measure serving alone (bench/): no per-client limits at all
    client_concurrency: int = 2  # costly requests a client may have running at once (0 = no cap)
    client_budget: float = 30.0  # seconds of costly requests per budget_window, refilled evenly (0 = no budget)
    budget_window: float = 60.0
    auth_failures: int = 5  # wrong-token attempts per budget_window before 429 (0 = no limit)
    trusted_proxies: tuple[str, ...] = ()  # proxies (addresses, networks) whose X-Forwarded-For names the client
    # HTTP caching (kg.web.caching): ETags from the store's version, 304s, and a bounded cache of responses
    cache: str = "on"  # "off": no ETag, no 304, no response cache (what the speed figures of serving measure)
    cache_bytes: int = 64_000_000  # the response cache's bound, per process
    cache_max_age: int = 60  # Cache-Control max-age of a read-only service's reads (a writable one: no-cache)
    remote_max_age: int = 0  # remote mode: others may write to the server, so caching is off unless this is > 0
    # serving
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 2  # pre-forked processes of a read-only service (each serves one request at a time)
    threads: int = 8  # request threads of the write-capable (single-process) and remote modes
    executors: int = 2
    header_timeout: float = 5.0  # seconds for a request head to arrive; then 408 (0 = no limit)
    body_timeout: float = 10.0  # seconds for a request body to arrive after its head; then 408 (0 = no limit)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> "Settings":
        """Defaults, then the TOML file named by KG_CONFIG, then `KG_*` variables, then explicit overrides."""
        env = os.environ if environ is None else environ
        values: dict = {}
        if env.get("KG_CONFIG"):
            values.update(_read_toml(Path(env["KG_CONFIG"])))
        for f in fields(cls):
            name = f"KG_{f.name.upper()}"
            if name in env:
                values[f.name] = env[name]
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**{k: _coerce(k, v) for k, v in values.items()})

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: _coerce(k, v) for k, v in changes.items()})

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def graph_dir(self) -> Path:
        return self.root / "graph"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def writable(self) -> bool:
        return bool(self.write_token)

    def remote_credentials(self) -> tuple[str, str] | None:
        """The remote server's user and password, or None; a half-given login is an error, not an anonymous one."""
        if self.remote_password is not None and self.remote_password_file is not None:
            raise UsageError("give the remote password once: KG_REMOTE_PASSWORD_FILE or KG_REMOTE_PASSWORD")
        given = self.remote_password is not None or self.remote_password_file is not None
        if not self.remote_user:
            if given:
                raise UsageError("a remote password without a user: set KG_REMOTE_USER (or --remote-user)")
            return None
        if not given:
            raise UsageError(f"remote user {self.remote_user!r} without a password: set KG_REMOTE_PASSWORD_FILE "
                             "(or KG_REMOTE_PASSWORD)")
        password = self.remote_password
        if password is None:
            password = _read_password(self.remote_password_file)
        if not password:
            raise UsageError(f"remote user {self.remote_user!r}: the password is empty")
        return self.remote_user, password

    def graph_iri(self, name: str) -> str:
        """The named graph a project file is loaded into (`graph/kz-laws.ttl` -> `{base}graph/kz-laws`)."""
        return f"{self.base}graph/{name}"


_TYPES = {f.name: f.type for f in fields(Settings)}


def _coerce(name: str, value):
    """Turn text from the environment or TOML into the field's type; reject what cannot be."""
    if name not in _TYPES:
        raise UsageError(f"unknown setting {name!r}")
    kind = _TYPES[name]
    try:
        if value is None:
            return value
        if "Path" in kind:
            return Path(value)
        if "tuple" in kind:
            return tuple(v.strip() for v in value.split(",") if v.strip()) if isinstance(value, str) else tuple(value)
        if kind == "float":
            return float(value)
        if kind == "int":
            return int(value)
        return str(value)
    except ValueError:
        raise UsageError(f"setting {name}: {value!r} is not a valid {kind}") from None


def _read_password(path: Path) -> str:
    """The file's content without its trailing newline; the error names the file, never its content."""
    try:
        return path.read_text(encoding="utf-8").removesuffix("\n").removesuffix("\r")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or "not UTF-8 text"
        raise UsageError(f"{path}: cannot read the remote password file KG_REMOTE_PASSWORD_FILE ({reason})") from None


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise UsageError(f"{path}: cannot read the configuration file ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: {error}") from None
