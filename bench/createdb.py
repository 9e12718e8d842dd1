"""`make bench-data`, first step: create the database DATABASE_URL names, unless it exists."""

import os
import sys

import environ
import psycopg
from psycopg import sql


def main() -> int:
    config = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    name = config["NAME"]
    # CREATE DATABASE cannot run in a transaction.
    connection = psycopg.connect(
        dbname="postgres",
        autocommit=True,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                print(f"Database {name} exists.")
                return 0
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Database {name} created.")
    finally:
        connection.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
