/* The one CHECK macro of the C tests: reports a failed condition with its place and counts it;
 * a test's main returns failures != 0. */
#ifndef RNNLAB_TESTS_CHECK_H
#define RNNLAB_TESTS_CHECK_H
#include <stdio.h>

static int failures;

#define CHECK(cond, ...)                                                                 \
    do {                                                                                 \
        if (!(cond)) {                                                                   \
            printf("FAIL %s:%d: ", __FILE__, __LINE__);                                  \
            printf(__VA_ARGS__);                                                         \
            printf("\n");                                                                \
            failures++;                                                                  \
        }                                                                                \
    } while (0)

#endif
