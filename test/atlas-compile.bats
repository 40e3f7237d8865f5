#!/usr/bin/env bats
# atlas-compile.bats - the atlas-compile command line: options, sources
# and outputs, the three output formats, errors, I/O failures, the
# bundled kernels and atlas.mk, and the man page examples.  The language
# itself is tested in atlas-compile-lang.bats, v1.0 JSON in
# atlas-compile-v1.bats.

bats_require_minimum_version 1.5.0
load helpers

K=$ROOT/share/atlas/kernels
FIXP=$ROOT/test/fixtures/programs

# examples PAGE - the literal displays of the EXAMPLES section of man
# page PAGE, unescaped, "$ " prompts removed.
examples() {
	perl -ne '
		$in = /EXAMPLES/ if /^\.Sh /;
		next unless $in;
		if (/^\.Bd -literal/) { $lit = 1; next; }
		if (/^\.Ed/) { $lit = 0; next; }
		next unless $lit;
		s/^\$ //;
		s/\\&//g;
		s/\\-/-/g;
		s/\\e/\\/g;
		print;' "$1"
}

# scale - write scale.py, a kernel y = k * x with a guard.
scale() {
	cat > scale.py <<'EOF'
from atlas_kernel import DeviceArray, f32, get_global_id, u32


def scale(x: DeviceArray[f32], y: DeviceArray[f32], k: f32, n: u32):
    """y[i] = k * x[i]"""
    i = get_global_id()
    if i < n:
        y[i] = k * x[i]
EOF
}

# ninsns SOURCE - the number of instructions SOURCE compiles to.
ninsns() {
	atlas-compile --emit=asm -o - "$1" | grep -c "^$(printf '\t')"
}

setup() {
	# a directory of its own, without the files of "run"
	T=$BATS_TEST_TMPDIR/w
	mkdir -p "$T" && cd "$T" || return 1
	unset ATLAS_KERNEL_PATH
}

# ---- options -------------------------------------------------------------

@test "--help prints the usage and every option, exit 0" {
	run -0 --separate-stderr atlas-compile --help
	assert_equal "$stderr" ""
	assert_line --index 0 \
		"usage: atlas-compile [-hqVv] [--emit=format] [-o out] source"
	local o
	for o in --emit -h --help -o --output -q --quiet -v --verbose \
		-V --version; do
		assert_output --partial " $o"
	done
	run -0 --separate-stderr atlas-compile -h
	assert_line --index 0 --partial "usage: atlas-compile "
}

@test "--help synopsis is the man page SYNOPSIS" {
	local syn
	syn=$(mandoc -Tascii "$ROOT/man/man1/atlas-compile.1" | col -b |
		sed -n '/^SYNOPSIS/{n;s/^ *//;p;}')
	run -0 --separate-stderr atlas-compile --help
	assert_line --index 0 "usage: $syn"
}

@test "--version prints the version, exit 0" {
	run -0 --separate-stderr atlas-compile --version
	assert_equal "$stderr" ""
	assert_output "atlas-compile 0.1.0"
	run -0 --separate-stderr atlas-compile -V -v
	assert_output "atlas-compile 0.1.0
libatlas 0.1.0"
}

@test "--help and --version to /dev/full: write error, exit 1" {
	run -1 --separate-stderr bash -c 'atlas-compile --help > /dev/full'
	assert_equal "$stderr" \
		"atlas-compile: write error: No space left on device"
	run -1 --separate-stderr bash -c 'atlas-compile -V > /dev/full'
	assert_equal "$stderr" \
		"atlas-compile: write error: No space left on device"
}

@test "usage errors: one line, the Try line, exit 2" {
	local try="Try 'atlas-compile --help' for more information."
	run -2 --separate-stderr atlas-compile --foo k.py
	assert_output ""
	assert_equal "$stderr" "atlas-compile: unknown option '--foo'
$try"
	run -2 --separate-stderr atlas-compile -x k.py
	assert_equal "$stderr" "atlas-compile: unknown option '-x'
$try"
	run -2 --separate-stderr atlas-compile k.py -o
	assert_equal "$stderr" "atlas-compile: option '-o' requires an argument
$try"
	run -2 --separate-stderr atlas-compile k.py --emit
	assert_equal "$stderr" \
		"atlas-compile: option '--emit' requires an argument
$try"
	run -2 --separate-stderr atlas-compile --emit=cuda k.py
	assert_equal "$stderr" "atlas-compile: invalid output format 'cuda' \
(expected json, asm or v1)
$try"
	run -2 --separate-stderr atlas-compile
	assert_equal "$stderr" "atlas-compile: missing source
$try"
	run -2 --separate-stderr atlas-compile a.py b.py
	assert_equal "$stderr" "atlas-compile: unexpected operand 'b.py'
$try"
	run -2 --separate-stderr atlas-compile -o '' a.py
	assert_equal "$stderr" "atlas-compile: empty output file name
$try"
	# nothing was written
	run -0 ls -A
	assert_output ""
}

@test "a default output that would replace the source: exit 2" {
	cp "$FIXP/sigmoid.s" k.json
	run -2 --separate-stderr atlas-compile k.json
	assert_output ""
	assert_equal "$stderr" "atlas-compile: the output would replace the \
source 'k.json' (use -o)
Try 'atlas-compile --help' for more information."
	cmp k.json "$FIXP/sigmoid.s"
	cp "$FIXP/sigmoid.s" k.s
	run -2 --separate-stderr atlas-compile --emit=asm k.s
	assert_equal "$stderr" "atlas-compile: the output would replace the \
source 'k.s' (use -o)
Try 'atlas-compile --help' for more information."
	cmp k.s "$FIXP/sigmoid.s"
}

@test "-v describes each kernel on stderr; -q cancels it" {
	scale
	run -0 --separate-stderr atlas-compile -v scale.py
	assert_output ""
	assert_equal "$stderr" "atlas-compile: scale: $(ninsns scale.py) \
instructions, 4 parameters (x element, y element, k value, n guard)"
	run -0 --separate-stderr atlas-compile -v -q scale.py
	assert_equal "$stderr" ""
	cat "$FIXP/sigmoid.s" "$FIXP/vector_add.s" > two.s
	run -0 --separate-stderr atlas-compile -v two.s
	assert_equal "$stderr" "atlas-compile: sigmoid: 6 instructions, \
2 parameters (x any, y any)
atlas-compile: vector_add: 7 instructions, 3 parameters (a any, b any, c any)"
}

# ---- sources and outputs --------------------------------------------------

@test "default output: SOURCE with .json (.s for --emit=asm)" {
	scale
	mkdir -p d.x
	cp scale.py d.x/scale.py
	cp scale.py noext
	run -0 --separate-stderr atlas-compile scale.py
	assert_output ""
	assert_equal "$stderr" ""
	[ -s scale.json ]
	atlas-compile d.x/scale.py
	cmp d.x/scale.json scale.json
	atlas-compile noext
	cmp noext.json scale.json
	atlas-compile --emit=asm d.x/scale.py
	atlas-compile --emit=asm -o - scale.py > want.s
	cmp d.x/scale.s want.s
	atlas-compile --emit=v1 -o v1.json scale.py
	atlas-compile --emit=v1 d.x/scale.py
	cmp d.x/scale.json v1.json
}

@test "-o OUT, -o -, and '-' as the source" {
	scale
	atlas-compile scale.py
	run -0 --separate-stderr atlas-compile -o out.json scale.py
	assert_output ""
	assert_equal "$stderr" ""
	cmp out.json scale.json
	atlas-compile --output=out2.json scale.py
	cmp out2.json scale.json
	run -0 --separate-stderr atlas-compile scale.py -o -
	assert_equal "$stderr" ""
	cmp <(printf '%s\n' "$output") scale.json
	# stdin to stdout, recognised from the contents
	atlas-compile - < scale.py > stdin.json
	cmp stdin.json scale.json
	atlas-compile -o stdin2.json - < scale.py
	cmp stdin2.json scale.json
	cat scale.py | atlas-compile - > pipe.json
	cmp pipe.json scale.json
	# only the two files asked for, no temporary files left
	run -0 ls -A
	assert_output "out.json
out2.json
pipe.json
scale.json
scale.py
stdin.json
stdin2.json"
}

