/* PyTorch fixture files and the one tolerance every comparison against them uses.
 *
 * A fixture (tests/fixtures/FOLDER/NAME.txt, written by a tests/<folder>/gen_fixtures_*.py
 * script) is a list of records separated by white space, each a key and what follows it:
 *   # TEXT             a comment, to the end of the line
 *   call TEXT          the layer's Keras call, to the end of the line
 *   KEY N v1 ... vN    an array of N numbers (x, y, dy, dx, params, grads, mask, ...)
 *   KEY i1 ... iK      a group of K integers (B 3; shape 2 -1 5 3 6)
 * Records run to the next key; a key is any word that is not a number.
 *
 * Tolerance, for every value of every array: |got - want| <= 1e-5 * max(|want|, 0.05), that is
 * 1e-5 relative with an absolute floor of 5e-7 for values near zero (float32 sums of terms near
 * 1 cannot resolve those more finely). Arrays made of parts (a layer's parameter groups) are
 * compared in each part too, so each part's report names the part at fault. */
#ifndef RNNLAB_TESTS_FIXTURE_H
#define RNNLAB_TESTS_FIXTURE_H
#include <stddef.h>

#define FIXTURE_RTOL 1e-5
#define FIXTURE_FLOOR 0.05 /* |want| below this is compared as if it were this */

typedef struct fixture_record {
    char key[32];
    size_t n;  /* numbers after the key */
    double *v;
} fixture_record;

typedef struct fixture {
    char name[256]; /* the file's name, for messages */
    char call[512];
    size_t n_records;
    fixture_record *records;
} fixture;

/* Reads PATH; 0, or -1 with a FAIL line naming the file. */
int fixture_read(const char *path, fixture *fx);
void fixture_free(fixture *fx);

/* The array KEY (its N numbers) or NULL when absent or when its length does not match. */
const double *fixture_array(const fixture *fx, const char *key, size_t *n);
/* The K integers of KEY; 0, or -1 when absent or of another length. */
int fixture_ints(const fixture *fx, const char *key, int *out, size_t k);
/* The array KEY as floats in an aligned buffer (rnn_free_aligned), NULL when absent. */
float *fixture_floats(const fixture *fx, const char *key, size_t *n);
/* The array KEY as a mask (1 where the value is not 0), malloc'd; NULL when absent. */
unsigned char *fixture_mask(const fixture *fx, const char *key);

/* Compares N values with the tolerance above, prints one line (and a FAIL line with the worst
 * value); 0 when they match. */
int fixture_compare(const fixture *fx, const char *what, const float *got, const double *want, size_t n);
/* The same against the fixture's array KEY, which must hold exactly N values. */
int fixture_check(const fixture *fx, const char *key, const float *got, size_t n);

/* The sorted names of the .txt files of $srcdir/tests/fixtures/FOLDER (free with
 * fixture_names_free); NULL with a message when the folder cannot be read. */
char **fixture_names(const char *folder, char *dir, size_t dir_size, int *n);
void fixture_names_free(char **names, int n);
/* Reads every fixture of tests/fixtures/FOLDER and gives it to run (0 = it passed); returns how
 * many failed or could not be read, with *n the number of fixtures. */
int fixture_run_all(const char *folder, int (*run)(const fixture *fx), int *n);

#endif
