"""Authenticate's side of the simulator: credentials, session cookies with idle expiry, login throttling."""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
import threading
from collections import defaultdict, deque
from dataclasses import dataclass

from simulators.tfso.clock import SimClock

__all__ = ["Account", "LoginThrottled", "Sessions"]

_SESSION_ALPHABET = "abcdefghijklmnopqrstuvwxyz012345"  # ASP.NET session ids: 24 chars of base32


@dataclass(frozen=True, kw_only=True)
class Account:
    """The one API user the simulator accepts (Username is an e-mail address, ApplicationId a GUID)."""

    application_id: str
    username: str
    password: str
    identity_id: str | None = None


class LoginThrottled(Exception):
    """Too many logins with the same user name inside the window."""

    def __init__(self, exceeded_by: int, quarantine_ends: dt.datetime) -> None:
        self.exceeded_by = exceeded_by
        self.quarantine_ends = quarantine_ends
        end = quarantine_ends.replace(tzinfo=None).isoformat(timespec="seconds")
        super().__init__(f"Limit exceeded by {exceeded_by}. Request is blocked. Quarantine ends at {end}")


class Sessions:
    """Live sessions by id, each expiring after `idle_timeout` without use (sliding), and login counting."""

    def __init__(
        self,
        account: Account,
        clock: SimClock,
        *,
        idle_timeout: float = 20 * 60,
        login_limit: int = 10,
        login_window: float = 60.0,
    ) -> None:
        self.account = account
        self.clock = clock
        self.idle_timeout = dt.timedelta(seconds=idle_timeout)
        self.login_limit = login_limit
        self.login_window = dt.timedelta(seconds=login_window)
        self._lock = threading.Lock()
        self._last_used: dict[str, dt.datetime] = {}
        self._logins: defaultdict[str, deque[dt.datetime]] = defaultdict(deque)
        self._expire_before: dict[str | None, int] = {}

    def login(self, *, application_id: str | None, username: str | None, password: str | None) -> str:
        """A new session id, or "" when the credentials are refused; raises LoginThrottled when throttled."""
        now = self.clock.now()
        with self._lock:
            recent = self._logins[username or ""]
            while recent and recent[0] <= now - self.login_window:
                recent.popleft()
            if self.login_limit > 0 and len(recent) >= self.login_limit:
                raise LoginThrottled(len(recent) - self.login_limit + 1, recent[0] + self.login_window)
            recent.append(now)
            ok = (
                _same(application_id, self.account.application_id.lower(), lower=True)
                & _same(username, self.account.username)
                & _same(password, self.account.password)
            )
            if not ok:
                return ""
            session = "".join(secrets.choice(_SESSION_ALPHABET) for _ in range(24))
            self._last_used[session] = now
            return session

    def check(self, session: str | None) -> bool:
        """Whether `session` is live; a live session's idle timer restarts (sliding expiry)."""
        if not session:
            return False
        now = self.clock.now()
        with self._lock:
            last = self._last_used.get(session)
            if last is None or now - last >= self.idle_timeout:
                self._last_used.pop(session, None)
                return False
            self._last_used[session] = now
            return True

    def expire(self, session: str | None = None) -> int:
        """End one session (or every session); returns how many ended."""
        with self._lock:
            if session is None:
                count = len(self._last_used)
                self._last_used.clear()
                return count
            return 1 if self._last_used.pop(session, None) is not None else 0

    def expire_before(self, operation: str | None = None, n: int = 1) -> None:
        """End every session just before the next `n` calls to `operation` (None: any business call)."""
        if n < 1:
            raise ValueError("n must be at least 1")
        with self._lock:
            self._expire_before[operation] = self._expire_before.get(operation, 0) + n

    def before_call(self, operation: str) -> bool:
        """Apply an armed expiry for this call; True when sessions were ended."""
        with self._lock:
            for key in (operation, None):
                if self._expire_before.get(key, 0) > 0:
                    self._expire_before[key] -= 1
                    if not self._expire_before[key]:
                        del self._expire_before[key]
                    self._last_used.clear()
                    return True
            return False

    def live(self) -> list[str]:
        """Ids of the sessions not yet ended (idle ones included until checked)."""
        with self._lock:
            return list(self._last_used)

    def reset(self) -> None:
        """Forget sessions, login history and armed expiries."""
        with self._lock:
            self._last_used.clear()
            self._logins.clear()
            self._expire_before.clear()


def _same(given: str | None, expected: str, *, lower: bool = False) -> bool:
    value = (given or "").lower() if lower else (given or "")
    return hmac.compare_digest(value.encode(), expected.encode())
