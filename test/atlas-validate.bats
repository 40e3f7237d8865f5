#!/usr/bin/env bats
# atlas-validate.bats - the checks of man 1 atlas-validate.  Each kernel
# of test/fixtures/invalid fails one check: atlas-validate prints exactly
# the line of its .expect file and exits 1, and atlas-run refuses it with
# the same message.  Every bundled kernel is valid, with no warning.

bats_require_minimum_version 1.5.0
load helpers

INV=$ROOT/test/fixtures/invalid
VAL=$ROOT/test/fixtures/validate
KERNELS=$ROOT/share/atlas/kernels
TRY="Try 'atlas-validate --help' for more information."

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	unset ATLAS_KERNEL_PATH
}

# The invalid fixtures, by file name.
fixtures() {
	(cd "$INV" && ls -- *.s *.json *.py 2> /dev/null)
}

# ---- the fixtures ----------------------------------------------------------

@test "test/fixtures/invalid: at least 30 kernels, each with its .expect" {
	local f n=0
	for f in $(fixtures); do
		[ -f "$INV/${f%.*}.expect" ] || fail "no ${f%.*}.expect for $f"
		n=$((n + 1))
	done
	[ "$n" -ge 30 ] || fail "only $n invalid kernels"
}

@test "every invalid fixture: its one error line, exit 1, nothing on stdout" {
	local f want
	cd "$INV"
	for f in $(fixtures); do
		want=$(cat "${f%.*}.expect")
		run -1 --separate-stderr atlas-validate "$f"
		assert_output ""
		assert_equal "$stderr" "$want"
	done
}

@test "each .expect names the check of its file (NAME or NAME-*)" {
	local f id
	for f in $(fixtures); do
		id=$(sed -n 's/^[^[]*error: \[\([a-z-]*\)\] .*/\1/p' \
			"$INV/${f%.*}.expect")
		case ${f%.*} in
		"$id" | "$id"-*) ;;
		*) fail "$f: .expect has id '$id'" ;;
		esac
	done
}

@test "atlas-run refuses every invalid fixture with the same message" {
	local f want
	cd "$INV"
	for f in $(fixtures); do
		# atlas-validate: FILE:L:C: error: [ID] MSG -> FILE:L:C: MSG
		want=$(sed 's/^atlas-validate: //; s/ error: \[[a-z-]*\] / /' \
			"${f%.*}.expect")
		run -1 --separate-stderr atlas-run "$f" < /dev/null
		assert_output ""
		assert_equal "$stderr" "atlas-run: $want"
	done
}

@test "the checks the issue names each have their own diagnostic" {
	cd "$INV"
	local want=(register.s:register uninitialized.s:uninitialized
		type-mismatch.s:type-mismatch undefined-label.s:undefined-label
		index-range.s:index-range unity-neutral.s:unity-neutral
		mirror-safety.s:mirror-safety class-hop.s:class-hop) w
	for w in "${want[@]}"; do
		run -1 --separate-stderr atlas-validate "${w%%:*}"
		assert_equal "$stderr" "$(cat "${w%%.*}.expect")"
		[[ $stderr == *": error: [${w#*:}] "* ]] ||
			fail "${w%%:*}: $stderr"
	done
}

# ---- the bundled kernels ---------------------------------------------------