@test "the output file gets the usual mode; special files are written in place" {
	scale
	(umask 022 && atlas-compile scale.py)
	run -0 stat -c %a scale.json
	assert_output 644
	(umask 077 && atlas-compile -o private.json scale.py)
	run -0 stat -c %a private.json
	assert_output 600
	run -0 --separate-stderr atlas-compile -o /dev/null scale.py
	assert_equal "$stderr" ""
	[ -c /dev/null ]
}

@test "sources by name and by contents: assembly, JSON, Python" {
	cp "$FIXP/sigmoid.s" sig.s
	atlas-compile sig.s
	# the program form reads back to the same program
	atlas-compile -o back.json sig.json
	cmp back.json sig.json
	atlas-compile --emit=asm -o back.s sig.json
	cmp back.s sig.s
	# other names and stdin: by the contents
	cp sig.s sig.txt
	atlas-compile -o txt.json sig.txt
	cmp txt.json sig.json
	atlas-compile - < sig.json > stdin.json
	cmp stdin.json sig.json
	scale
	cp scale.py scale.txt
	atlas-compile -o a.json scale.py
	atlas-compile -o b.json scale.txt
	cmp a.json b.json
}

@test "--emit=json|asm: one kernel an object, several an array or listings" {
	cat "$FIXP/sigmoid.s" > two.s
	echo >> two.s
	cat "$FIXP/vector_add.s" >> two.s
	atlas-compile --emit=asm -o - two.s > back.s
	cmp back.s two.s
	atlas-compile two.s
	run -0 perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
		print join(" ", map { $_->{kernel} } @$j), "\n"' < two.json
	assert_output "sigmoid vector_add"
	atlas-compile -o one.json "$FIXP/sigmoid.s"
	run -0 perl -MJSON::PP -e 'local $/; my $j = decode_json(<STDIN>);
		print ref($j), " ", $j->{kernel}, "\n"' < one.json
	assert_output "HASH sigmoid"
	# the array reads back: to the same array, and to the same listing
	atlas-compile -o two2.json two.json
	cmp two2.json two.json
	atlas-compile --emit=asm -o - two.json > back2.s
	cmp back2.s two.s
	# and atlas-run runs either kernel of it
	f32 1 -2 > x
	atlas-run -k sigmoid two.json x=x y=y1
	atlas-run "$FIXP/sigmoid.s" x=x y=y2
	cmp y1 y2
}

@test "--emit=v1 of the bundled vector_add.py is the original's JSON" {
	run -0 --separate-stderr atlas-compile --emit=v1 -o - \
		"$K/vector_add.py"
	assert_equal "$stderr" ""
	atlas-compile --emit=v1 -o v1.json "$K/vector_add.py"
	cmp v1.json "$ROOT/test/fixtures/v1/vector_add.json"
	# v1.0 in, v1.0 out, unchanged
	atlas-compile --emit=v1 -o again.json v1.json
	cmp again.json v1.json
	# and it compiles to the same program as the source
	atlas-compile -o from-v1.json v1.json
	atlas-compile -o from-py.json "$K/vector_add.py"
	cmp from-v1.json from-py.json
}

@test "--emit=v1 needs the kernel language or v1.0 JSON: exit 1" {
	run -1 --separate-stderr atlas-compile --emit=v1 -o out.json \
		"$FIXP/sigmoid.s"
	assert_output ""
	assert_equal "$stderr" "atlas-compile: $FIXP/sigmoid.s: v1.0 JSON is \
written only from the kernel language or from v1.0 JSON"
	[ ! -e out.json ]
}

# ---- errors -------------------------------------------------------------------

