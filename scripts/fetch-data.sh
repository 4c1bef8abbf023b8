#!/usr/bin/env bash
# Regenerates balora's shipped text data from the Debian packages it was converted from.
#
#   scripts/fetch-data.sh           rewrite data/food-reviews and data/austen (the models build copies
#                                   them into its jar as classpath resources)
#   scripts/fetch-data.sh --check   regenerate into a temporary folder and diff against the committed
#                                   files; exit 1 on any difference
#
# Needs apt-get (download only, nothing is installed), dpkg-deb and python3 (standard library only).
# The R lazy-load databases are decoded by scripts/convert_rdata.py.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
check=false
if [[ "${1:-}" == "--check" ]]; then check=true; elif [[ $# -gt 0 ]]; then
  echo "usage: $0 [--check]" >&2; exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download writes into the current directory; as root it warns that the _apt user
# cannot read it, which is harmless, so the folder is made world-readable.
chmod 755 "$work"
(cd "$work" && apt-get download r-cran-modeldata r-cran-janeaustenr)
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
lib="$work/root/usr/lib/R/site-library"

out="$work/out"
python3 "$repo/scripts/convert_rdata.py" food-reviews "$lib/modeldata" "$out/food-reviews"
python3 "$repo/scripts/convert_rdata.py" austen "$lib/janeaustenr" "$out/austen"

targets=("$repo/data")
if $check; then
  status=0
  for target in "${targets[@]}"; do
    for set in food-reviews austen; do
      # Only the data files are compared; the README beside them is not generated.
      for f in "$out/$set"/*; do
        if ! cmp -s "$f" "$target/$set/$(basename "$f")"; then
          echo "DIFFERS: $target/$set/$(basename "$f")" >&2; status=1
        fi
      done
    done
  done
  if [[ $status -eq 0 ]]; then echo "all files reproduced byte for byte"; fi
  exit $status
fi

for target in "${targets[@]}"; do
  for set in food-reviews austen; do
    mkdir -p "$target/$set"
    cp "$out/$set"/* "$target/$set/"
  done
done
echo "wrote ${targets[*]}"
