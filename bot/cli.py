"""`bot` command line: migrations, seed data, the API server, demo customers, outbox, review."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError

from bot.core.errors import BotError
from bot.logging import configure_logging
from bot.settings import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

app = typer.Typer(help="Billing back end of the support assistant.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")
logger = logging.getLogger("bot.cli")
T = TypeVar("T")


def _fail(message: str) -> typer.Exit:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code=1)


@contextmanager
def _expected_failures() -> Iterator[None]:
    """Print expected failures as one line (no traceback) and exit 1."""
    try:
        yield
    except BotError as error:
        raise _fail(error.message) from None
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        raise _fail(f"database error: {reason}") from None


def _settings() -> Settings:
    try:
        settings = get_settings()
    except ValidationError as error:
        # Field errors name their variable (field names are the upper-cased variables).
        details = "; ".join(
            f"{str(item['loc'][0]).upper()}: {item['msg']}" if item["loc"] else str(item["msg"])
            for item in error.errors()
        )
        raise _fail(f"invalid configuration: {details}") from None
    configure_logging(settings.log_format, settings.log_level)
    return settings


def _run(action: Callable[[Settings], T]) -> T:
    settings = _settings()
    with _expected_failures():
        return action(settings)


@contextmanager
def _database_session(settings: Settings) -> Iterator[Session]:
    """A session on the configured database; the engine is closed afterwards."""
    from sqlalchemy.orm import Session

    from bot.db import create_db_engine

    engine = create_db_engine(settings.database_url)
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _upgrade(settings: Settings) -> None:
    from bot.migrations import upgrade

    upgrade(settings.database_url)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration (alembic upgrade head)."""
    _run(_upgrade)
    typer.echo("database schema is up to date")


def _parse_day(value: str | None) -> date:
    if value is None:
        return date.today()  # the operator's calendar day
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("expected YYYY-MM-DD", param_hint="--as-of") from None


@app.command()
def seed(
    customers: Annotated[
        int, typer.Option(min=0, help="Generated customers besides the 4 demo ones.")
    ] = 2000,
    as_of: Annotated[
        str | None, typer.Option(help="Day the data ends on, YYYY-MM-DD (default today).")
    ] = None,
    reset: Annotated[bool, typer.Option(help="Empty the database first.")] = False,
) -> None:
    """Load demo and generated billing data (does nothing if data exists, unless --reset)."""
    day = _parse_day(as_of)

    def load(settings: Settings) -> None:
        from bot.commerce.policy import load_policy
        from bot.db import create_db_engine
        from bot.seed.runner import seed as run_seed

        holdout_share = load_policy(settings.discount_policy_path).holdout.share
        _upgrade(settings)
        engine = create_db_engine(settings.database_url)
        try:
            result = run_seed(engine, customers, day, reset=reset, holdout_share=holdout_share)
        finally:
            engine.dispose()
        if not result.created:
            typer.echo("database already has billing data; nothing done (use --reset to reload)")
            return
        typer.echo(
            f"seeded {result.customers} customers, {result.invoices} invoices, "
            f"{result.lines} invoice lines as of {day} in {result.seconds:.1f} s"
        )

    _run(load)


