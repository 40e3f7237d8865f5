/*
 * space_phase.c - the phase counter modulo 768 with its epoch, and phase
 * windows (begin, span): half-open, wrapping, span 0 empty (DESIGN §8.5).
 */
#include "atlas.h"

void atlas_phase_set(struct atlas_phase *ph, uint64_t p)
{
	ph->value = (uint32_t)(p % ATLAS_PHASE_MODULUS);
}

void atlas_phase_advance(struct atlas_phase *ph, uint64_t delta)
{
	/* Split delta so that value + delta cannot overflow 64 bits. */
	uint64_t rest = ph->value + delta % ATLAS_PHASE_MODULUS;

	ph->epoch += delta / ATLAS_PHASE_MODULUS + rest / ATLAS_PHASE_MODULUS;
	ph->value = (uint32_t)(rest % ATLAS_PHASE_MODULUS);
}

void atlas_phase_reset(struct atlas_phase *ph)
{
	ph->value = 0;
	ph->epoch = 0;
}

unsigned atlas_phase_class(uint32_t phase)
{
	return phase % ATLAS_PHASE_MODULUS / 8;
}

unsigned atlas_phase_sub(uint32_t phase)
{
	return phase % 8;
}

uint32_t atlas_phase_window_end(uint32_t begin, uint32_t span)
{
	return (uint32_t)(((uint64_t)begin + span) % ATLAS_PHASE_MODULUS);
}

int atlas_phase_in_window(uint32_t phase, uint32_t begin, uint32_t span)
{
	uint32_t end;

	if (span == 0)
		return 0;
	if (span >= ATLAS_PHASE_MODULUS)
		return 1;
	phase %= ATLAS_PHASE_MODULUS;
	begin %= ATLAS_PHASE_MODULUS;
	end = atlas_phase_window_end(begin, span);
	if (begin < end)
		return phase >= begin && phase < end;
	return phase >= begin || phase < end;
}
