/* Small helpers for the data I/O tests: status and message checks, a scratch folder, file writing. */
#ifndef RNNLAB_TEST_DATA_IO_UTIL_H
#define RNNLAB_TEST_DATA_IO_UTIL_H
/* Include config.h (which defines _GNU_SOURCE) before this header. */
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/check.h"

/* A status check that also shows the engine's message. */
#define CHECK_STATUS(got, want, err) do { int got_ = (got); if (got_ != (want)) { \
    fprintf(stderr, "%s:%d: status %d, expected %d (%s)\n", __FILE__, __LINE__, got_, \
            (int)(want), (err)->msg); failures++; } } while (0)
#define CHECK_MSG(err, needle) do { if (!strstr((err)->msg, (needle))) { \
    fprintf(stderr, "%s:%d: message '%s' lacks '%s'\n", __FILE__, __LINE__, (err)->msg, \
            (needle)); failures++; } } while (0)

static char test_dir[256];
static char *test_paths[4096]; /* paths handed out by test_path, freed at exit */
static size_t test_n_paths;

static inline int test_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static inline void test_cleanup(void)
{
    if (test_dir[0])
        nftw(test_dir, test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    while (test_n_paths > 0)
        free(test_paths[--test_n_paths]);
}

/* Creates the scratch folder (removed at exit). */
static inline void test_setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(test_dir, sizeof test_dir, "%s/rnnlab-dataio-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(test_dir)) {
        perror("mkdtemp");
        exit(99);
    }
    atexit(test_cleanup);
}

/* Path of `name` inside the scratch folder; stays valid until exit. */
static inline const char *test_path(const char *name)
{
    char *b = malloc(strlen(test_dir) + strlen(name) + 2);
    if (!b || test_n_paths == sizeof test_paths / sizeof *test_paths)
        exit(99);
    sprintf(b, "%s/%s", test_dir, name);
    return test_paths[test_n_paths++] = b;
}

/* Writes len bytes to the scratch file `name`, creating parent folders; returns its path. */
static inline const char *test_write(const char *name, const void *data, size_t len)
{
    const char *path = test_path(name);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + strlen(test_dir) + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0777);
            *p = '/';
        }
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
        perror(path);
        exit(99);
    }
    return path;
}

static inline const char *test_write_str(const char *name, const char *text)
{
    return test_write(name, text, strlen(text));
}

static inline bool test_exists(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0;
}

#endif
