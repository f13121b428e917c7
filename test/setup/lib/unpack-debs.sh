# Sourced by test/setup/*.sh (kept out of that glob: .ci/run runs each *.sh there).
# unpack_debs DEST MARKER PACKAGE...
#   apt-get download the packages and dpkg -x them into DEST/root WITHOUT installing
#   them: their maintainer scripts would create users and start daemons (prometheus,
#   mon). Does nothing when MARKER, a file they bring, is already there.
unpack_debs() {
  local dest=$1 marker=$2
  shift 2
  if [ -e "$marker" ]; then
    echo "$* already in $dest"
    return 0
  fi
  mkdir -p "$dest"
  unpack_work=$(mktemp -d)
  trap 'rm -rf "$unpack_work"' EXIT
  chmod 755 "$unpack_work" # apt's _apt user must be able to write the download here
  (cd "$unpack_work" && apt-get download "$@" >/dev/null 2>&1 || { apt-get update -qq && apt-get download "$@"; })
  rm -rf "$dest/root"
  local f
  for f in "$unpack_work"/*.deb; do dpkg -x "$f" "$dest/root"; done
  test -e "$marker" || {
    echo "unpack_debs: $marker missing after unpacking $*" >&2
    return 1
  }
  echo "$* unpacked into $dest/root"
}