@test "an error in the source: FILE:LINE:COL: message, exit 1, no output" {
	scale
	sed 's/k \* x\[i\]/k * z[i]/' scale.py > bad.py
	run -1 --separate-stderr atlas-compile bad.py
	assert_output ""
	assert_regex "$stderr" '^atlas-compile: bad\.py:8:[0-9]+: .*z'
	[ ! -e bad.json ]
	# an existing output stays as it was, and no temporary file is left
	echo keep > bad.json
	run -1 --separate-stderr atlas-compile bad.py
	run -0 cat bad.json
	assert_output keep
	run -1 --separate-stderr atlas-compile -o - bad.py
	assert_output ""
	run -0 ls -A
	assert_output "bad.json
bad.py
scale.py"
}

@test "errors in assembly and JSON sources have their place too" {
	run -1 --separate-stderr atlas-compile -o - \
		"$ROOT/test/fixtures/run/bad-syntax.s"
	assert_output ""
	assert_equal "$stderr" "atlas-compile: \
$ROOT/test/fixtures/run/bad-syntax.s:5:19: expected ',' after operand"
	# in the second kernel of a file: the place in the whole file
	{ cat "$FIXP/sigmoid.s"; echo; echo '.kernel k'; echo '	frob'; } > two.s
	run -1 --separate-stderr atlas-compile two.s
	assert_equal "$stderr" \
		"atlas-compile: two.s:12:2: unknown instruction 'frob'"
	printf '[\n  {"format": "atlas-program",\n' > cut.json
	run -1 --separate-stderr atlas-compile -o - cut.json
	assert_equal "$stderr" \
		"atlas-compile: cut.json:3:1: invalid JSON: unexpected end of input"
	printf '[]\n' > empty.json
	run -1 --separate-stderr atlas-compile -o - empty.json
	assert_equal "$stderr" \
		"atlas-compile: empty.json:1:1: no kernel in the array"
	printf '[{"format": "atlas-program", "version": 1, "kernel": "k",
  "instructions": [{"op": "exit"}]},
 {"format": "atlas-program", "version": 1, "kernel": "k2",
  "instructions": [{"op": "frob"}]}]\n' > arr.json
	run -1 --separate-stderr atlas-compile -o - arr.json
	assert_equal "$stderr" \
		"atlas-compile: arr.json:4:27: instructions[0]: unknown op 'frob'"
	# two kernels of one name: at the second
	{ cat "$FIXP/sigmoid.s"; echo; cat "$FIXP/sigmoid.s"; } > dup.s
	run -1 --separate-stderr atlas-compile -o - dup.s
	assert_equal "$stderr" \
		"atlas-compile: dup.s:11:1: duplicate kernel 'sigmoid'"
}

@test "a source that cannot be read: exit 1" {
	run -1 --separate-stderr atlas-compile nosuch.py
	assert_output ""
	assert_equal "$stderr" \
		"atlas-compile: nosuch.py: No such file or directory"
	mkdir dir.py
	run -1 --separate-stderr atlas-compile -o - dir.py
	assert_equal "$stderr" "atlas-compile: dir.py: read error: Is a directory"
}

@test "an output that cannot be written: exit 1, nothing left behind" {
	scale
	run -1 --separate-stderr atlas-compile -o nodir/out.json scale.py
	assert_output ""
	assert_equal "$stderr" \
		"atlas-compile: nodir/out.json: No such file or directory"
	run -1 --separate-stderr bash -c 'atlas-compile -o - scale.py > /dev/full'
	assert_equal "$stderr" \
		"atlas-compile: write error: No space left on device"
	run -1 --separate-stderr bash -c 'atlas-compile - < scale.py > /dev/full'
	assert_equal "$stderr" \
		"atlas-compile: write error: No space left on device"
	run -1 --separate-stderr atlas-compile -o /dev/full scale.py
	assert_equal "$stderr" \
		"atlas-compile: /dev/full: write error: No space left on device"
}

@test "'| head -c 1' on a large output: SIGPIPE (141), nothing on stderr" {
	perl -e 'print ".kernel big\n.param x f32[] in r1\n";
		print "\tmov_imm.u32 r", $_ % 250, ", $_\n" for 0 .. 3999;
		print "\texit\n"' > big.s
	run -0 --separate-stderr bash -c 'atlas-compile -o - big.s |
		head -c 1 > /dev/null; echo "${PIPESTATUS[0]}"'
	assert_output 141
	assert_equal "$stderr" ""
}

