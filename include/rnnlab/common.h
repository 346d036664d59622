/* Status codes, errors and small shared types of librnnlab. */
#ifndef RNNLAB_COMMON_H
#define RNNLAB_COMMON_H
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

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

/* Memory the process may still allocate, in bytes: the least of MemAvailable (/proc/meminfo) and the
 * room left under RLIMIT_AS and RLIMIT_DATA; UINT64_MAX when none of them is known. */
uint64_t rnn_mem_available(void);
/* Formats a size for messages: "512 B", "3.9 KB", "11.8 GB" (powers of 1024). Returns buf. */
const char *rnn_format_bytes(uint64_t bytes, char *buf, size_t cap);
/* Before a large allocation: RNN_OK when `need` bytes fit in what the process may use, counting the
 * `held` bytes of it that are already allocated (and will be reused or freed). Else fails with
 * RNN_EDATA and "needs 11.8 GB for <fmt...>; 3.9 GB available: <hint>" (hint may be NULL). */
int rnn_mem_check(uint64_t need, uint64_t held, const char *hint, rnn_error *err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Longest padded sequence (pad maxlen=, Input(shape=(T,))). */
#define RNN_MAX_SEQUENCE_LENGTH 1000000

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

/* Writing a file so that an error never damages it. The new content goes to PATH.tmp in the same
 * folder, which is flushed, synced and renamed over PATH; then the folder is synced. A target that
 * exists and is not a regular file (a folder, a device such as /dev/full, a FIFO, a socket) is
 * refused; a symbolic link is followed and the file it names is replaced. On any error the old
 * file is left as it was and the temporary is removed. A PATH.tmp left behind by a killed process
 * is replaced; one another process is writing at the same time (it holds a lock on it) is an error.
 * Messages name the file the user gave. Usage:
 *     rnn_outfile o;
 *     if (rnn_outfile_open(&o, path, err)) return err->code;
 *     fprintf(o.f, ...);
 *     return rnn_outfile_commit(&o, err);     (or rnn_outfile_discard(&o) to give up) */
typedef struct rnn_outfile {
    FILE *f;            /* the temporary, open for writing */
    char *path;         /* the file to replace (symbolic links resolved) */
    char *tmp;          /* path + ".tmp" */
    const char *shown;  /* the name given by the caller, for messages (not copied) */
} rnn_outfile;
int rnn_outfile_open(rnn_outfile *o, const char *path, rnn_error *err);
/* Flushes, syncs and renames; the FILE is closed whatever the outcome. */
int rnn_outfile_commit(rnn_outfile *o, rnn_error *err);
/* Closes and removes the temporary; the target is untouched. */
void rnn_outfile_discard(rnn_outfile *o);
/* On: every rnn_outfile of this process writes to /dev/null and commit leaves the target alone,
 * for a process that repeats the work of another which writes the files (the other ranks of a
 * data-parallel run). Off by default. */
void rnn_files_discard(bool on);
/* The whole new content of path in one call: open, write len bytes, commit. */
int rnn_write_file(const char *path, const void *data, size_t len, rnn_error *err);
/* fsync of the folder holding path, so that a rename into it survives a crash (best effort). */
void rnn_sync_parent_dir(const char *path);

/* Reads up to n bytes from fd, retrying after signals; fewer only at the end of the input.
 * Returns the count, or -1 with errno set. */
ssize_t rnn_read_full(int fd, void *buf, size_t n);

/* Makes room for at least `need` elements of `size` bytes in the array *buf points to (buf is the
 * address of a pointer, e.g. &v->items), whose capacity is *cap elements: the capacity doubles
 * (from 16), so appending costs amortised O(1). Returns 0, or -1 when out of memory or when the size
 * would overflow (*buf and *cap unchanged). */
int rnn_grow(void *buf, size_t *cap, size_t need, size_t size);

/* A growing NUL-terminated string (zero-initialise). On allocation failure the text so far is kept
 * and `oom` set; later appends do nothing. Free s with free(). */
typedef struct rnn_strbuf {
    char *s;
    size_t len, cap;
    bool oom;
} rnn_strbuf;
void rnn_strbuf_put(rnn_strbuf *b, const char *s, size_t n);
void rnn_strbuf_printf(rnn_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Copies text for a one-line message into out (n > 0 bytes, always NUL-terminated): control
 * characters become \n, \t, \r or \xNN and, with `strays`, so do bytes that start no valid UTF-8
 * sequence. Takes at most `max` of the len bytes of s, never cuts a UTF-8 character, and stops
 * before a character whose copy would not fit. Returns the bytes of s taken. */
size_t rnn_escape_text(const char *s, size_t len, size_t max, bool strays, char *out, size_t n);
/* Whether s holds a control character (below 0x20, or 0x7f): a name with one would drive the
 * terminal wherever it is printed (summary, progress lines, the dashboard). */
bool rnn_has_control_char(const char *s);

#endif
