# helpers.bash - loaded by every Bats file with "load helpers".
#
# Sets ROOT to the repository root and puts $ROOT/bin first in PATH, so
# tests call the programs by name.  With ATLAS_WRAP set (for example
# ATLAS_WRAP='valgrind -q --error-exitcode=99') each program becomes a
# shell function that runs it under that wrapper.  Sanitizer and valgrind
# failures exit 99, which no test expects, so they fail the test.

load /usr/lib/bats/bats-support/load.bash
load /usr/lib/bats/bats-assert/load.bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export ROOT
PATH=$ROOT/bin:$PATH
export PATH

export ASAN_OPTIONS=exitcode=99:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=99

if [ -n "${ATLAS_WRAP:-}" ]; then
	for _prog in atlas-run atlas-compile atlas-validate atlas-pool \
		atlas-bench; do
		[ -x "$ROOT/bin/$_prog" ] || continue
		# ATLAS_WRAP is split into words on purpose.
		eval "$_prog() { \$ATLAS_WRAP \"\$ROOT/bin/$_prog\" \"\$@\"; }"
		export -f "$_prog"
	done
	unset _prog
	export ATLAS_WRAP
fi

# f32 NUMBER... - write the numbers to stdout as little-endian float32.
f32() {
	perl -e 'binmode STDOUT; print pack("f<*", @ARGV)' -- "$@"
}

# f32_read FILE - print the little-endian float32 values of FILE, one a
# line, with %.9g (enough digits to round-trip).
f32_read() {
	perl -e 'binmode STDIN; local $/; my $d = <STDIN>;
		printf("%.9g\n", $_) for unpack("f<*", $d)' < "$1"
}

# man_examples PAGE [raw|formats] - the literal displays (.Bd -literal) of
# the EXAMPLES section of man page PAGE, unescaped, "$ " prompts removed:
# the commands as a user would type them.  With raw, only the displays
# that use no --format and no FMT: binding; with formats, only those.
man_examples() {
	perl -e '
		my ($page, $want) = @ARGV;
		open(my $f, "<", $page) or die "$page: $!\n";
		my ($in, $lit, $block) = (0, 0, "");
		while (<$f>) {
			$in = /EXAMPLES/ if /^\.Sh /;
			next unless $in;
			if (/^\.Bd -literal/) { $lit = 1; $block = ""; next; }
			if (/^\.Ed/) {
				$lit = 0;
				my $fmt = $block =~ /--format|=(text|npy|raw):/;
				print $block if !$want ||
					($want eq "formats") == !!$fmt;
				next;
			}
			next unless $lit;
			s/^\$ //;
			s/\\&//g;
			s/\\-/-/g;
			s/\\e/\\/g;
			$block .= $_;
		}' "$@"
}
