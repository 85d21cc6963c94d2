"""The `soitin` command line (Typer)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from sqlalchemy.orm import Session

from soitin.cli_errors import clear_errors
from soitin.db import open_database, require_current_schema
from soitin.errors import SoitinError
from soitin.settings import Settings, get_settings, load_settings

app = typer.Typer(
    help="soitin — soi tin: theo dõi và xử lý thông tin có hại "
    "(Vietnamese harmful-information workbench).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
user_app = typer.Typer(help="Tài khoản người dùng / user accounts.", no_args_is_help=True)
unit_app = typer.Typer(help="Cây đơn vị / the unit tree.", no_args_is_help=True)
db_app = typer.Typer(help="Cơ sở dữ liệu / database schema.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(unit_app, name="unit")
app.add_typer(db_app, name="db")

console = Console()
err = Console(stderr=True)


def settings() -> Settings:
    """This process's settings (raises `ConfigError` with one sentence when wrong)."""
    get_settings.cache_clear()
    return get_settings()


@contextmanager
def db_session() -> Iterator[Session]:
    """A committed-on-success session on the migrated configured database."""
    database = open_database(settings())
    require_current_schema(database)
    with database.transaction() as session:
        yield session


def _print_init(result: Any, cfg: Settings) -> None:
    if result.admin_password:
        console.print(
            "[bold]Tài khoản quản trị / admin account[/]: admin  "
            f"mật khẩu / password: [bold green]{escape(result.admin_password)}[/] "
            "(chỉ in một lần / printed once)",
            highlight=False,
        )
    if result.demo_loaded:
        console.print(
            f"Dữ liệu mẫu / demo data loaded; demo users {escape(', '.join(result.demo_users))} "
            f"share the password [bold green]{escape(result.demo_password)}[/] (printed once)",
            highlight=False,
        )


@app.command()
@clear_errors
def init(
    demo: Annotated[bool, typer.Option(help="Load the demo data into a new database.")] = False,
) -> None:
    """Khởi tạo CSDL / migrate the database; on a new one create the admin (and demo data)."""
    from soitin.bootstrap import initialise

    cfg = settings()
    _, result = initialise(cfg, demo=demo)
    console.print(f"Database ready ({'new' if result.database_was_new else 'existing'}).")
    _print_init(result, cfg)


@app.command()
@clear_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    demo: Annotated[bool, typer.Option(help="Load demo data if the database is new.")] = False,
) -> None:
    """Chạy máy chủ web / migrate, then start the web server (SQLite by default)."""
    import uvicorn

    from soitin.bootstrap import initialise
    from soitin.web.app import create_app

    cfg = settings()
    database, result = initialise(cfg, demo=demo)
    host = host or cfg.host
    port = port or cfg.port
    console.print(
        f"soitin: http://{host}:{port}/  (health: http://{host}:{port}/health)", markup=False
    )
    _print_init(result, cfg)
    if not result.admin_password:
        console.print("Đăng nhập bằng tài khoản đã tạo / sign in with your existing account.")
    sys.stdout.flush()
    web = create_app(cfg, database)
    if cfg.broker_url:
        from soitin.worker import Broker

        web.state.broker = Broker(cfg, database)
        console.print("Broker mode: run `soitin worker` for the pipeline and schedules.")
    elif cfg.scheduler_enabled:
        from soitin.ops.schedule import SchedulerLoop

        SchedulerLoop(database, None, name="serve", first_delay=60).start()
        console.print("Embedded mode: pipeline and schedules run in this process.")
    from soitin.runtime import settle_after_start

    settle_after_start(load_models=not cfg.broker_url)
    uvicorn.run(web, host=host, port=port, log_level="info")


@app.command()
@clear_errors
def worker(
    threads: Annotated[int | None, typer.Option(help="Worker threads (default: setting).")] = None,
    scheduler: Annotated[
        bool, typer.Option(help="Also run the scheduler loop (exactly once across workers).")
    ] = True,
) -> None:
    """Chạy tiến trình xử lý / start a pipeline worker on the broker (SOITIN_BROKER_URL)."""
    from soitin.worker import run_worker

    cfg = settings()
    database = open_database(cfg)
    require_current_schema(database)
    from soitin.runtime import settle_after_start

    settle_after_start()
    console.print(f"soitin worker: queues {cfg.queue_prefix}.* on the broker; Ctrl-C stops.")
    sys.stdout.flush()
    run_worker(cfg, threads=threads, scheduler=scheduler)


