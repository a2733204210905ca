"""Demo users for the web app on the demo registry (``mrdguide demo``).

One user per role (``demo-lab``, ``demo-reviewer``, ``demo-clinician``, ``demo-statistician``,
``demo-admin``), each with a fresh random password. The passwords are written to a file only
its owner can read (mode 0600) next to the demo registry, and never printed: the demo output
names the file, the user to sign in as and the ``mrdguide serve`` line.
"""

from __future__ import annotations

import secrets
import shlex
from dataclasses import dataclass
from pathlib import Path

from mrdguide.domain import Role
from mrdguide.errors import NotFoundError
from mrdguide.services.files import write_private
from mrdguide.services.users import add_user
from mrdguide.services.web_auth import enable_user, set_password
from mrdguide.store import Registry

__all__ = ["DEMO_LOGIN_FILE", "DemoLogin", "demo_usernames", "ensure_demo_users"]

#: File (in the demo output folder) holding the demo users' passwords, mode 0600.
DEMO_LOGIN_FILE = "web-logins.txt"


def demo_usernames() -> dict[Role, str]:
    """The demo user of each role."""
    return {r: f"demo-{r.value}" for r in Role}


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoLogin:
    """Where the demo logins are and how to start the app."""

    users: dict[str, str]
    credentials_file: Path
    sign_in_as: str

    @staticmethod
    def serve_command(db_url: str, *, host: str = "127.0.0.1", port: int = 8000) -> str:
        """The shell line that starts the app on ``db_url`` (quoted for POSIX shells)."""
        return f"mrdguide serve --db {shlex.quote(db_url)} --host {host} --port {port}"

    def lines(self, db_url: str, *, host: str = "127.0.0.1", port: int = 8000) -> list[str]:
        """What ``mrdguide demo`` prints (no password)."""
        roles = ", ".join(f"{u} ({r})" for r, u in self.users.items())
        return [
            "Web app on this registry:",
            f"  {self.serve_command(db_url, host=host, port=port)}",
            f"  then open http://{host}:{port}/ and sign in as {self.sign_in_as}.",
            f"  Demo users: {roles}.",
            f"  Their passwords are in {self.credentials_file} (readable only by you).",
        ]


def ensure_demo_users(reg: Registry, out_dir: Path) -> DemoLogin:
    """Create (or reset) one demo user per role with a new random password each.

    The registry's actor is recorded in the audit trail for every user change.
    """
    users: dict[str, str] = {}
    lines = [
        "# mrdguide demo web users (synthetic registry only). Keep this file private.",
        "# username  role  password",
    ]
    for role, name in demo_usernames().items():
        password = secrets.token_urlsafe(18)
        try:
            reg.users.get(name)
        except NotFoundError:
            add_user(reg, name, role.value, password=password)
        else:
            set_password(reg, name, password)
            enable_user(reg, name)
            reg.users.set_role(name, role)
        users[role.value] = name
        lines.append(f"{name}  {role.value}  {password}")
    path = write_private(out_dir / DEMO_LOGIN_FILE, "\n".join(lines) + "\n")
    return DemoLogin(users=users, credentials_file=path, sign_in_as=users[Role.CLINICIAN.value])
