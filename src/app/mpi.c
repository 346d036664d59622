/* The ranks of an mpirun: the communicator the engine's data-parallel fit, evaluate and predict
 * use (rnnlab/comm.h) over MPI, and the session's part in it (silent ranks, one outcome per
 * command). Built only with MPI (./configure --with-mpi). */
#include "config.h"
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "app/internal.h"
#include "app/mpi.h"

static bool mpi_joined;
static rnn_comm mpi_comm;
static char mpi_last_error[1024];   /* a silent rank's last error line, for rank 0 to print */

/* An MPI call's failure as an engine error naming the call. */
static int mpi_fail(rnn_error *err, const char *call, int code)
{
    char text[MPI_MAX_ERROR_STRING];
    int len = 0;
    if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "error %d", code);
    return rnn_fail(err, RNN_EIO, "%s between the ranks failed: %s", call, text);
}

/* Counts MPI takes as int: a larger exchange is refused rather than cut. */
static int mpi_count(size_t n, const char *what, int *out, rnn_error *err)
{
    if (n > INT_MAX) return rnn_fail(err, RNN_EINTERNAL, "%s of %zu elements: more than MPI can send at once", what, n);
    *out = (int)n;
    return RNN_OK;
}

static size_t chunk_start(size_t n, int size, int k) { return n * (size_t)k / (size_t)size; }

/* Ring allreduce: a reduce-scatter around the ring (chunk k starts at rank k and gathers each
 * next rank's values, added in that order), then an allgather of the summed chunks. Every sum
 * is made once and copied, so every rank has the same bits, and the order of additions depends
 * only on the number of ranks. Each rank sends and receives 2 (size - 1) / size of x. */
static int mpi_sum_floats(const rnn_comm *c, float *x, size_t n, rnn_error *err)
{
    int N = c->size, r = c->rank, right = (r + 1) % N, left = (r + N - 1) % N, rc;
    if (N == 1 || n == 0) return RNN_OK;
    MPI_Comm comm = *(MPI_Comm *)c->impl;
    size_t most = n / (size_t)N + 1;
    int count;
    if ((rc = mpi_count(most, "a gradient sum", &count, err))) return rc;
    float *in = malloc(most * sizeof *in);
    if (!in) return rnn_fail(err, RNN_EINTERNAL, "out of memory for a gradient sum of %zu floats", n);
    for (int step = 0; step < 2 * (N - 1); step++) {
        bool reduce = step < N - 1;
        int s = reduce ? step : step - (N - 1);
        int send_k = reduce ? (r - s + N) % N : (r + 1 - s + N) % N;
        int recv_k = reduce ? (r - s - 1 + 2 * N) % N : (r - s + N) % N;
        size_t so = chunk_start(n, N, send_k), sn = chunk_start(n, N, send_k + 1) - so;
        size_t ro = chunk_start(n, N, recv_k), rn = chunk_start(n, N, recv_k + 1) - ro;
        int e = MPI_Sendrecv(x + so, (int)sn, MPI_FLOAT, right, 1, reduce ? in : x + ro, (int)rn, MPI_FLOAT, left, 1,
                             comm, MPI_STATUS_IGNORE);
        if (e != MPI_SUCCESS) {
            free(in);
            return mpi_fail(err, "a gradient sum", e);
        }
        if (reduce)
            for (size_t i = 0; i < rn; i++) x[ro + i] = in[i] + x[ro + i];
    }
    free(in);
    return RNN_OK;
}

static int mpi_gather(const rnn_comm *c, const void *mine, size_t bytes, void **all, size_t *off, rnn_error *err)
{
    MPI_Comm comm = *(MPI_Comm *)c->impl;
    int N = c->size, rc, e;
    *all = NULL;
    unsigned long long have = bytes, sizes[N];
    if ((e = MPI_Allgather(&have, 1, MPI_UNSIGNED_LONG_LONG, sizes, 1, MPI_UNSIGNED_LONG_LONG, comm)) != MPI_SUCCESS)
        return mpi_fail(err, "an exchange", e);
    int counts[N], displs[N], mine_count = 0;
    off[0] = 0;
    for (int k = 0; k < N; k++) {
        if ((rc = mpi_count(off[k], "an exchange", &displs[k], err)) ||
            (rc = mpi_count(sizes[k], "an exchange", &counts[k], err)))
            return rc;
        off[k + 1] = off[k] + (size_t)sizes[k];
    }
    if ((rc = mpi_count(bytes, "an exchange", &mine_count, err))) return rc;
    char *buf = malloc(off[N] ? off[N] : 1);
    if (!buf) return rnn_fail(err, RNN_EINTERNAL, "out of memory for an exchange of %zu bytes", off[N]);
    if ((e = MPI_Allgatherv(mine, mine_count, MPI_BYTE, buf, counts, displs, MPI_BYTE, comm)) != MPI_SUCCESS) {
        free(buf);
        return mpi_fail(err, "an exchange", e);
    }
    *all = buf;
    return RNN_OK;
}