@test "every bundled kernel is valid: exit 0, no output, even --strict" {
	local k
	for k in "$KERNELS"/*.py "$KERNELS"/*.json; do
		run -0 --separate-stderr atlas-validate --strict "$k"
		assert_output ""
		assert_equal "$stderr" ""
	done
	run -0 --separate-stderr atlas-validate "$KERNELS"/*.py \
		"$KERNELS"/*.json
	assert_output ""
	assert_equal "$stderr" ""
}

@test "a kernel by name, as atlas-run finds it; ATLAS_KERNEL_PATH first" {
	run -0 --separate-stderr atlas-validate vector_add sigmoid
	assert_output ""
	assert_equal "$stderr" ""
	mkdir d
	cp "$INV/uninitialized.s" d/vector_add.s
	ATLAS_KERNEL_PATH=$T/d run -1 --separate-stderr atlas-validate \
		vector_add
	assert_equal "$stderr" "atlas-validate: $T/d/vector_add.s:5:2: \
error: [uninitialized] uninitialized register: r11"
}

@test "'-' reads standard input, named '-'" {
	run -1 --separate-stderr atlas-validate - < "$INV/uninitialized.s"
	assert_output ""
	assert_equal "$stderr" "atlas-validate: -:5:2: error: \
[uninitialized] uninitialized register: r11"
	run -0 --separate-stderr atlas-validate - < "$KERNELS/relu.py"
	assert_equal "$stderr" ""
}

# ---- options ---------------------------------------------------------------

@test "--help prints the usage and every option, exit 0" {
	run -0 --separate-stderr atlas-validate --help
	assert_equal "$stderr" ""
	assert_line --index 0 \
		"usage: atlas-validate [-hqVv] [--json] [--strict] kernel ..."
	local o
	for o in -h --help --json -q --quiet --strict -v --verbose -V \
		--version; do
		assert_output --partial " $o"
	done
	run -0 --separate-stderr atlas-validate -h
	assert_line --index 0 --partial "usage: atlas-validate "
}

@test "--help synopsis is the man page SYNOPSIS" {
	local syn
	syn=$(mandoc -Tascii "$ROOT/man/man1/atlas-validate.1" | col -b |
		sed -n '/^SYNOPSIS/{n;s/^ *//;p;}')
	run -0 --separate-stderr atlas-validate --help
	assert_line --index 0 "usage: $syn"
}

@test "--version prints the version, exit 0; -v adds the library's" {
	run -0 --separate-stderr atlas-validate --version
	assert_equal "$stderr" ""
	assert_output "atlas-validate 0.1.0"
	run -0 --separate-stderr atlas-validate -V -v
	assert_output "atlas-validate 0.1.0
libatlas 0.1.0"
}

@test "usage errors: one line, the Try line, exit 2" {
	run -2 --separate-stderr atlas-validate
	assert_output ""
	assert_equal "$stderr" "atlas-validate: missing kernel
$TRY"
	run -2 --separate-stderr atlas-validate --foo k.s
	assert_equal "$stderr" "atlas-validate: unknown option '--foo'
$TRY"
	run -2 --separate-stderr atlas-validate -x k.s
	assert_equal "$stderr" "atlas-validate: unknown option '-x'
$TRY"
	run -2 --separate-stderr atlas-validate --json=1 k.s
	assert_equal "$stderr" "atlas-validate: option '--json' takes no argument
$TRY"
	run -2 --separate-stderr atlas-validate --foo=1 k.s
	assert_equal "$stderr" "atlas-validate: unknown option '--foo=1'
$TRY"
	run -2 --separate-stderr atlas-validate relu ''
	assert_equal "$stderr" "atlas-validate: empty kernel name
$TRY"
}

@test "-q prints nothing; the exit status tells" {
	run -1 --separate-stderr atlas-validate -q "$INV/uninitialized.s"
	assert_output ""
	assert_equal "$stderr" ""
	run -0 --separate-stderr atlas-validate -q "$KERNELS/relu.py"
	assert_output ""
	assert_equal "$stderr" ""
}

@test "a warning: exit 0, printed; --strict makes it exit 1" {
	cd "$VAL"
	run -0 --separate-stderr atlas-validate unreachable.s
	assert_output ""
	[[ $stderr == "atlas-validate: unreachable.s:4:2: warning: \
[unreachable] "* ]] || fail "stderr: $stderr"
	local warned=$stderr
	run -1 --separate-stderr atlas-validate --strict unreachable.s
	assert_output ""
	assert_equal "$stderr" "$warned"
	run -1 --separate-stderr atlas-validate -q --strict unreachable.s
	assert_equal "$stderr" ""
}