@app.command()
def serve(
    host: Annotated[
        str,
        typer.Option(envvar="BACKEND_HOST", help="Interface to listen on (loopback by default)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    migrate: Annotated[bool, typer.Option(help="Apply migrations before starting.")] = True,
) -> None:
    """Run the REST API with uvicorn."""
    import uvicorn

    from bot.api.app import create_app

    settings = _settings()
    with _expected_failures():
        if migrate:
            _upgrade(settings)
        api = create_app(settings)
    # access_log off: request paths contain account numbers; the app logs route templates.
    uvicorn.run(api, host=host, port=port, access_log=False, log_config=None)


@app.command()
def outbox(
    limit: Annotated[int, typer.Option(min=1, max=100, help="How many messages.")] = 5,
) -> None:
    """Print the latest outbox messages, newest first (how a tester reads a one-time code)."""

    def show(settings: Settings) -> None:
        from bot.safety.outbox import latest_messages

        _upgrade(settings)
        with _database_session(settings) as session:
            messages = latest_messages(session, limit)
            if not messages:
                typer.echo("the outbox is empty")
            for message in messages:
                stamp = message.created_at.strftime("%Y-%m-%d %H:%M:%S UTC")
                body = message.body or "(delivered; body removed)"
                typer.echo(
                    f"#{message.id} {stamp} {message.channel} to {message.recipient} "
                    f"[{message.status}]: {message.subject}\n    {body}"
                )

    _run(show)


@app.command("review-eval")
def review_eval() -> None:
    """Run the fair-treatment review on every account; compare with the seeded errors."""

    def measure(settings: Settings) -> None:
        from bot.review.evaluation import evaluate

        with _database_session(settings) as session:
            result = evaluate(session)
        typer.echo(f"{'rule':<28} {'seeded':>6} {'found':>6} {'recall':>7} {'false+':>6}")
        for score in result.rules:
            typer.echo(
                f"{score.rule:<28} {score.seeded:>6} {score.found:>6} "
                f"{score.recall:>7.3f} {score.false_positives:>6}"
            )
        typer.echo(
            f"{'all':<28} {result.seeded:>6} {result.found:>6} {result.recall:>7.3f} "
            f"{result.false_positives:>6}\n{result.accounts} accounts, "
            f"{result.accounts_with_errors} with seeded errors; clean accounts with a finding: "
            f"{result.clean_accounts_with_findings} ({result.false_positive_rate:.2%})"
        )

    _run(measure)


@app.command()
def demo() -> None:
    """Print the demo customers and what each one shows off."""
    from bot.seed.demo import DEMO_CUSTOMERS

    header = f"{'account':<8} {'name':<13} {'born':<10} {'postcode':<8} {'email':<25} story"
    typer.echo(header)
    typer.echo("-" * len(header))
    for customer in DEMO_CUSTOMERS:
        born = customer.date_of_birth.isoformat()
        typer.echo(
            f"{customer.account_number:<8} {customer.name:<13} {born:<10} "
            f"{customer.postcode:<8} {customer.email:<25} {customer.story}"
        )


analytics_app = typer.Typer(help="Retention analytics (issue 13).", no_args_is_help=True)
app.add_typer(analytics_app, name="analytics")


@analytics_app.command("experiment")
def analytics_experiment(
    file: Annotated[Path, typer.Argument(help="CSV file with a header row.")],
    arm: Annotated[str, typer.Option(help="Column naming each row's arm.")],
    control: Annotated[str, typer.Option(help="The arm the others are compared with.")],
    outcome: Annotated[str, typer.Option(help="Binary column: 1/0, true/false, yes/no.")],
    by: Annotated[str | None, typer.Option(help="Column to repeat the analysis per value.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Per arm: n, outcome rate, difference from control with 95% CI and p-value."""
    from bot.analytics.experiment_file import analyse_file
    from bot.analytics.text import experiment_table

    with _expected_failures():
        result = analyse_file(file, arm=arm, control=control, outcome=outcome, by=by)
    if as_json:
        typer.echo(json.dumps(result.as_json(), indent=2))
    else:
        typer.echo(experiment_table(result))


@analytics_app.command("retention")
def analytics_retention(
    horizon: Annotated[int, typer.Option(min=1, max=730, help="Days after the decision.")] = 90,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of lines.")] = False,
) -> None:
    """Offers vs the randomized holdout: retention per offer and segment, with a verdict."""

    def analyse(settings: Settings) -> None:
        from bot.analytics.experiments import effects
        from bot.analytics.histories import load_histories

        with _database_session(settings) as session:
            found = effects(load_histories(session), horizons=(horizon,))
        if as_json:
            typer.echo(json.dumps([effect.as_json() for effect in found], indent=2))
            return
        for effect in found:
            typer.echo(f"{effect.offer_code} / {effect.segment}: {effect.verdict_text}")
        if not found:
            typer.echo("no offer decisions with outcomes yet")

    _run(analyse)


@analytics_app.command("practices")
def analytics_practices(
    horizon: Annotated[int, typer.Option(min=1, max=730, help="Days after the contact.")] = 90,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of lines.")] = False,
) -> None:
    """Service practices and later churn: naive and adjusted differences (associations)."""

    def analyse(settings: Settings) -> None:
        from bot.analytics.practices import CAVEAT, practice_effects
        from bot.analytics.text import practices_table

        with _database_session(settings) as session:
            found = practice_effects(session, horizon)
        if as_json:
            data = {"horizon_days": horizon, "caveat": CAVEAT}
            typer.echo(json.dumps({**data, "practices": [e.as_json() for e in found]}, indent=2))
        else:
            typer.echo(practices_table(found))

    _run(analyse)


@analytics_app.command("uplift")
def analytics_uplift(
    horizon: Annotated[int, typer.Option(min=1, max=730, help="Days after the decision.")] = 90,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of lines.")] = False,
    policy: Annotated[
        bool, typer.Option("--policy", help="Print the discount policy's uplift rule (YAML).")
    ] = False,
) -> None:
    """Uplift model on the holdout: Qini curve on unseen data, who to offer what."""

    def analyse(settings: Settings) -> None:
        from bot.analytics.text import uplift_policy_rule, uplift_table
        from bot.analytics.uplift import uplift_report

        with _database_session(settings) as session:
            report = uplift_report(session, horizon)
        if as_json:
            typer.echo(json.dumps(report.as_json(), indent=2))
        elif policy:
            typer.echo(uplift_policy_rule(report))
        else:
            typer.echo(uplift_table(report))

    _run(analyse)


@analytics_app.command("report")
def analytics_report(
    out: Annotated[Path, typer.Option(help="Folder for the HTML and JSON files.")] = Path(
        "var/reports"
    ),
    horizon: Annotated[int, typer.Option(min=1, max=730, help="Days after the decision.")] = 90,
) -> None:
    """Every retention figure as a self-contained HTML file and a JSON file."""

    def write(settings: Settings) -> None:
        from bot.analytics.report_files import write_report

        html_file, json_file = write_report(settings, out, horizon)
        typer.echo(f"wrote {html_file}")
        typer.echo(f"wrote {json_file}")

    _run(write)


if __name__ == "__main__":
    app()
