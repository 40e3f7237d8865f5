#!/bin/bash
# lint-src.sh - source rules from STYLE.md that a grep can check, as TAP:
#   1. no banned functions (rule 14) in lib/, cmd/, test/unit/;
#   2. cmd/*.c include no lib/ header but atlas.h (rule 1);
#   3. the library never prints or exits (rule 3).
# Comments and string literals are blanked first, so prose and messages
# that mention a name do not count; line numbers are kept.
set -u
cd "$(dirname "$0")/.." || exit 1
shopt -s nullglob

# find_calls REGEX FILE... - print FILE:LINE: text for every match of the
# Perl REGEX in the code (not comments or strings) of the files.
find_calls() {
	local re=$1
	shift
	[ $# -eq 0 ] && return 0
	perl -e '
		my $re = qr/$ARGV[0]/;
		shift @ARGV;
		for my $f (@ARGV) {
			open(my $fh, "<", $f) or die "$f: $!\n";
			local $/;
			my $s = <$fh>;
			close $fh;
			$s =~ s{(/\*.*?\*/|//[^\n]*)|("(?:\\.|[^"\\\n])*")|(\x27(?:\\.|[^\x27\\\n])*\x27)}{
				defined $1 ? ($1 =~ tr/\n//cdr) : defined $2 ? q("") : q(0)
			}gse;
			my $n = 0;
			for my $line (split /\n/, $s, -1) {
				$n++;
				print "$f:$n: $line\n" if $line =~ $re;
			}
		}' "$re" "$@"
}

# report N NAME OUTPUT - one TAP line, OUTPUT (the offenders) as comments.
report() {
	if [ -z "$3" ]; then
		echo "ok $1 - $2"
	else
		echo "not ok $1 - $2"
		printf '%s\n' "$3" | sed 's/^/# /'
	fi
}

echo "1..3"

# A call is the name, not preceded by an identifier character or by "."
# or "->" (a struct member), then "(".
call='(?<![\w.>])'

banned=$(find_calls "${call}(gets|sprintf|strcpy|strcat|atoi|atol|strtok)\s*\(" \
	lib/*.[ch] lib/*/*.[ch] cmd/*.[ch] test/unit/*.[ch])
report 1 "no banned functions (gets sprintf strcpy strcat atoi atol strtok)" \
	"$banned"

# Every header a command includes must be its own (cmd/NAME) or atlas.h.
includes=""
for f in cmd/*.c; do
	while IFS= read -r line; do
		name=${line#*[<\"]}
		name=${name%%[>\"]*}
		case $name in
		*..*) ;;
		*) [ -e "cmd/$name" ] && continue ;;
		esac
		base=${name##*/}
		[ "$base" = atlas.h ] && continue
		case $name in
		lib/* | ../lib/*) ;;
		*) [ -e "lib/$name" ] || continue ;;
		esac
		includes+="$f: $line"$'\n'
	done < <(grep -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' "$f")
done
report 2 "cmd/*.c include no lib/ header but atlas.h" "${includes%$'\n'}"

prints=$(find_calls "${call}(printf|vprintf|puts|putchar|perror|_?exit|_Exit|abort)\s*\(|\b(stdout|stderr)\b" \
	lib/*.c lib/*/*.c)
report 3 "lib/ never prints or exits (printf puts exit abort stdout stderr)" \
	"$prints"
exit 0