@test "-v shows notes: the access class of each array" {
	run -0 --separate-stderr atlas-validate "$KERNELS/vector_add.py"
	assert_equal "$stderr" ""
	run -0 --separate-stderr atlas-validate -v "$KERNELS/vector_add.py"
	assert_output ""
	[[ $'\n'$stderr == *$'\n'"atlas-validate: $KERNELS/vector_add.py: \
note: [access] "* ]] || fail "stderr: $stderr"
	# -q -v: the default again
	run -0 --separate-stderr atlas-validate -q -v "$KERNELS/vector_add.py"
	assert_equal "$stderr" ""
}

# ---- several files, trouble ------------------------------------------------

@test "several kernels: all reported, exit 1 if any is invalid" {
	cp "$INV/uninitialized.s" "$INV/register.s" .
	run -1 --separate-stderr atlas-validate uninitialized.s \
		"$KERNELS/relu.py" register.s
	assert_output ""
	assert_equal "$stderr" "$(cat "$INV/uninitialized.expect" \
		"$INV/register.expect")"
}

@test "a kernel that cannot be read: a message, exit 2, the others checked" {
	cp "$INV/register.s" .
	run -2 --separate-stderr atlas-validate missing.s register.s
	assert_output ""
	assert_equal "$stderr" "atlas-validate: missing.s: No such file or \
directory
$(cat "$INV/register.expect")"
	mkdir dir.s
	run -2 --separate-stderr atlas-validate -q dir.s "$KERNELS/relu.py"
	assert_equal "$stderr" "atlas-validate: dir.s: read error: Is a directory"
	run -2 --separate-stderr atlas-validate no_such_kernel
	assert_output ""
	[[ $stderr == "atlas-validate: no_such_kernel: kernel \
'no_such_kernel' not found "* ]] || fail "stderr: $stderr"
}

# ---- --json ----------------------------------------------------------------

# check_json: python3 validates $output against the documented schema and
# prints "FILE VALID ERRORS WARNINGS NOTES ID..." per file.
check_json() {
	python3 -c '
import json, sys
doc = json.load(sys.stdin)
assert set(doc) >= {"files", "strict", "valid"}, doc
assert isinstance(doc["valid"], bool) and isinstance(doc["strict"], bool)
assert doc["valid"] == all(f["valid"] for f in doc["files"])
for f in doc["files"]:
    keys = {"file", "valid", "errors", "warnings", "notes", "diagnostics"}
    assert set(f) - {"error"} == keys, f
    sev = {"error": 0, "warning": 0, "note": 0}
    for d in f["diagnostics"]:
        assert set(d) == {"severity", "id", "line", "column", "kernel",
                          "message"}, d
        assert d["severity"] in sev and d["id"] and d["message"], d
        assert (d["line"] is None) == (d["column"] is None), d
        assert d["kernel"] is None or isinstance(d["kernel"], str), d
        sev[d["severity"]] += 1
    assert [sev["error"], sev["warning"], sev["note"]] == \
        [f["errors"], f["warnings"], f["notes"]], f
    print(f["file"], str(f["valid"]).lower(), f["errors"], f["warnings"],
          f["notes"], *[d["id"] for d in f["diagnostics"]])
' <<< "$output"
}

@test "--json: one document on stdout with every file, nothing on stderr" {
	cp "$INV/uninitialized.s" "$INV/json-syntax.json" .
	run -1 --separate-stderr atlas-validate --json uninitialized.s \
		json-syntax.json
	assert_equal "$stderr" ""
	run -0 check_json
	assert_output "uninitialized.s false 1 0 0 uninitialized
json-syntax.json false 1 0 0 json-syntax"
	run -1 --separate-stderr atlas-validate --json uninitialized.s
	python3 -c 'import json, sys
d = json.load(sys.stdin)["files"][0]["diagnostics"][0]
assert d == {"severity": "error", "id": "uninitialized", "line": 5,
             "column": 2, "kernel": None,
             "message": "uninitialized register: r11"}, d' <<< "$output"
}

