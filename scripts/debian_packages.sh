# debian_packages.sh: the one way the project's scripts install what they need (sourced).
#
#   missing_packages PKG...        prints the packages that are not installed, each after a space
#   install_packages WHO PKG...    installs the missing ones with apt-get (through sudo when not
#                                  root), saying so as WHO; does nothing when none is missing
missing_packages() {
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || printf ' %s' "$p"
    done
}

install_packages() {
    who=$1
    shift
    need=$(missing_packages "$@")
    [ -n "$need" ] || return 0
    command -v apt-get >/dev/null || { echo "$who: missing packages:$need, and no apt-get" >&2; exit 2; }
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    echo "$who: installing Debian packages:$need"
    $sudo apt-get update -qq
    # Package scripts may try to start system daemons (munge, slurm): quiet, and harmless here.
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
}
