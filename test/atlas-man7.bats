#!/usr/bin/env bats
# atlas-man7.bats - the tables of man 7 atlas are atlas-pool's: the
# 96-row class table and the byte-to-class grids of both numberings.

bats_require_minimum_version 1.5.0
load helpers

PAGE=$ROOT/man/man7/atlas.7

# The data rows of the tbl block after the line matching $1.
tbl_after() {
	awk -v pat="$1" 'index($0, pat) { f = 1 } f && /^\.TS/ { t = 1; next }
		t && /^\.TE/ { exit } t && /;/ && !/^hi|^class;|tab\(/ { print }' "$PAGE"
}

@test "atlas.7: the class table is atlas-pool table" {
	run -0 bash -c 'atlas-pool table | awk "{ gsub(/,/, \" \", \$4);
		printf \"%s;%s;%s;%s;%s;%s\n\", \$1, \$2, \$3, \$4, \$5, \$6 }"'
	want=$output
	got=$(tbl_after '.Ss The atlas class table')
	[ "$(printf '%s\n' "$got" | wc -l)" -eq 96 ]
	assert_equal "$got" "$want"
}

grid() {
	for hi in $(seq 0 15); do
		row=$(printf '%X_' "$hi")
		for lo in $(seq 0 15); do
			row=$row\;$(atlas-pool class --numbering="$1" $((hi * 16 + lo))) ||
				return 1
		done
		printf '%s\n' "$row"
	done
}

@test "atlas.7: the atlas byte-to-class grid is atlas-pool class" {
	want=$(grid atlas)
	assert_equal "$(tbl_after '.Ss Byte to class, atlas')" "$want"
}

@test "atlas.7: the sigil byte-to-class grid is atlas-pool class" {
	want=$(grid sigil)
	assert_equal "$(tbl_after '.Ss Byte to class, sigil')" "$want"
}
