#!/usr/bin/env bash
# Seed the cargo-fuzz corpora (fuzz/corpus/<target>/, not committed) from testdata/.
# Targets whose first input byte picks the file get every seed once per choice.
set -euo pipefail
cd "$(dirname "$0")"
td=../testdata
seed() { # target, prefix byte (or ""), files...
    local target=$1 prefix=$2; shift 2
    mkdir -p "corpus/$target"
    local f i=0
    for f in "$@"; do
        i=$((i + 1))
        if [ -n "$prefix" ]; then
            { printf "\\x$prefix"; cat "$f"; } > "corpus/$target/seed-$prefix-$i"
        else
            cp "$f" "corpus/$target/seed-$i"
        fi
    done
}
mapfile -t buck < <(find $td -type f \( -name BUCK -o -name '*.bzl' -o -name BUCK.v2 -o -name PACKAGE \) | sort)
for p in 00 01 02 03; do seed starlark_lint "$p" "${buck[@]}"; done
mapfile -t fixups < <(find $td -type f -name 'fixups.toml' | sort)
seed fixups_toml "" "${fixups[@]}"
seed reindeer_toml "" $(find $td -type f -name 'reindeer.toml' | sort)
seed buckconfig "" $(find $td -type f -name '.buckconfig' | sort)
seed cargo_lock "" $(find $td -type f -name 'Cargo.lock' | sort)
for p in 00 01; do seed fixer "$p" "${fixups[@]}"; done
seed fixer 02 "${buck[@]}"
# inputs that once failed (see README.md) stay in the corpora
for d in regressions/*/; do
    t=$(basename "$d")
    mkdir -p "corpus/$t" && cp "$d"* "corpus/$t/"
done
for d in corpus/*; do echo "$d: $(ls "$d" | wc -l) seeds"; done
