// Postgres: a small, safe Swift face for libpq.
import CLibPQ