# ---- access classes: reduction lengths -------------------------------------------

# red - write red.py: r is indexed by the literals 3 and 1, s by the scalar
# parameter k (lane-independent, but not a literal).
red() {
	cat > red.py <<'EOF'
from atlas_kernel import DeviceArray, atomic_add, get_global_id, u32


def red(v: DeviceArray[u32], r: DeviceArray[u32], s: DeviceArray[u32], k: u32):
    i = get_global_id()
    atomic_add(r, 3, v[i])
    atomic_add(r, 1, v[i])
    atomic_add(s, k, v[i])
EOF
}

@test "vector_sum and vector_dot: a reduction of 1 element" {
	local f
	for f in vector_sum vector_dot; do
		run -0 --separate-stderr atlas-compile -o - "$K/$f.py"
		assert_equal "$stderr" ""
		run -0 grep '"name": "result"' <<< "$output"
		assert_output "    {\"name\": \"result\", \"kind\": \"array\", \
\"type\": \"f32\", \"use\": \"out\", \"register\": \
$([ $f = vector_sum ] && echo 2 || echo 3), \
\"access\": {\"reduction\": 1}},"
		run -0 grep -c '"access": {"reduction": 1}' "$K/$f.json"
		assert_output 1
		run -0 --separate-stderr atlas-compile --emit=asm -o - "$K/$f.py"
		assert_equal "$stderr" ""
		run -0 grep '^\.param result' <<< "$output"
		assert_output ".param result f32[] out \
r$([ $f = vector_sum ] && echo 2 || echo 3) reduction 1"
	done
}

@test "literal atomic indices 3 and 1: length 4; a scalar index: unknown" {
	red
	run -0 --separate-stderr atlas-compile -o - red.py
	assert_equal "$stderr" ""
	run -0 grep '"kind": "array"' <<< "$output"
	assert_output '    {"name": "v", "kind": "array", "type": "u32", "use": "in", "register": 1, "access": "element"},
    {"name": "r", "kind": "array", "type": "u32", "use": "out", "register": 2, "access": {"reduction": 4}},
    {"name": "s", "kind": "array", "type": "u32", "use": "out", "register": 3, "access": "reduction"},'
	run -0 --separate-stderr atlas-compile --emit=asm -o - red.py
	assert_equal "$stderr" ""
	run -0 grep '^\.param' <<< "$output"
	assert_output '.param v u32[] in r1 element
.param r u32[] out r2 reduction 4
.param s u32[] out r3 reduction
.param k u32 value r4'
}

@test "reduction lengths read back exactly: assembly and JSON" {
	red
	atlas-compile --emit=asm -o red.s red.py
	atlas-compile -o red.json red.s
	atlas-compile --emit=asm -o back.s red.json
	cmp back.s red.s
	atlas-compile -o back.json back.s
	cmp back.json red.json
	atlas-compile -o py.json red.py
	cmp py.json red.json
}

@test "a bad reduction length: FILE:LINE:COL: message, exit 1" {
	local bad
	for bad in 0 -1 9007199254740993; do
		printf '.kernel k\n.param x f32[] out r1 reduction %s\n\texit\n' \
			"$bad" > bad.s
		run -1 --separate-stderr atlas-compile -o - bad.s
		assert_output ""
		assert_equal "$stderr" "atlas-compile: bad.s:2:33: reduction \
length $bad out of range (1 to 9007199254740992)"
	done
	printf '.kernel k\n.param x f32[] out r1 reduction k\n\texit\n' > bad.s
	run -1 --separate-stderr atlas-compile -o - bad.s
	assert_output ""
	assert_equal "$stderr" \
		"atlas-compile: bad.s:2:33: invalid reduction length 'k'"
	printf '.kernel k\n.param n u32 value r1 reduction 1\n\texit\n' > bad.s
	run -1 --separate-stderr atlas-compile -o - bad.s
	assert_output ""
	assert_equal "$stderr" "atlas-compile: bad.s:2:23: access \
'reduction' needs an array parameter"
	for bad in 0 2.5 '"k"'; do
		printf '{"format": "atlas-program", "version": 1, "kernel": "k",
  "params": [{"name": "x", "kind": "array", "type": "f32", "use": "out", "register": 1, "access": {"reduction": %s}}],
  "instructions": [{"op": "exit"}]}\n' "$bad" > bad.json
		run -1 --separate-stderr atlas-compile -o - bad.json
		assert_output ""
		assert_equal "$stderr" "atlas-compile: bad.json:2:113: \
params[0].access: 'reduction' must be an integer from 1 to 9007199254740992"
	done
	printf '{"format": "atlas-program", "version": 1, "kernel": "k",
  "params": [{"name": "x", "kind": "array", "type": "f32", "use": "out", "register": 1, "access": {"record": 2, "reduction": 2}}],
  "instructions": [{"op": "exit"}]}\n' > bad.json
	run -1 --separate-stderr atlas-compile -o - bad.json
	assert_output ""
	assert_equal "$stderr" "atlas-compile: bad.json:2:113: \
params[0].access: 'record' and 'reduction' exclude each other"
}

