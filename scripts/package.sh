#!/usr/bin/env bash
# Builds the Debian package of stripe-webhookd (README "Installing"): a release binary with the Swift
# runtime and Foundation linked in statically (--static-swift-stdlib), so it runs on a Debian or Ubuntu
# machine without the Swift toolchain, and a .deb with
#   /usr/bin/stripe-webhookd                      the binary
#   /lib/systemd/system/stripe-webhookd.service   deploy/stripe-webhookd.service, with the packaged path
#   /etc/stripe-webhookd/config.json              config.example.json, a conffile (edits survive upgrades)
#   /usr/share/man/man1/stripe-webhookd.1.gz      made from the binary's --help (scripts/help-to-man.py)
#   /usr/share/doc/stripe-webhookd/               the README, the config example and the nginx site
# and maintainer scripts that create the system user stripe-webhookd, /var/lib/stripe-webhookd and an
# /etc/stripe-webhookd/env for the signing secret (0640 root:stripe-webhookd), and remove them on purge.
# Depends: is what dpkg-shlibdeps finds for the libraries the binary links (checked against ldd).
#
# usage: scripts/package.sh [--out DIR]        (default dist/; prints the .deb's path last)
# needs: swift, libcurl4-openssl-dev (static Foundation), dpkg-dev (dpkg-shlibdeps), python3; the
#        missing Debian packages are installed with apt-get when run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
out=dist
while [ $# -gt 0 ]; do
  case $1 in
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "package.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
fail() { echo "package.sh: $*" >&2; exit 1; }
name=stripe-webhookd

# What the build needs from Debian.
need=()
for p in libcurl4-openssl-dev dpkg-dev libssl-dev libsqlite3-dev; do
  [ "$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)" = installed ] || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "missing Debian packages: ${need[*]} (apt-get install ${need[*]})"
  echo "# package.sh: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; }
fi
command -v python3 >/dev/null || fail "python3 is needed to write the man page (apt-get install python3)"

# The release build: the Swift runtime and Foundation linked in; no $ORIGIN run path (nothing is
# loaded from beside the binary). Its own scratch path, shared with scripts/bench.sh.
build=(swift build -c release --static-swift-stdlib --disable-local-rpath --scratch-path .build-static)
echo "# package.sh: ${build[*]}"
mkdir -p .build/package
"${build[@]}" >.build/package/build.log 2>&1 || { tail -40 .build/package/build.log >&2; fail "the release build failed (log: .build/package/build.log)"; }
binary="$("${build[@]}" --show-bin-path)/$name"

# The binary must not need the toolchain: no Swift library, nothing under the toolchain's directory,
# and it runs with an empty environment. The toolchain: /opt/swift for /opt/swift/usr/bin/swift.
toolchain=$(dirname "$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")")
libraries=$(ldd "$binary")
if grep -E 'libswift|libFoundation|libdispatch|libBlocksRuntime|not found' <<<"$libraries" || grep -F "$toolchain" <<<"$libraries"; then
  fail "$binary still needs the libraries above"
fi
if readelf -d "$binary" | grep -E '\((RPATH|RUNPATH)\)'; then
  fail "$binary has a run path (above)"
fi
version=$(env -i LD_LIBRARY_PATH= "$binary" --version | awk '{print $2}')
[[ $version =~ ^[0-9][A-Za-z0-9.+~-]*$ ]] || fail "'$binary --version' printed no usable version: $version"
arch=$(dpkg --print-architecture)
echo "# package.sh: $name $version ($arch), links: $(readelf -d "$binary" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | xargs)"

# The package tree.
stage=.build/package/${name}_${version}_$arch
rm -rf "$stage"
mkdir -p "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/$name" \
  "$stage/usr/share/man/man1" "$stage/usr/share/doc/$name/examples"
# Stripped, as Debian's policy asks (Swift's symbolicating backtracer is part of the toolchain, which a
# server does not have; the unstripped binary stays in the build directory).
strip --strip-unneeded --remove-section=.comment --remove-section=.note -o "$stage/usr/bin/$name" "$binary"
chmod 0755 "$stage/usr/bin/$name"

# The unit: the shipped one with the packaged binary's path, its install notes swapped for the
# package's (the comment block before the first blank line).
{
  cat <<EOF
# systemd unit for stripe-webhookd, installed by its Debian package (see man stripe-webhookd and
# /usr/share/doc/stripe-webhookd/README.md.gz). Before starting it:
#   put the signing secret in /etc/stripe-webhookd/env (STRIPE_WEBHOOK_SECRET=whsec_...),
#   edit /etc/stripe-webhookd/config.json and check it as the service user:
#     runuser -u stripe-webhookd -- stripe-webhookd check-config --config /etc/stripe-webhookd/config.json
#   systemctl enable --now stripe-webhookd
# Change it with a drop-in (systemctl edit stripe-webhookd), not here: upgrades replace this file.
# Reload the config (secrets, handlers) without dropping connections: systemctl reload stripe-webhookd
EOF
  sed -e '1,/^$/{/^#/d}' -e "s|/usr/local/bin/$name|/usr/bin/$name|g" deploy/$name.service
} >"$stage/lib/systemd/system/$name.service"
chmod 0644 "$stage/lib/systemd/system/$name.service"
grep -q "^ExecStart=/usr/bin/$name " "$stage/lib/systemd/system/$name.service" \
  || fail "the unit's ExecStart does not run /usr/bin/$name (deploy/$name.service changed?)"

# 0640 from the start (lintian prefers 0644): a configuration may hold a secret's value inline.
install -m 0640 config.example.json "$stage/etc/$name/config.json"
install -m 0644 config.example.json deploy/nginx-site.conf "$stage/usr/share/doc/$name/examples/"
gzip -9n <README.md >"$stage/usr/share/doc/$name/README.md.gz"
# The commit's date, so that the same source makes the same page.
date=$(git log -1 --format=%cs 2>/dev/null || date -u +%F)
python3 scripts/help-to-man.py "$stage/usr/bin/$name" "$date" >"$stage/usr/share/man/man1/$name.1"
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$stage/usr/share/man/man1/$name.1" 2>&1)
  [ -z "$warnings" ] || fail "the man page has roff warnings: $warnings"
fi
gzip -9n "$stage/usr/share/man/man1/$name.1"
# Maintainer: Debian's DEBFULLNAME and DEBEMAIL, else git's identity here.
maintainer="${DEBFULLNAME:-$(git config user.name 2>/dev/null || echo "stripe-webhookd maintainers")} <${DEBEMAIL:-$(git config user.email 2>/dev/null || echo "root@$(hostname -f 2>/dev/null || hostname)")}>"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
cat >"$stage/usr/share/doc/$name/copyright" <<EOF
stripe-webhookd $version, built from commit $commit.
Copyright (C) ${date%%-*} the stripe-webhookd authors.
The binary contains the Swift runtime and Foundation (Apache License 2.0 with Runtime Library
Exception; /usr/share/common-licenses/Apache-2.0), linked statically.
EOF
{
  printf '%s (%s) unstable; urgency=medium\n\n  * Built from commit %s.\n\n -- %s  %s\n' \
    "$name" "$version" "$commit" "$maintainer" "$(date -R -d "${date}T00:00:00Z")"
} | gzip -9n >"$stage/usr/share/doc/$name/changelog.gz"
find "$stage" -type d -exec chmod 0755 {} +

# The conffile and the maintainer scripts.
echo "/etc/$name/config.json" >"$stage/DEBIAN/conffiles"
cat >"$stage/DEBIAN/postinst" <<'EOF'
#!/bin/sh
# stripe-webhookd postinst: the system user, its state directory, the secret's file, permissions.
set -e
name=stripe-webhookd
if [ "$1" = configure ]; then
    if ! getent passwd "$name" >/dev/null; then
        adduser --quiet --system --group --home "/var/lib/$name" --no-create-home \
            --shell /usr/sbin/nologin --gecos "stripe-webhookd, a Stripe webhook receiver" "$name"
    fi
    # The store's directory (the unit's StateDirectory= would make it too; the events commands need it
    # before the first start).
    if [ ! -d "/var/lib/$name" ]; then
        install -d -m 0750 -o "$name" -g "$name" "/var/lib/$name"
    fi
    # The daemon reads its configuration as its user (at start and on SIGHUP): group-readable, not
    # world-readable. dpkg-statoverride entries an administrator made win.
    for path in "/etc/$name" "/etc/$name/config.json"; do
        if ! dpkg-statoverride --list "$path" >/dev/null 2>&1; then
            chgrp "$name" "$path"
            if [ -d "$path" ]; then chmod 0750 "$path"; else chmod 0640 "$path"; fi
        fi
    done
    # The signing secret lives here, never in the unit or the config file; made once, kept on upgrade.
    if [ ! -e "/etc/$name/env" ]; then
        umask 077
        cat >"/etc/$name/env" <<'ENV'
# Environment of stripe-webhookd.service (EnvironmentFile=), mode 0640 root:stripe-webhookd.
# The endpoint's signing secret: Stripe Dashboard > Developers > Webhooks > your endpoint > Signing secret.
# Several, comma-separated, while you roll a secret.
#STRIPE_WEBHOOK_SECRET=whsec_...
ENV
        chgrp "$name" "/etc/$name/env"
        chmod 0640 "/etc/$name/env"
    fi
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload >/dev/null || true
        # An upgrade restarts a running daemon with the new binary; a first install starts nothing
        # (it has no secret yet).
        if [ -n "$2" ]; then
            if command -v deb-systemd-invoke >/dev/null; then
                deb-systemd-invoke try-restart "$name.service" >/dev/null || true
            fi
        fi
    fi
    if [ -z "$2" ]; then
        echo "stripe-webhookd: set STRIPE_WEBHOOK_SECRET in /etc/$name/env, edit /etc/$name/config.json, then: systemctl enable --now $name"
    fi
fi
exit 0
EOF
cat >"$stage/DEBIAN/prerm" <<'EOF'
#!/bin/sh
# stripe-webhookd prerm: stop the daemon before its binary goes away.
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
    if command -v deb-systemd-invoke >/dev/null; then
        deb-systemd-invoke stop stripe-webhookd.service >/dev/null 2>&1 || true
    fi
fi
exit 0
EOF
cat >"$stage/DEBIAN/postrm" <<'EOF'
#!/bin/sh
# stripe-webhookd postrm: remove keeps the configuration, the store and the user; purge deletes them
# (the events in /var/lib/stripe-webhookd too: back them up first).
set -e
name=stripe-webhookd
if [ "$1" = remove ] || [ "$1" = purge ]; then
    if [ -d /run/systemd/system ]; then
        systemctl daemon-reload >/dev/null || true
    fi
fi
if [ "$1" = purge ]; then
    # What `systemctl enable` left behind, now that the unit is gone.
    for link in /etc/systemd/system/*.wants/$name.service; do
        if [ -L "$link" ]; then rm -f "$link"; fi
    done
    rm -f "/etc/$name/env"
    rmdir --ignore-fail-on-non-empty "/etc/$name" 2>/dev/null || true
    rm -rf "/var/lib/$name"
    # The user owned only what was just deleted; a later install makes it again.
    if getent passwd "$name" >/dev/null; then
        if command -v deluser >/dev/null; then
            deluser --quiet --system "$name" >/dev/null 2>&1 || true
        else
            userdel "$name" >/dev/null 2>&1 || true
        fi
    fi
    if getent group "$name" >/dev/null; then
        if command -v delgroup >/dev/null; then
            delgroup --quiet --system --only-if-empty "$name" >/dev/null || true
        else
            groupdel "$name" >/dev/null 2>&1 || true
        fi
    fi
fi
exit 0
EOF
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/prerm" "$stage/DEBIAN/postrm"

# Depends: dpkg-shlibdeps over the binary (it reads debian/control of a source tree, so one is made),
# plus adduser for postinst. Every library ldd shows must belong to an installed package.
shlibs=.build/package/shlibs
rm -rf "$shlibs" && mkdir -p "$shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$name" "$name" >"$shlibs/debian/control"
depends=$(cd "$shlibs" && dpkg-shlibdeps -O -e"$ROOT/$stage/usr/bin/$name" 2>"$ROOT/$shlibs/warnings" | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { cat "$shlibs/warnings" >&2; fail "dpkg-shlibdeps found no dependencies"; }
for library in $(readelf -d "$binary" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p'); do
  path=$(awk -v lib="$library" '$1 == lib && $3 ~ /^\// {print $3}' <<<"$libraries" | head -1)
  [ -n "$path" ] || continue    # the dynamic loader itself
  # dpkg knows a file by the path its package shipped (/lib/... on a merged-/usr system too).
  package=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1) || true
  [ -n "$package" ] || package=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1) || true
  [ -n "$package" ] || fail "$library ($path) belongs to no Debian package"
  sed 's/ ([^)]*)//g; s/, */\n/g' <<<"$depends" | grep -qxF "$package" \
    || fail "$library is in $package, which Depends: ($depends) lacks"
done

cat >"$stage/DEBIAN/control" <<EOF
Package: $name
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $(du -sk --exclude=DEBIAN "$stage" | cut -f1)
Depends: $depends, adduser
Section: net
Priority: optional
Description: Stripe webhook receiver daemon
 Receives Stripe webhooks behind an HTTPS reverse proxy: verifies every
 Stripe-Signature (HMAC-SHA256, several secrets, timestamp tolerance), stores
 each event in SQLite before answering 200 (503 when it cannot, so Stripe
 retries), and runs a command or an HTTP forward per event type once per
 event id, with retries and dead letters. Health, readiness and Prometheus
 metrics endpoints; a systemd unit running it as its own user.
EOF
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | grep -vxF "etc/$name/config.json" \
  | sort | xargs md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

mkdir -p "$out"
deb=$out/${name}_${version}_$arch.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "# package.sh: $(dpkg-deb -f "$deb" Package Version Depends | tr '\n' ' ')"
echo "# package.sh: $(du -h "$deb" | cut -f1) $deb"
echo "$deb"