@test "--json: valid kernels, with their notes; -q does not silence it" {
	run -0 --separate-stderr atlas-validate --json -q \
		"$KERNELS/vector_add.py" "$KERNELS/sigmoid.json"
	assert_equal "$stderr" ""
	python3 -c 'import json, sys; assert json.load(sys.stdin)["valid"]' \
		<<< "$output"
	run -0 check_json
	assert_line --index 0 --regexp "^$KERNELS/vector_add.py true 0 0 [1-9].* access"
}

@test "--json --strict: a warning makes the file invalid" {
	run -0 --separate-stderr atlas-validate --json "$VAL/unreachable.s"
	run -0 check_json
	assert_output --regexp "^$VAL/unreachable.s true 0 1 [0-9]+ .*unreachable"
	run -1 --separate-stderr atlas-validate --json --strict \
		"$VAL/unreachable.s"
	assert_equal "$stderr" ""
	python3 -c 'import json, sys; d = json.load(sys.stdin)
assert d["strict"] is True and d["valid"] is False' <<< "$output"
}

@test "--json: a file that cannot be read has an error member, exit 2" {
	run -2 --separate-stderr atlas-validate --json missing.s \
		"$KERNELS/relu.py"
	assert_equal "$stderr" "atlas-validate: missing.s: No such file or \
directory"
	python3 -c 'import json, sys; d = json.load(sys.stdin)
f = d["files"][0]
assert f["file"] == "missing.s" and f["valid"] is False, f
assert f["error"] == "No such file or directory" and f["diagnostics"] == []
assert d["files"][1]["valid"] is True and d["valid"] is False' \
		<<< "$output"
}

@test "--json escapes strings" {
	mkdir 'a"b'
	cp "$INV/uninitialized.s" 'a"b/k	1.s'
	run -1 --separate-stderr atlas-validate --json 'a"b/k	1.s'
	python3 -c 'import json, sys
assert json.load(sys.stdin)["files"][0]["file"] == "a\"b/k\t1.s"' \
		<<< "$output"
}

@test "--json to /dev/full: write error, exit 1; to a closed pipe: 141" {
	run -1 --separate-stderr bash -c \
		'atlas-validate --json "$1" > /dev/full' _ "$KERNELS/relu.py"
	assert_equal "$stderr" \
		"atlas-validate: write error: No space left on device"
	run -1 --separate-stderr bash -c 'atlas-validate --help > /dev/full'
	assert_equal "$stderr" \
		"atlas-validate: write error: No space left on device"
	local many=() i
	for ((i = 0; i < 2000; i++)); do many+=("$KERNELS/relu.py"); done
	run -0 --separate-stderr bash -c \
		'atlas-validate --json "$@" | head -c 1; echo " ${PIPESTATUS[0]}"' \
		_ "${many[@]}"
	assert_output "{ 141"
	assert_equal "$stderr" ""
}

# ---- the manual ------------------------------------------------------------

@test "atlas-validate(1) lists every check of atlas.h, and the EXAMPLES run" {
	local id page=$ROOT/man/man1/atlas-validate.1
	for id in json-syntax json-schema asm-syntax kl-syntax kl-semantics \
		param-register param-type param-use guard-type kernel-name \
		limit register predicate condition opcode unsupported \
		immediate address buffer-handle buffer-offset class-index \
		boundary-coords label-target undefined-label call-depth \
		uninitialized type-mismatch index-range metadata \
		mirror-safety phase-window boundary-footprint class-hop \
		unity-neutral unreachable loop-bound access runtime-bounds; do
		grep -q "^\.It Cm $id\$" "$page" || fail "no check $id"
	done
	man_examples "$page" > examples.sh
	run -0 --separate-stderr bash examples.sh
	assert_line --index 0 "exit status 1"
	assert_output --partial '"file": "k.s",
  "valid": false'
	assert_output --partial '/vector_sum.json",
  "valid": true'
	assert_equal "$(head -1 <<< "$stderr")" "atlas-validate: k.s:3:2: \
error: [uninitialized] uninitialized register: r9"
}
