// Store: the domain on PostgreSQL.
import Postgres
