#!/bin/bash
# lint-man.sh - every man page must pass "mandoc -Tlint -Wwarning" without
# a single message.  TAP output, one test per page.
set -u
cd "$(dirname "$0")/.." || exit 1

shopt -s nullglob
pages=(man/man*/*.[1-9])
if [ ${#pages[@]} -eq 0 ]; then
	echo "1..0 # SKIP no man pages"
	exit 0
fi

echo "1..${#pages[@]}"
n=0
for page in "${pages[@]}"; do
	n=$((n + 1))
	out=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	rc=$?
	if [ -z "$out" ] && [ $rc -eq 0 ]; then
		echo "ok $n - mandoc lint $page"
	else
		echo "not ok $n - mandoc lint $page"
		[ -n "$out" ] && printf '%s\n' "$out" | sed 's/^/# /'
		[ -z "$out" ] && echo "# mandoc exited $rc"
	fi
done
exit 0
