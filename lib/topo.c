/*
 * topo.c - the machine as hwloc sees it: how many cores a run may use by
 * default, how big one core's caches are (the chunk pool is sized from
 * its L2) and the CPU model (atlas-bench reports them).  Read once per
 * process; sysconf and /proc/cpuinfo stand in where hwloc fails.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <hwloc.h>

#include "atlas.h"

static struct atlas_topo topo;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* The size of the first cache of the given type above a core. */
static uint64_t cache_size(hwloc_topology_t t, hwloc_obj_type_t type)
{
	hwloc_obj_t o = hwloc_get_obj_by_type(t, type, 0);

	return o && o->attr ? o->attr->cache.size : 0;
}

/* Copy s, trimmed of blanks at both ends, into topo.cpu. */
static void set_cpu(const char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strcspn(s, "\n");
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n >= sizeof topo.cpu)
		n = sizeof topo.cpu - 1;
	memcpy(topo.cpu, s, n);
	topo.cpu[n] = '\0';
}

/* The first "model name" of /proc/cpuinfo, when hwloc did not say. */
static void cpuinfo_model(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	if (!f)
		return;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
			set_cpu(strchr(line, ':') + 1);
			break;
		}
	fclose(f);
}

static void load(void)
{
	hwloc_topology_t t;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	topo.cores = n > 0 ? (unsigned)n : 1;
	if (hwloc_topology_init(&t) != 0) {
		cpuinfo_model();
		return;
	}
	/* only what is needed: cores, caches and the package's model; no
	   I/O devices, no PCI scan (hwloc's load is most of atlas-run's
	   start-up) */
	if (hwloc_topology_set_all_types_filter(
		    t, HWLOC_TYPE_FILTER_KEEP_NONE) == 0 &&
	    hwloc_topology_set_type_filter(t, HWLOC_OBJ_CORE,
					   HWLOC_TYPE_FILTER_KEEP_ALL) == 0 &&
	    hwloc_topology_set_type_filter(t, HWLOC_OBJ_PACKAGE,
					   HWLOC_TYPE_FILTER_KEEP_ALL) == 0 &&
	    hwloc_topology_set_cache_types_filter(
		    t, HWLOC_TYPE_FILTER_KEEP_ALL) == 0 &&
	    hwloc_topology_load(t) == 0) {
		int c = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_CORE);
		hwloc_obj_t pkg =
			hwloc_get_obj_by_type(t, HWLOC_OBJ_PACKAGE, 0);
		const char *model =
			pkg ? hwloc_obj_get_info_by_name(pkg, "CPUModel") :
			      NULL;

		if (c > 0)
			topo.cores = (unsigned)c;
		topo.l1d_size = cache_size(t, HWLOC_OBJ_L1CACHE);
		topo.l2_size = cache_size(t, HWLOC_OBJ_L2CACHE);
		topo.l3_size = cache_size(t, HWLOC_OBJ_L3CACHE);
		if (!topo.l2_size)
			topo.l2_size = topo.l1d_size;
		if (model)
			set_cpu(model);
	}
	hwloc_topology_destroy(t);
	if (!topo.cpu[0])
		cpuinfo_model();
}

void atlas_topo_get(struct atlas_topo *t)
{
	pthread_once(&once, load);
	*t = topo;
}

uint64_t atlas_pool_size_for(unsigned threads)
{
	const uint64_t lo = (uint64_t)256 << 10, hi = (uint64_t)16 << 20;
	struct atlas_topo t;
	uint64_t s;

	atlas_topo_get(&t);
	if (!t.l2_size)
		return ATLAS_POOL_SIZE_DEFAULT;
	s = t.l2_size * (threads ? threads : 1);
	return s < lo ? lo : s > hi ? hi : s;
}
