# Sourced by the scripts that check an install on a fresh Debian 12 root (fresh-debian-check,
# deb-check). debian_root_make: `debootstrap --variant=minbase bookworm` into a new folder
# ($ROOT), with only this machine's package-registry settings copied in (apt sources and
# settings, DNS, extra certificate authorities, npm's global settings), and /proc, /sys, /dev
# mounted. in_root CMD runs CMD there; debian_root_cleanup unmounts and removes it (keeps it
# when KEEP=1). Needs root.

ROOT=""
mounted=()
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f", b - a }'; }
used_mb() { du -sxm "$ROOT" | awk '{print $1}'; }

in_root() {
  chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 /bin/bash -c "$1"
}

debian_root_cleanup() {
  set +e
  [ -n "$ROOT" ] && [ -f "$ROOT/root/run.pgid" ] && kill -- -"$(cat "$ROOT/root/run.pgid")" 2>/dev/null
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount -l "${mounted[$i]}"; done
  if [ -z "$ROOT" ]; then return; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "root kept in $ROOT"; else rm -rf "$ROOT"; fi
}

debian_root_make() {
  command -v debootstrap >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }

  # The mirror the machine's apt uses (deb822 or one-line sources).
  MIRROR=$(grep -hoE '^URIs: *[^ ]+' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
  [ -n "$MIRROR" ] || MIRROR=$(grep -hoE '^deb +[^ ]+' /etc/apt/sources.list 2>/dev/null | head -1 | awk '{print $2}')
  [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian

  ROOT=$(mktemp -d /var/tmp/vigie-root.XXXXXX)
  chmod 755 "$ROOT"  # the root of a system: its users other than root walk it too
  echo "debootstrap --variant=minbase bookworm from $MIRROR into $ROOT"
  t=$(now)
  debootstrap --variant=minbase bookworm "$ROOT" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 ||
    { tail -20 "$ROOT.debootstrap.log" >&2; exit 1; }
  rm -f "$ROOT.debootstrap.log"
  echo "root made in $(secs "$t" "$(now)") s, $(used_mb) MB"

  # The package-registry settings of this machine, and nothing else of it.
  rm -f "$ROOT/etc/apt/sources.list"
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && cp "$f" "$ROOT$f"
  done
  for f in /etc/apt/apt.conf.d/*; do
    grep -qE '^[[:space:]]*Acquire' "$f" 2>/dev/null && cp "$f" "$ROOT$f"
  done
  cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
  mkdir -p "$ROOT/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/" 2>/dev/null || true
  for f in /etc/npmrc /usr/etc/npmrc; do
    [ -f "$f" ] && mkdir -p "$ROOT$(dirname "$f")" && cp "$f" "$ROOT$f"
  done

  for m in proc sys dev dev/pts; do
    case "$m" in
      proc) mount -t proc proc "$ROOT/proc" ;;
      sys) mount -t sysfs sys "$ROOT/sys" ;;
      *) mount --bind "/$m" "$ROOT/$m" ;;
    esac
    mounted+=("$ROOT/$m")
  done
  mount -t tmpfs -o size=1g tmpfs "$ROOT/dev/shm"  # Chromium's shared memory
  mounted+=("$ROOT/dev/shm")
}