@app.command("demo")
@clear_errors
def demo_cmd() -> None:
    """Nạp dữ liệu mẫu / load the demo data into an empty database."""
    from sqlalchemy import func, select

    from soitin.db.models import Item
    from soitin.demo.load import load_demo

    cfg = settings()
    database = open_database(cfg)
    require_current_schema(database)
    with database.session() as session:
        if session.scalar(select(func.count(Item.id))):
            raise SoitinError(
                "The database already has items; the demo loads only into an empty one."
            )
    report = load_demo(database, cfg)
    console.print(
        f"Demo: {report.items} items, {report.claims} claims, users {', '.join(report.usernames)} "
        f"with password {report.password} (printed once)",
        highlight=False,
        markup=False,
    )


@db_app.command("upgrade")
@clear_errors
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    from soitin.db import make_engine
    from soitin.db.engine import check_connection
    from soitin.db.migrate import current_revision, upgrade

    engine = make_engine(settings().database_url)
    check_connection(engine)
    upgrade(engine, revision)
    console.print(f"Database at revision {current_revision(engine)}.", markup=False)


@db_app.command("current")
@clear_errors
def db_current() -> None:
    """Print the database's schema revision and the newest one known."""
    from soitin.db.migrate import current_revision, head_revision

    database = open_database(settings())
    console.print(
        f"current: {current_revision(database.engine)}  head: {head_revision()}", markup=False
    )


@user_app.command("add")
@clear_errors
def user_add(
    username: str,
    role: Annotated[str, typer.Option(help="admin, lead, reviewer or viewer.")],
    unit: Annotated[str, typer.Option(help="Code of the user's unit.")],
    display_name: Annotated[str, typer.Option(help="Name shown in the app.")] = "",
    password: Annotated[
        str | None, typer.Option(help="Password (generated and printed once if omitted).")
    ] = None,
) -> None:
    """Create a user."""
    from soitin.review import accounts, audit

    secret = password or accounts.generate_password()
    with db_session() as session:
        user = accounts.add_user(
            session,
            username,
            role=role,
            unit_code=unit,
            password=secret,
            display_name=display_name,
        )
        audit.record(
            session, "user.created", object_type="user", object_id=user.id, role=user.role, by="cli"
        )
    console.print(f"User {username} ({role}) created.", highlight=False, markup=False)
    if password is None:
        console.print(f"Password (printed once): [bold green]{escape(secret)}[/]", highlight=False)


@user_app.command("list")
@clear_errors
def user_list() -> None:
    """List users with role, unit and state."""
    from soitin.review import accounts

    table = Table("username", "role", "unit", "active", "last login")
    with db_session() as session:
        for user in accounts.list_users(session):
            table.add_row(
                Text(user.username),
                Text(user.role),
                Text(user.unit.code),
                "yes" if user.is_active else "no",
                user.last_login_at.isoformat(timespec="minutes") if user.last_login_at else "-",
            )
    console.print(table)


@user_app.command("disable")
@clear_errors
def user_disable(username: str) -> None:
    """Disable a user (they can no longer sign in)."""
    from soitin.review import accounts, audit

    with db_session() as session:
        user = accounts.set_active(session, username, False)
        audit.record(session, "user.disabled", object_type="user", object_id=user.id, by="cli")
    console.print(f"User {username} disabled.", highlight=False, markup=False)


@user_app.command("enable")
@clear_errors
def user_enable(username: str) -> None:
    """Enable a disabled user again."""
    from soitin.review import accounts, audit

    with db_session() as session:
        user = accounts.set_active(session, username, True)
        audit.record(session, "user.enabled", object_type="user", object_id=user.id, by="cli")
    console.print(f"User {username} enabled.", highlight=False, markup=False)


