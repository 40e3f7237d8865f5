#!/bin/bash
# lint-options.sh - keep --help and the man pages honest (STYLE rule 40):
# for every built program bin/atlas-*, each long option that "PROG --help"
# prints must be documented in man/man1/PROG.1 (as "Fl \-name" in mdoc)
# and each long option the page documents must appear in --help.
# TAP output, one test per program.
set -u
cd "$(dirname "$0")/.." || exit 1
shopt -s nullglob

progs=()
for p in bin/atlas-*; do
	[ -f "$p" ] && [ -x "$p" ] && progs+=("$p")
done
if [ ${#progs[@]} -eq 0 ]; then
	echo "1..0 # SKIP no programs"
	exit 0
fi

# Long options in mdoc: arguments of an Fl macro that start with "-" or
# "\-" ("Fl \-threads", "Fl h , \-help"), printed as --name.
man_options() {
	perl -ne '
		next unless /^\./;
		my $in_fl = 0;
		for my $w (split " ", substr($_, 1)) {
			if ($w eq "Fl") { $in_fl = 1; next; }
			if ($w =~ /^[A-Z][a-z]{1,2}$/) { $in_fl = 0; next; }
			print "-$1\n" if $in_fl && $w =~ /^\\?(-[a-z][a-z-]*)/;
		}' "$1" | sed 's/-*$//' | sort -u
}

echo "1..${#progs[@]}"
n=0
for prog in "${progs[@]}"; do
	n=$((n + 1))
	name=${prog#bin/}
	page=man/man1/$name.1
	if ! help=$("$prog" --help 2>&1); then
		echo "not ok $n - $name --help matches $page"
		echo "# $name --help failed"
		continue
	fi
	if [ ! -f "$page" ]; then
		echo "not ok $n - $name --help matches $page"
		echo "# no man page $page"
		continue
	fi
	from_help=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z-]*' |
		sed 's/-*$//' | sort -u)
	from_man=$(man_options "$page")
	missing_man=$(comm -23 <(printf '%s\n' "$from_help") \
		<(printf '%s\n' "$from_man") | grep . || true)
	missing_help=$(comm -13 <(printf '%s\n' "$from_help") \
		<(printf '%s\n' "$from_man") | grep . || true)
	if [ -z "$missing_man$missing_help" ]; then
		echo "ok $n - $name --help matches $page"
	else
		echo "not ok $n - $name --help matches $page"
		for o in $missing_man; do
			echo "# $o: in --help, not in $page"
		done
		for o in $missing_help; do
			echo "# $o: in $page, not in --help"
		done
	fi
done
exit 0
