"""Bigcapital's system database as its migrations leave it (commit af80afc),
with the upper-case names its knex mapper gives, and a writer that plays
Bigcapital: signs users up, deactivates, deletes and moves them.
"""

import itertools
import secrets

from sqlalchemy import create_engine, text

DATABASE = "bigcapital_system"
READER = ("bckeys_ro", "read-only-password")
WRITER = ("bigcapital", "bigcapital-password")

SCHEMA = f"""
CREATE DATABASE {DATABASE} CHARACTER SET utf8;
USE {DATABASE};
CREATE TABLE `TENANTS` (
  `ID` bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `ORGANIZATION_ID` varchar(255), `UNDER_MAINTENANCE_SINCE` datetime,
  `INITIALIZED_AT` datetime, `SEEDED_AT` datetime, `BUILT_AT` datetime,
  `BUILD_JOB_ID` varchar(255), `DATABASE_BATCH` int, `UPGRADE_JOB_ID` varchar(255),
  `CREATED_AT` datetime, `UPDATED_AT` datetime,
  INDEX (`ORGANIZATION_ID`)
);
CREATE TABLE `USERS` (
  `ID` int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `FIRST_NAME` varchar(255), `LAST_NAME` varchar(255), `EMAIL` varchar(255),
  `PASSWORD` varchar(255), `ACTIVE` tinyint(1), `LANGUAGE` varchar(255),
  `TENANT_ID` bigint unsigned, `INVITE_ACCEPTED_AT` datetime, `LAST_LOGIN_AT` datetime,
  `DELETED_AT` datetime, `CREATED_AT` datetime, `UPDATED_AT` datetime,
  `VERIFY_TOKEN` varchar(255), `VERIFIED` tinyint(1) DEFAULT 0,
  INDEX (`EMAIL`), INDEX (`ACTIVE`), INDEX (`TENANT_ID`), INDEX (`DELETED_AT`),
  FOREIGN KEY (`TENANT_ID`) REFERENCES `TENANTS` (`ID`)
);
CREATE TABLE `API_KEYS` (
  `ID` int unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `KEY` varchar(255) NOT NULL UNIQUE, `NAME` varchar(255),
  `USER_ID` int unsigned NOT NULL, `TENANT_ID` bigint unsigned NOT NULL,
  `EXPIRES_AT` datetime, `REVOKED_AT` datetime, `CREATED_AT` datetime, `UPDATED_AT` datetime,
  INDEX (`EXPIRES_AT`), INDEX (`REVOKED_AT`),
  FOREIGN KEY (`USER_ID`) REFERENCES `USERS` (`ID`),
  FOREIGN KEY (`TENANT_ID`) REFERENCES `TENANTS` (`ID`)
);
CREATE USER '{READER[0]}'@'127.0.0.1' IDENTIFIED BY '{READER[1]}';
GRANT SELECT ON {DATABASE}.* TO '{READER[0]}'@'127.0.0.1';
CREATE USER '{WRITER[0]}'@'127.0.0.1' IDENTIFIED BY '{WRITER[1]}';
GRANT ALL PRIVILEGES ON {DATABASE}.* TO '{WRITER[0]}'@'127.0.0.1';
"""

_numbers = itertools.count(1)


def bigcapital_api_key() -> str:
    """A key as Bigcapital's GenerateApiKey makes it: bc_ + 48 random bytes in hex."""
    return "bc_" + secrets.token_hex(48)


class Bigcapital:
    """Writes Bigcapital's system database the way Bigcapital does."""

    def __init__(self, writer_url: str, reader_url: str):
        self.reader_url = reader_url
        self.engine = create_engine(writer_url, isolation_level="AUTOCOMMIT")

    def empty(self) -> None:
        with self.engine.connect() as connection:
            for table in ("API_KEYS", "USERS", "TENANTS"):
                connection.execute(text(f"DELETE FROM `{table}`"))  # noqa: S608 (fixed names)

    def add_organization(self) -> str:
        """A tenant, as signup makes one (uniqid); returns its organization id."""
        organization_id = f"bc{secrets.token_hex(8)}"
        with self.engine.connect() as connection:
            connection.execute(
                text("INSERT INTO `TENANTS` (`ORGANIZATION_ID`, `CREATED_AT`) VALUES (:o, NOW())"),
                {"o": organization_id},
            )
        return organization_id

    def add_user(self, organization_id: str, email: str | None = None) -> tuple[int, str]:
        """A signed-up user of the organization: active, verified, invite
        accepted. Returns its id and email."""
        email = email or f"bigcapital{next(_numbers)}@example.com"
        with self.engine.connect() as connection:
            user_id = connection.execute(
                text(
                    "INSERT INTO `USERS` (`FIRST_NAME`, `LAST_NAME`, `EMAIL`, `PASSWORD`, "
                    "`ACTIVE`, `VERIFIED`, `TENANT_ID`, `INVITE_ACCEPTED_AT`, `CREATED_AT`) "
                    "SELECT 'Ada', 'Lovelace', :email, '$2b$10$x', 1, 1, `ID`, NOW(), NOW() "
                    "FROM `TENANTS` WHERE `ORGANIZATION_ID` = :o"
                ),
                {"email": email, "o": organization_id},
            ).lastrowid
        return user_id, email

    def update_user(self, user_id: int, assignments: str, **values) -> None:
        """``assignments``: SQL such as "`ACTIVE` = 0"."""
        with self.engine.connect() as connection:
            connection.execute(
                text(f"UPDATE `USERS` SET {assignments} WHERE `ID` = :user_id"),  # noqa: S608
                {"user_id": user_id, **values},
            )

    def move_user(self, user_id: int, organization_id: str) -> None:
        self.update_user(
            user_id,
            "`TENANT_ID` = (SELECT `ID` FROM `TENANTS` WHERE `ORGANIZATION_ID` = :o)",
            o=organization_id,
        )

    def delete_user(self, user_id: int) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("DELETE FROM `USERS` WHERE `ID` = :u"), {"u": user_id})

    def add_api_key(self, user_id: int, organization_id: str, **columns) -> str:
        """A key as Bigcapital stores it, in plaintext; returns the key."""
        key = columns.pop("key", None) or bigcapital_api_key()
        values = {"name": "bigcapital key", "expires_at": None, "revoked_at": None, **columns}
        with self.engine.connect() as connection:
            connection.execute(
                text(
                    "INSERT INTO `API_KEYS` (`KEY`, `NAME`, `USER_ID`, `TENANT_ID`, `EXPIRES_AT`, "
                    "`REVOKED_AT`, `CREATED_AT`) SELECT :key, :name, :user_id, `ID`, :expires_at, "
                    ":revoked_at, '2026-01-02 03:04:05' FROM `TENANTS` WHERE `ORGANIZATION_ID` = :o"
                ),
                {"key": key, "user_id": user_id, "o": organization_id, **values},
            )
        return key
