/* The checks of the C tests: CHECK(cond) or CHECK(cond, "format", ...) reports a failed condition
 * with its place (and the message) on stderr and counts it; main ends with
 * `return check_finish("name");`, which prints the count and gives the exit status (0 or 1). */
#ifndef RNNLAB_TESTS_CHECK_H
#define RNNLAB_TESTS_CHECK_H
#include <stdarg.h>
#include <stdio.h>

static int failures;

/* The message's format arrives with a leading space ("" " fmt"), so CHECK(cond) alone is valid C. */
#define CHECK(cond, ...)                                                                 \
    do {                                                                                 \
        if (!(cond))                                                                     \
            check_failed(__FILE__, __LINE__, #cond, " " __VA_ARGS__);                    \
    } while (0)

static inline void check_failed(const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static inline void check_failed(const char *file, int line, const char *cond, const char *fmt, ...)
{
    fprintf(stderr, "FAIL %s:%d: %s", file, line, cond);
    if (fmt[1]) {
        va_list ap;
        va_start(ap, fmt);
        fputc(':', stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
    failures++;
}

static inline int check_finish(const char *name)
{
    if (failures) {
        fprintf(stderr, "%s: %d check%s failed\n", name, failures, failures == 1 ? "" : "s");
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif
