// Shim over libpq's public header. The <postgresql/...> form builds with or without pkg-config.
#include <postgresql/libpq-fe.h>
