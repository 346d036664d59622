/* Memory estimates against what the process may use: sizes that input decides (layer widths, pad
 * lengths, batch workspaces) are checked here before they are allocated, so a typo is refused with
 * the numbers instead of ending in a failed allocation or the kernel's OOM killer. */
#include "config.h"
#include <sys/mman.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include "rnnlab/common.h"
#include "core/memory.h"

/* A "Name:   N kB" line of /proc/meminfo in bytes; false when absent. */
static bool meminfo_field(const char *name, uint64_t *bytes)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return false;
    char line[256];
    size_t n = strlen(name);
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        unsigned long long kb;
        if (strncmp(line, name, n) == 0 && line[n] == ':' && sscanf(line + n + 1, "%llu", &kb) == 1) {
            *bytes = (uint64_t)kb * 1024;
            found = true;
        }
    }
    fclose(f);
    return found;
}

/* Field `index` (0-based) of /proc/self/statm in bytes: 0 = address space, 5 = data + stack. */
static bool statm_field(int index, uint64_t *bytes)
{
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return false;
    unsigned long long v[7];
    int got = fscanf(f, "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6]);
    fclose(f);
    if (got != 7)
        return false;
    *bytes = (uint64_t)v[index] * (uint64_t)sysconf(_SC_PAGESIZE);
    return true;
}

/* Room left under a soft rlimit, given what it counts now; UINT64_MAX when unlimited or unknown. */
static uint64_t rlimit_room(int resource, int statm_index)
{
    struct rlimit rl;
    uint64_t used;
    if (getrlimit(resource, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || !statm_field(statm_index, &used))
        return UINT64_MAX;
    return (uint64_t)rl.rlim_cur > used ? (uint64_t)rl.rlim_cur - used : 0;
}

uint64_t rnn_mem_available(void)
{
    uint64_t avail = UINT64_MAX, v;
    if (meminfo_field("MemAvailable", &v) || meminfo_field("MemFree", &v))
        avail = v;
    uint64_t as = rlimit_room(RLIMIT_AS, 0), data = rlimit_room(RLIMIT_DATA, 5);
    avail = as < avail ? as : avail;
    return data < avail ? data : avail;
}

const char *rnn_format_bytes(uint64_t bytes, char *buf, size_t cap)
{
    static const char *const units[] = {"B", "KB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)bytes;
    int u = 0;
    while (v >= 1024 && u < 6) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%" PRIu64 " B", bytes);
    else
        snprintf(buf, cap, "%.1f %s", v, units[u]);
    return buf;
}

int rnn_mem_check(uint64_t need, uint64_t held, const char *hint, rnn_error *err, const char *fmt, ...)
{
    uint64_t avail = rnn_mem_available();
    if (avail == UINT64_MAX || need <= held || need - held <= avail)
        return RNN_OK;
    avail = avail > UINT64_MAX - held ? UINT64_MAX : avail + held;  /* what this use could have */
    char what[256], nb[32], ab[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return rnn_fail(err, RNN_EDATA, "needs %s for %s; %s available%s%s", rnn_format_bytes(need, nb, sizeof nb), what,
                    rnn_format_bytes(avail, ab, sizeof ab), hint ? ": " : "", hint ? hint : "");
}

enum { POPULATE_MIN_BYTES = 1 << 20 };

void rnn_populate(void *p, size_t bytes)
{
#ifdef MADV_POPULATE_WRITE
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0 || bytes < POPULATE_MIN_BYTES)
        return;
    uintptr_t lo = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t hi = ((uintptr_t)p + bytes) & ~((uintptr_t)page - 1);
    if (hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);  /* an older kernel: faults as before */
#else
    (void)p, (void)bytes;
#endif
}
