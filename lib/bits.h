/*
 * bits.h - bit patterns of floats and back, without aliasing tricks
 * (memcpy compiles to a register move).  Internal to lib/.
 */
#ifndef ATLAS_BITS_H
#define ATLAS_BITS_H

#include <stdint.h>
#include <string.h>

static inline uint32_t asu32(float f)
{
	uint32_t u;

	memcpy(&u, &f, sizeof u);
	return u;
}

static inline float asf(uint32_t u)
{
	float f;

	memcpy(&f, &u, sizeof f);
	return f;
}

static inline uint64_t asu64(double d)
{
	uint64_t u;

	memcpy(&u, &d, sizeof u);
	return u;
}

static inline double asd(uint64_t u)
{
	double d;

	memcpy(&d, &u, sizeof d);
	return d;
}

#endif /* ATLAS_BITS_H */