@unit_app.command("add")
@clear_errors
def unit_add(
    code: str,
    name: Annotated[str, typer.Option(help="Unit name.")],
    parent: Annotated[str | None, typer.Option(help="Code of the parent unit.")] = None,
    places: Annotated[
        str, typer.Option(help="Comma-separated 2025 place codes the unit covers.")
    ] = "",
) -> None:
    """Create a unit (under PARENT)."""
    from soitin.review import accounts, audit

    codes = [c.strip() for c in places.split(",") if c.strip()]
    with db_session() as session:
        unit = accounts.add_unit(session, code, name, parent_code=parent, place_codes=codes)
        audit.record(session, "unit.created", object_type="unit", object_id=unit.id, by="cli")
    console.print(f"Unit {code} created.", highlight=False, markup=False)


@unit_app.command("list")
@clear_errors
def unit_list() -> None:
    """List units as a tree."""
    from soitin.review import accounts

    with db_session() as session:
        units = accounts.list_units(session)
        children: dict[int | None, list[Any]] = {}
        for unit in units:
            children.setdefault(unit.parent_id, []).append(unit)

        def show(parent: int | None, depth: int) -> None:
            for unit in children.get(parent, []):
                places = ",".join(unit.place_codes)
                console.print(
                    f"{'  ' * depth}{unit.code}  {unit.name}  [{places}]",
                    highlight=False,
                    markup=False,
                )
                show(unit.id, depth + 1)

        show(None, 0)


@app.command("backup")
@clear_errors
def backup_cmd(
    target: Annotated[Path, typer.Argument(help="File to write the backup to.")],
) -> None:
    """Sao lưu / back up the database while it runs (SQLite online backup, or pg_dump)."""
    from soitin.ops.backup import backup

    written = backup(settings().database_url, target)
    console.print(
        f"Backup written to {written} ({written.stat().st_size:,} bytes).",
        highlight=False,
        markup=False,
    )


@app.command("restore")
@clear_errors
def restore_cmd(
    source: Annotated[Path, typer.Argument(help="Backup file made by `soitin backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm replacing the database.")] = False,
) -> None:
    """Khôi phục / replace the database's content with a backup (asks for --yes)."""
    from soitin.ops.backup import restore

    if not yes:
        raise SoitinError("Restoring replaces the whole database; repeat with --yes to confirm.")
    restore(settings().database_url, source)
    console.print(f"Database restored from {source}.", highlight=False, markup=False)


def main() -> None:
    """Entry point that reports configuration errors without a traceback."""
    try:
        load_settings()
    except SoitinError as exc:
        err.print(f"Lỗi / Error: {exc}", highlight=False, markup=False)
        raise SystemExit(1) from None
    app()


# --- area sub-commands: one line each (app.add_typer(<area>_app, name="...")) ---
from soitin.ingest.cli import ingest_app, source_app  # noqa: E402

app.add_typer(ingest_app, name="ingest")
app.add_typer(source_app, name="source")
from soitin.triage.cli import alerts_app  # noqa: E402

app.add_typer(alerts_app, name="alerts")
from soitin.places.cli import app as places_app  # noqa: E402

app.add_typer(places_app, name="places")
from soitin.text.cli import app as search_app  # noqa: E402

app.add_typer(search_app, name="search")
from soitin.report.cli import report_cmd  # noqa: E402
from soitin.respond.cli import publications_app  # noqa: E402

app.command("report")(report_cmd)
app.add_typer(publications_app, name="publications")
from soitin.stories.cli import claims_app  # noqa: E402

app.add_typer(claims_app, name="claims")
from soitin.detect.cli import (  # noqa: E402
    detect_cmd,
    evaluate_cmd,
    finetune_cmd,
    shadow_cmd,
    train_cmd,
)

app.command("train")(train_cmd)
app.command("evaluate")(evaluate_cmd)
app.command("finetune")(finetune_cmd)
app.command("detect")(detect_cmd)
app.command("shadow")(shadow_cmd)
from soitin.review.cli import app as review_app  # noqa: E402

app.add_typer(review_app, name="review")
# --- end of area sub-commands ---
