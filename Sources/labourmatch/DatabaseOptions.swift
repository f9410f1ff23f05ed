import ArgumentParser
import Foundation
import Logging
import Postgres
import Store

/// `--database-url`, shared by every subcommand that talks to PostgreSQL.
///
/// Without it: `DATABASE_URL`, then libpq's variables (`PGHOST`, ...), then
/// the dev cluster of `Scripts/dev-db` (see `ConnectionConfig.resolve`).
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"),
            help: ArgumentHelp("PostgreSQL connection string or postgres:// URL.",
                               discussion: "Default: DATABASE_URL, else libpq's PG* variables, else the dev cluster of Scripts/dev-db.",
                               valueName: "url"))
    var databaseURL: String?

    func validate() throws {
        // An empty value (an unset shell variable) would fall back to the defaults unseen.
        if databaseURL?.isEmpty == true { throw ValidationError("--database-url is empty") }
    }

    /// The configuration these options (and the environment) select.
    var config: ConnectionConfig { ConnectionConfig.resolve(databaseURL: databaseURL) }

    /// The configuration, its connections acting as `role` (`Schema/0005_roles.sql`).
    func config(as role: DatabaseRole) -> ConnectionConfig { config.acting(as: role) }

    /// Opens a connection acting as `role` (nil: as the login itself, for `db` commands);
    /// server notices go to `logger`.
    /// `schema`: the schema an earlier connection of the same command worked in, for this one to
    /// work in too (unless `LABOURMATCH_SCHEMA` names one).
    func connect(as role: DatabaseRole?, logger: Logger, schema: String? = nil) throws -> Connection {
        var config = role.map { self.config(as: $0) } ?? config
        if config.schema == nil { config.schema = schema }
        logger.debug("connecting", metadata: ["database": "\(config.description)", "source": "\(config.source.rawValue)",
                                             "role": "\(config.role ?? "(login)")"])
        let db = try Connection(config, logger: logger)
        do {
            try Self.check(db, acting: role != nil)
        } catch {
            db.close()
            throw error
        }
        return db
    }

    /// What every command checks on its new connection (which chose, checked and pinned the one
    /// schema it works in: `Connection.home`; no one it cannot trust may create objects there or
    /// owns any), before any statement of its own: that the database is UTF-8; and, for a command
    /// acting as a role, that the schema is neither unmigrated, nor behind this labourmatch (an
    /// upgrade without db migrate: it failed half-way on a missing type, or ran without a guard),
    /// nor ahead of it (`Migrator.problem`).
    static func check(_ db: Connection, acting: Bool) throws {
        // Feeds are UTF-8 and keep whatever characters they hold: a database of another encoding
        // failed a whole load on one character it has not (LATIN1 and 护, or the U+FFFD of a row
        // the loader itself rejected), where a UTF-8 one rejects that row alone.
        let encoding = try db.query("SELECT pg_catalog.getdatabaseencoding()")[0].decode(0, as: String.self)
        if encoding != "UTF8" && encoding != "SQL_ASCII" {
            throw CommandFailure("this database's encoding is \(encoding), and LabourMatch needs UTF8: a feed character "
                                 + "\(encoding) has not would fail a whole load. Create the database with ENCODING 'UTF8' "
                                 + "(and TEMPLATE template0), then db migrate and load it")
        }
        if acting, let problem = Migrator(directory: Migrator.defaultDirectory()).problem(db) {
            throw CommandFailure(problem)
        }
    }
}

/// `--schema-dir`, for the subcommands that read the migrations.
struct MigrationOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Directory of NNNN_name.sql migrations (default: Schema/ of the project). Not checked "
                               + "against the binary: migrations past its own make every command refuse the schema.",
                               valueName: "dir"))
    var schemaDir: String?

    /// A migrator over `--schema-dir`, else the project's `Schema/`.
    var migrator: Migrator {
        Migrator(directory: schemaDir.map { URL(fileURLWithPath: $0) } ?? Migrator.defaultDirectory())
    }
}
