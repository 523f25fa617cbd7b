"""The caller of a Parse-style request (BEA and Parse): which app, who, and its two doors to the data."""

from __future__ import annotations

from dataclasses import dataclass

from ...bootstrap import services
from ...core.auth import Principal
from ...core.data import AppData
from ...core.tenancy import App


@dataclass
class Caller:
    """`data` applies the caller's permissions; `server` is the app acting for it (login, password
    reset), used sparingly; each dialect's context adds what its protocol carries."""

    app: App
    principal: Principal

    @property
    def data(self) -> AppData:
        return services().data(self.app, self.principal)

    @property
    def server(self) -> AppData:
        return services().data(self.app, Principal("app", self.app.uuid, self.app.uuid))

    @property
    def user_id(self) -> str | None:
        return self.principal.subject if self.principal.kind == "user" else None
