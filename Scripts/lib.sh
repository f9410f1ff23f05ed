# Shared by Scripts/test, demo, bench, fuzz and report-screenshot: source it, do not run it.

# Installs with apt-get what building and running LabourMatch needs and this
# machine lacks: pkg-config, libpq-dev, the PostgreSQL server and client,
# iso-codes, and Python 3 (stdlib only: the tests' independent reference,
# Scripts/gen-fixtures.py and Scripts/crosscheck.py). Runs `apt-get update`
# first, and only when something is missing.
# $1 names the caller in messages.
install_missing() {
    local who=${1:-labourmatch}
    local missing=()
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    [[ -f /usr/include/postgresql/libpq-fe.h ]] || missing+=(libpq-dev)
    if ! command -v initdb >/dev/null 2>&1 && ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        missing+=(postgresql)
    fi
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
    [[ -f /usr/share/iso-codes/json/iso_3166-1.json ]] || missing+=(iso-codes)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    (( ${#missing[@]} > 0 )) || return 0
    apt_install "$who" "${missing[@]}"
}

# Installs Debian packages $2... with apt-get (after `apt-get update`), as root;
# else says what to install and exits 1. $1 names the caller in messages.
apt_install() {
    local who=$1
    shift
    echo "$who: installing $*" >&2
    if [[ $(id -u) -ne 0 ]]; then
        echo "$who: missing packages $*; install them as root (apt-get install $*)" >&2
        exit 1
    fi
    apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2
}

# `swift build "$@"` with a TMPDIR of its own, removed afterwards: SwiftPM leaves six
# TemporaryDirectory.* behind in TMPDIR at every build.
swift_build() {
    local tmp rc=0
    tmp="$(mktemp -d "${TMPDIR:-/tmp}/labourmatch-build.XXXXXX")"
    TMPDIR="$tmp" swift build "$@" || rc=$?
    rm -rf "$tmp"
    return "$rc"
}

# Stops with a sentence when the Swift toolchain is missing (apt-get does not have it).
require_swift() {
    local who=${1:-labourmatch}
    if ! command -v swift >/dev/null 2>&1; then
        echo "$who: swift not found: install the Swift 6 toolchain (https://www.swift.org/install/) and run again" >&2
        exit 1
    fi
}
