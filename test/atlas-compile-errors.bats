#!/usr/bin/env bats
# atlas-compile-errors.bats - every construct outside the kernel language
# is an error "atlas-compile: FILE:LINE:COL: message", exit 1, no output:
# never dropped.  One invalid kernel per error in
# test/fixtures/compile/errors.

bats_require_minimum_version 1.5.0
load helpers
load fixtures/compile/compile

ERR=$ROOT/test/fixtures/compile/errors

setup() {
	T=$BATS_TEST_TMPDIR
	cd "$T" || return 1
	unset ATLAS_KERNEL_PATH
}

# bad NAME 'LINE:COL: message' - compiling errors/NAME.py fails with
# exactly that message, exit 1, nothing on stdout, and no output file;
# atlas-run refuses the source the same way.
bad() {
	cp "$ERR/$1.py" .
	run -1 --separate-stderr atlas-compile "$1.py" -o out.json
	assert_output ""
	assert_equal "$stderr" "atlas-compile: $1.py:$2"
	[ ! -e out.json ]
	run -1 --separate-stderr atlas-run "./$1.py"
	assert_output ""
	assert_equal "$stderr" "atlas-run: ./$1.py:$2"
}

# ---- what the language does not have -------------------------------------

@test "lists, dicts, lambdas, classes, tuples are errors" {
	bad list '6:13: list literals are not supported'
	bad dict '6:13: dict and set literals are not supported'
	bad lambda '6:13: lambda expressions are not supported'
	bad class '3:1: class definitions are not supported'
	bad tuple-assignment '6:10: multiple assignment targets are not supported'
	bad walrus '6:19: assignment expressions are not supported'
	bad is-operator "6:17: the 'is' operator is not supported"
}

@test "imports of modules other than atlas_kernel are errors" {
	bad import-module "2:8: only atlas_kernel can be imported, not 'math'"
	bad import-from "1:6: only atlas_kernel can be imported, not 'numpy'"
}

@test "attribute calls, keyword arguments, slices, chained subscripts" {
	bad attribute-call '6:20: attribute access is not supported'
	bad keyword-argument '6:26: keyword arguments are not supported'
	bad slice '6:19: slices are not supported'
	bad chained-subscript '6:20: chained subscripts are not supported'
}

@test "statements outside the language: try, global, nested def, loop else" {
	bad pass-try "6:9: 'try' statements are not supported"
	bad global "6:9: 'global' statements are not supported"
	bad nested-def '6:9: nested functions are not supported'
	bad while-else "8:9: 'else' after a loop is not supported"
	bad break-outside-loop "6:9: 'break' outside loop"
}

@test "bad indentation, tabs mixed with spaces, unterminated strings" {
	bad bad-indentation \
		'7:7: unindent does not match any outer indentation level'
	bad tabs '7:2: inconsistent use of tabs and spaces in indentation'
	bad unterminated-string \
		'6:9: unterminated triple-quoted string literal'
}

# ---- definitions ---------------------------------------------------------------

@test "a missing or unsupported annotation, a duplicate parameter" {
	bad missing-annotation \
		'3:28: all kernel parameters must have type annotations'
	bad bad-annotation \
		'3:31: unsupported type annotation: DeviceArray[f128]'
	bad duplicate-parameter "3:28: duplicate parameter 'x'"
	bad duplicate-kernel "8:5: duplicate function 'k'"
}

@test "unknown decorators, recursive or long @inline helpers" {
	bad unknown-decorator "3:2: unknown decorator 'jit'"
	bad inline-recursion '9:12: recursive inline function not allowed: f'
	bad inline-body '5:5: inline function f must contain only a return statement (excluding docstring)'
}

# ---- names, types, calls ---------------------------------------------------------

@test "undeclared names, unknown functions, wrong argument counts" {
	bad undeclared "6:23: undeclared name 'z'"
	bad unknown-function "6:16: unknown function 'frobnicate'"
	bad argument-count '6:16: exp() takes 1 argument, got 2'
	bad call-kernel "6:9: unknown function 'k'"
}

