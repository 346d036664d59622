/* Status codes, errors and small shared types of librnnlab. */
#ifndef RNNLAB_COMMON_H
#define RNNLAB_COMMON_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Status codes are sysexits values so the program can exit with them directly. */
enum rnn_status {
    RNN_OK = 0,
    RNN_EUSAGE = 64,     /* bad argument or command use */
    RNN_EDATA = 65,      /* bad data, failed computation or expectation */
    RNN_ENOINPUT = 66,   /* cannot open input */
    RNN_EINTERNAL = 70,  /* internal error (out of memory, bug) */
    RNN_EIO = 74,        /* I/O error, network error */
};

/* Every fallible engine call takes an rnn_error* (may be NULL) and returns a status.
 * The message is one line, names the argument or file at fault, and has no trailing newline. */
typedef struct rnn_error {
    int code;
    char msg[512];
} rnn_error;

/* Sets err (if non-NULL) and returns code. printf-style. */
int rnn_fail(rnn_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Clears err to RNN_OK and an empty message. */
void rnn_error_clear(rnn_error *err);

/* Library version string, e.g. "0.1.0". */
const char *rnn_version(void);

/* Number of worker threads the engine may use (default: online CPUs, at most 8).
 * Also sets OpenBLAS's thread count. */
void rnn_set_threads(int n);
int rnn_get_threads(void);

/* Seconds on the monotonic clock (for durations: epoch times, `time`, the dashboard's rates). */
double rnn_now(void);

/* A dense row-major int32 matrix (padded sequences: rows = samples, cols = time steps). */
typedef struct rnn_imatrix {
    size_t rows, cols;
    int32_t *data;
} rnn_imatrix;

/* A dense row-major float matrix. */
typedef struct rnn_fmatrix {
    size_t rows, cols;
    float *data;
} rnn_fmatrix;

void rnn_imatrix_free(rnn_imatrix *m);
void rnn_fmatrix_free(rnn_fmatrix *m);

/* Progress of a long operation (download, load); done/total in bytes or items, total 0 if unknown.
 * Return non-zero to cancel. */
typedef int (*rnn_progress_fn)(const char *what, uint64_t done, uint64_t total, void *user);

#endif
