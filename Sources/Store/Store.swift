// Store: the domain on PostgreSQL: migrations (Migrations/) and feed loading (Loading/).
