.kernel vector_add
.param a f32[] in r1
.param b f32[] in r2
.param c f32[] out r3
	mov_imm.u32 r250, 2
	shl.u64 r0, r255, r250
	ldg.f32 r10, [r1 + r0]
	ldg.f32 r11, [r2 + r0]
	add.f32 r12, r10, r11
	stg.f32 [r3 + r0], r12
	exit