@test "range(): wrong arguments, a zero step; for over anything else" {
	bad range-args '6:18: invalid range() call'
	bad range-empty '6:18: invalid range() call'
	bad range-float '6:24: range() arguments must be integers, got f32'
	bad range-step0 '6:31: range() step must not be zero'
	bad for-not-range "6:18: only 'for' loops over range() are supported"
}

@test "type mismatches: float to int without a cast, bitwise on floats" {
	bad float-to-int \
		"6:16: cannot assign f32 to i32 element of 'a' without a cast"
	bad int-var-gets-float \
		"7:13: cannot assign f32 to i32 variable 'v' without a cast"
	bad bitwise-float "6:16: operator '&' needs integers, got f32"
	bad float-index '6:18: array index must be an integer, got f32'
	bad mixed-sign '6:16: mixing signed and unsigned: i32 and u32'
	bad literal-too-big '6:24: integer literal 300 does not fit in u8'
	bad bool-arithmetic "6:17: operator '+' needs numbers, got bool"
	bad int-pow-variable \
		'6:16: integer power needs a constant non-negative exponent'
	bad string-value \
		'6:13: string literals are only allowed as call arguments'
}

@test "assignments to parameters; a kernel returning a value" {
	bad assign-scalar-param "6:9: cannot assign to scalar parameter 'n'"
	bad assign-array-param "6:9: cannot assign to array parameter 'y'"
	bad store-to-scalar-index "6:9: 'n' is not an array"
	bad kernel-return-value '6:16: a kernel cannot return a value'
}

@test "intrinsics: parallel_map operations, atomics on scalars" {
	bad map-op-not-literal \
		'6:34: parallel_map_unary operation must be a string literal'
	bad map-op-unknown \
		"6:34: unknown parallel_map_unary() operation 'frob'"
	bad atomic-on-scalar "6:24: atomic_add_f32() needs an array parameter as its first argument"
	bad no-value '6:13: atomic_add_f32() returns no value'
}

@test "values: used before assignment, arrays as values, constant errors" {
	bad used-before-assigned \
		"6:16: variable 'w' is used before it is assigned"
	bad array-as-value "6:13: array 'x' used as a value"
	bad negative-index '6:11: negative array index -1'
	bad const-division-by-zero '6:16: division by zero'
}

# bad_v1 NAME 'LINE:COL: message' - the v1.0 kernel fixtures/v1/bad/NAME.json
# is refused by atlas-compile and atlas-run with that message, exit 1.
bad_v1() {
	cp "$ROOT/test/fixtures/v1/bad/$1.json" .
	run -1 --separate-stderr atlas-compile "$1.json" -o out.json
	assert_output ""
	assert_equal "$stderr" "atlas-compile: $1.json:$2"
	[ ! -e out.json ]
	run -1 --separate-stderr atlas-run "./$1.json"
	assert_output ""
	assert_equal "$stderr" "atlas-run: ./$1.json:$2"
}

@test "v1.0 JSON outside the schema is an error, never dropped" {
	bad_v1 version '2:14: unsupported schema version: 2.0'
	bad_v1 empty-name '3:22: kernel: kernel name cannot be empty'
	bad_v1 statement "7:16: kernel.body[0]: unknown statement type 'goto'"
	bad_v1 op "7:73: kernel.body[0].value: unknown operator 'frob'"
	bad_v1 scalar-type \
		"5:65: kernel.params[0].type: unknown scalar type 'u128'"
	bad_v1 missing-key "7:7: kernel.body[0]: missing key 'condition'"
	bad_v1 undeclared "7:45: undeclared name 'w'"
	bad_v1 truncated '2:1: invalid JSON: unexpected end of input'
}

@test "an error in a later kernel leaves no output, and an old one as it was" {
	{ cat "$FIXC/two.py"; cat "$ERR/undeclared.py"; } > both.py
	local line=$(($(wc -l < "$FIXC/two.py") + 6))
	echo old > both.json
	run -1 --separate-stderr atlas-compile both.py
	assert_output ""
	assert_equal "$stderr" \
		"atlas-compile: both.py:$line:23: undeclared name 'z'"
	run -0 cat both.json
	assert_output old
	run -1 --separate-stderr atlas-compile - < both.py
	assert_output ""
	assert_equal "$stderr" "atlas-compile: -:$line:23: undeclared name 'z'"
}
