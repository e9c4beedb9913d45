#!/usr/bin/env bash
# Source checks: banned C functions and the file-header comment rule.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
files=$(git ls-files '*.c' '*.h' 2>/dev/null; git ls-files --others --exclude-standard '*.c' '*.h' 2>/dev/null)
for f in $files; do
    [ -f "$f" ] || continue
    if grep -nE '(^|[^_a-zA-Z0-9])(sprintf|strcpy|strcat|strncpy|strtok|atoi|atol|sscanf|gets)[[:space:]]*\(' "$f" \
        | grep -v 'checksrc:allow'; then
        echo "checksrc: $f uses a banned function (see docs/style)"
        fail=1
    fi
    if ! head -n 3 "$f" | grep -qE '^(/\*|//)'; then
        echo "checksrc: $f does not start with a comment saying what it is for"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "checksrc: ok"
exit $fail
