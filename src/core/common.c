/* Errors, version, the engine's thread count, the clock and the memory this process may use. */
#include "config.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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


ssize_t rnn_read_full(int fd, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(fd, (char *)buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        if (k == 0)
            break;
        got += (size_t)k;
    }
    return (ssize_t)got;
}