# ---- the bundled kernels and make ---------------------------------------------

@test "make built every bundled kernel, as atlas-compile compiles it" {
	local f n=0
	for f in "$K"/*.py; do
		atlas-compile -o got.json "$f"
		cmp got.json "${f%.py}.json"
		n=$((n + 1))
	done
	[ "$n" -ge 25 ]
	# and no hand-written assembly is left among them
	run -0 find "$K" -name '*.s'
	assert_output ""
}

@test "atlas.mk: a user's Makefile builds kernels with ATLAS_COMPILE" {
	unset MAKEFLAGS MFLAGS MAKELEVEL
	scale
	mkdir kernels
	cp scale.py kernels/
	printf 'include %s\n\nall: scale.json\n' "$ROOT/share/atlas/atlas.mk" \
		> kernels/Makefile
	run -0 --separate-stderr make -C kernels ATLAS_COMPILE=atlas-compile
	assert_equal "$stderr" ""
	assert_output --partial "atlas-compile  -o scale.json scale.py"
	atlas-compile -o want.json scale.py
	cmp kernels/scale.json want.json
	# up to date: nothing to do
	run -0 --separate-stderr make -s -C kernels
	assert_output ""
	# ATLAS_COMPILE_FLAGS reach the compiler
	touch kernels/scale.py
	run -0 --separate-stderr make -s -C kernels ATLAS_COMPILE_FLAGS=-v
	assert_equal "$stderr" "atlas-compile: scale: $(ninsns scale.py) \
instructions, 4 parameters (x element, y element, k value, n guard)"
}

# ---- documentation ------------------------------------------------------------

@test "the man page EXAMPLES run" {
	unset MAKEFLAGS MFLAGS MAKELEVEL
	examples "$ROOT/man/man1/atlas-compile.1" |
		sed "s|/usr/local/share/atlas|$ROOT/share/atlas|" > examples.sh
	[ -s examples.sh ]
	run -0 --separate-stderr bash -e examples.sh
	assert_output --partial ".kernel scale"
	assert_regex "$stderr" '^atlas-compile: scale: [0-9]+ instructions'
	cmp y.f32 <(f32 2.5 5 7.5)
	cmp y2.f32 <(f32 2 4 6)
	cmp scale2.json scale.json
	[ -s scale.v1.json ]
	[ -s kernels/scale.json ]
}

@test "atlas-kernel(5) EXAMPLES are the bundled vector_add, both forms" {
	perl -ne '
		$in = /EXAMPLES/ if /^\.Sh /;
		next unless $in;
		if (/^\.Bd -literal/) { $n++; open(OUT, ">", "ex$n.json"); next; }
		if (/^\.Ed/) { close(OUT); next; }
		s/\\&//g; s/\\-/-/g; s/\\e/\\/g;
		print OUT if $n && fileno(OUT);' "$ROOT/man/man5/atlas-kernel.5"
	cmp ex1.json "$K/vector_add.json"
	atlas-compile --emit=v1 -o v1.json "$K/vector_add.py"
	cmp ex2.json v1.json
}
