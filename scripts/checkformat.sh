#!/usr/bin/env bash
# Fails when a C file is not clang-format clean (generated models excepted).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "checkformat: clang-format missing, skipped"; exit 0; }
files=$( (git ls-files '*.c' '*.h'; git ls-files --others --exclude-standard '*.c' '*.h') | sort -u | grep -v '^src/aws/models/' || true)
[ -n "$files" ] || exit 0
if [ "${1:-}" = "--fix" ]; then
    clang-format -i $files
    exit 0
fi
bad=0
for f in $files; do
    [ -f "$f" ] || continue
    if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "checkformat: $f is not clang-format clean (run: make format)"
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "checkformat: ok"
exit $bad