/* mpirun (Open MPI, or a PMI launcher) sets these in every process it starts. */
static bool mpi_launched(void)
{
    return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") || getenv("PMI_SIZE");
}

int app_mpi_start(int *argc, char ***argv)
{
    if (!mpi_launched()) return -1;
    int provided;
    /* Only the main thread calls MPI; the engine's worker threads never do. */
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) {
        fprintf(stderr, "rnnlab: cannot join the other MPI ranks (MPI_Init failed)\n");
        return RNN_EIO;
    }
    mpi_joined = true;
    static MPI_Comm world;
    MPI_Comm_dup(MPI_COMM_WORLD, &world);
    MPI_Comm_set_errhandler(world, MPI_ERRORS_RETURN);   /* errors come back as messages */
    MPI_Comm_rank(world, &mpi_comm.rank);
    MPI_Comm_size(world, &mpi_comm.size);
    mpi_comm.sum_floats = mpi_sum_floats;
    mpi_comm.gather = mpi_gather;
    mpi_comm.impl = &world;
    return -1;
}

/* A silent rank keeps its last error line, which rank 0 prints when it is the first failure. */
static void mpi_silent_sink(const char *text, size_t len, bool is_error, void *ud)
{
    (void)ud;
    if (is_error) snprintf(mpi_last_error, sizeof mpi_last_error, "%.*s", (int)len, text);
}

int app_mpi_setup(app_state *s)
{
    if (!mpi_joined) return 1;
    s->comm = &mpi_comm;
    if (mpi_comm.rank > 0) {
        app_set_sink(mpi_silent_sink, NULL);
        rnn_files_discard(true);   /* rank 0 writes every file */
    }
    return mpi_comm.size;
}

typedef struct mpi_outcome {
    int rc;
    char msg[1024];
} mpi_outcome;

int app_mpi_agree(app_state *s, int rc)
{
    (void)s;
    if (!mpi_joined || mpi_comm.size == 1) return rc;
    mpi_outcome mine = {.rc = rc};
    if (rc > 0) memcpy(mine.msg, mpi_last_error, sizeof mine.msg);
    mpi_last_error[0] = '\0';
    void *all;
    size_t off[mpi_comm.size + 1];
    rnn_error err = {0};
    if (mpi_gather(&mpi_comm, &mine, sizeof mine, &all, off, &err)) {
        if (mpi_comm.rank == 0) fprintf(stderr, "rnnlab: error: %s\n", err.msg);
        return err.code;
    }
    int first = 0;
    while (first < mpi_comm.size && ((mpi_outcome *)((char *)all + off[first]))->rc == RNN_OK) first++;
    int out = RNN_OK;
    if (first < mpi_comm.size) {
        const mpi_outcome *o = (const mpi_outcome *)((char *)all + off[first]);
        out = o->rc;
        if (mpi_comm.rank == 0 && first > 0 && rc == RNN_OK && o->rc > 0) {
            fflush(stdout);
            size_t len = strcspn(o->msg, "\n");
            if (len) fprintf(stderr, "%.*s (on rank %d)\n", (int)len, o->msg, first);
            else fprintf(stderr, "rnnlab: error: the command failed on rank %d\n", first);
            fflush(stderr);
        }
    }
    free(all);
    return out;
}

int app_mpi_default_threads(void)
{
    const char *local = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    long ranks = local ? strtol(local, NULL, 10) : 0, cpus = sysconf(_SC_NPROCESSORS_ONLN);
    if (!mpi_joined || ranks < 2 || cpus < 1) return 0;
    return cpus / ranks > 1 ? (int)(cpus / ranks) : 1;
}

void app_mpi_finish(void)
{
    if (mpi_joined) MPI_Finalize();
    mpi_joined = false;
}
