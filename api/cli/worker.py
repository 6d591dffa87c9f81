"""``spotter worker`` and ``spotter api``: the two long-running server processes."""

from __future__ import annotations

import typer

from api.cli.apps import app
from configs.logging import configure_logging


@app.command("worker")
def worker(loglevel: str = typer.Option("info", help="Faust log level")) -> None:
    """Run one Faust stream worker (needs SPOTTER_KAFKA_URL and SPOTTER_REDIS_URL)."""
    import faust

    from configs.settings import get_settings
    from contract.kafka import KafkaConfigError
    from streams.faust_tuning import FaustPatchError
    from streams.worker import create_app

    configure_logging()
    try:
        faust_app = create_app(get_settings())
    except (KafkaConfigError, FaustPatchError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)  # one line a deployer can act on
        raise typer.Exit(2) from None
    faust.Worker(faust_app, loglevel=loglevel).execute_from_commandline()


@app.command("api")
def api(host: str = typer.Option(None, help="default: SPOTTER_API_HOST"),
        port: int = typer.Option(None, help="default: SPOTTER_API_PORT"),
        ssl_certfile: str = typer.Option(None, help="PEM certificate: serve HTTPS"),
        ssl_keyfile: str = typer.Option(None, help="PEM private key of --ssl-certfile")) -> None:
    """Serve the API and pages with uvicorn. X-Forwarded-For is believed only from the
    proxies in SPOTTER_TRUSTED_PROXIES (default: none)."""
    import uvicorn

    from api.security.proxies import uvicorn_proxy_options
    from configs.settings import get_settings

    configure_logging()
    settings = get_settings()
    uvicorn.run("api.main:create_app", factory=True, host=host or settings.api_host,
                port=port or settings.api_port, log_level="info",
                ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile,
                **uvicorn_proxy_options(settings.trusted_proxies))  # type: ignore[arg-type]
