"""The Rasa runtime's import boundaries, read from the source with `ast` (Rasa's test_shared.py).

actions/ is a pure HTTP client of the back end: it never imports bot/, addons/ or a database
driver. addons/ plugs into Rasa and never imports actions/ or bot/. Both may use privacy/.
"""

from __future__ import annotations

from tests.imports import python_files, violations

DATABASE_DRIVERS = frozenset(
    {"sqlalchemy", "sqlite3", "psycopg", "psycopg2", "asyncpg", "aiosqlite", "pymysql", "MySQLdb"}
)


def test_actions_never_import_the_back_end_the_addons_or_a_database_driver() -> None:
    assert violations(python_files("actions"), {"bot", "addons"} | DATABASE_DRIVERS) == []


def test_addons_never_import_the_actions_or_the_back_end() -> None:
    assert violations(python_files("addons"), {"actions", "bot"}) == []
