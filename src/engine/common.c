/* Errors, version, the engine's thread count, the clock and the memory this process may use. */
#include "config.h"
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <unistd.h>
#include <cblas.h>
#include "rnnlab/common.h"

int rnn_fail(rnn_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        err->code = code;
    }
    return code;
}

void rnn_error_clear(rnn_error *err)
{
    if (err) {
        err->code = RNN_OK;
        err->msg[0] = '\0';
    }
}

const char *rnn_version(void) { return PACKAGE_VERSION; }

static int engine_threads;

void rnn_set_threads(int n)
{
    if (n < 1) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        n = cpus < 1 ? 1 : cpus > 8 ? 8 : (int)cpus;
    }
    engine_threads = n;
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
    openblas_set_num_threads(n);
#endif
}

double rnn_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int rnn_get_threads(void)
{
    if (engine_threads == 0)
        rnn_set_threads(0);
    return engine_threads;
}

void rnn_imatrix_free(rnn_imatrix *m)
{
    if (m) {
        free(m->data);
        m->data = NULL;
        m->rows = m->cols = 0;
    }
}

void rnn_fmatrix_free(rnn_fmatrix *m)
{
    if (m) {
        free(m->data);
        m->data = NULL;
        m->rows = m->cols = 0;
    }
}

/* A "Key:   N kB" field of a /proc file, in bytes; UINT64_MAX when absent. */
static uint64_t proc_kb_field(const char *file, const char *key)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return UINT64_MAX;
    char line[256];
    size_t n = strlen(key);
    uint64_t v = UINT64_MAX;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && line[n] == ':') {
            uint64_t kb;
            if (sscanf(line + n + 1, "%" SCNu64, &kb) == 1)
                v = kb * 1024;
            break;
        }
    fclose(f);
    return v;
}

uint64_t rnn_mem_available(void)
{
    uint64_t avail = proc_kb_field("/proc/meminfo", "MemAvailable");
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
        uint64_t used = proc_kb_field("/proc/self/status", "VmSize");
        uint64_t left = used == UINT64_MAX ? (uint64_t)rl.rlim_cur
                      : used < (uint64_t)rl.rlim_cur ? (uint64_t)rl.rlim_cur - used : 0;
        if (left < avail)
            avail = left;
    }
    return avail;
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
