"""`mca serve`: the workshop workbench, a local web app for weights, ranking, map and allocation.

The command loads and scores the scenario once, then serves one page (HTML, JavaScript, CSS and
an SVG map drawn from the scenario's layers, all from this package: it works without internet)
and a small JSON API (`mca.app.serve.api`). FastAPI and uvicorn are imported only when the
command runs, so ``mca --help`` stays fast.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
import webbrowser
from typing import Annotated

import typer

from mca.app.console import ScenarioArg, err, handle_errors

LOOPBACK = "127.0.0.1"


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def access_url(host: str, port: int, token: str | None) -> str:
    """The address to open (or share in the room), with the token when there is one."""
    shown = LOOPBACK if host in ("0.0.0.0", "::", "") else host
    if shown == LOOPBACK and not is_loopback(host):
        import socket

        shown = socket.gethostname()
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


@handle_errors
def serve(
    scenario: ScenarioArg = None,
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    host: Annotated[
        str, typer.Option(help="Address to bind; 0.0.0.0 shares the workbench in the room with an access token.")
    ] = LOOPBACK,
    open_browser: Annotated[bool, typer.Option("--open/--no-open", help="Open the browser on start.")] = True,
) -> None:
    """Start the workshop workbench: weights, live ranking, map, allocation and group mode in the browser."""
    import uvicorn

    from mca.app.scenario import DEFAULT_SCENARIO
    from mca.app.serve.api import create_app
    from mca.app.serve.workbench import Workbench

    with err.status("loading and scoring the scenario", spinner="dots") as status:
        workbench = Workbench.from_scenario(scenario or DEFAULT_SCENARIO, progress=status.update)
    token = None if is_loopback(host) else secrets.token_urlsafe(16)
    url = access_url(host, port, token)
    err.print(f"workbench for [bold]{workbench.name}[/] at {url}", soft_wrap=True, highlight=False)
    if token:
        err.print("shared in the room: every device needs the address above, token included")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(create_app(workbench, token), host=host, port=port, log_level="warning")
