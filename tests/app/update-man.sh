#!/bin/sh
# Regenerates the COMMANDS section of man/rnnlab.1 from the command table.
# usage: sh tests/app/update-man.sh path/to/rnnlab   (from the source tree's top folder)
set -e
rnnlab=${1:?usage: update-man.sh RNNLAB}
man=${2:-man/rnnlab.1}
tmp="$man.tmp"
sed -n '1,/^\.\\" BEGIN COMMANDS/p' "$man" >"$tmp"
"$rnnlab" --help-commands >>"$tmp"
sed -n '/^\.\\" END COMMANDS/,$p' "$man" >>"$tmp"
mv "$tmp" "$man"
