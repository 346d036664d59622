/* The built-in demo data set: short reviews where word order decides the label. Every sentence holds one
 * positive and one negative adjective and one "not"; the adjective right after "not" is negated and the
 * other one carries the sentiment. Bag-of-words models see the same words in both classes (chance level);
 * a recurrent model that tracks order learns it. No file or network; deterministic from the seed. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "data/data_internal.h"
#include "data/io_internal.h"

#define DEMO_TRAIN 2000
#define DEMO_TEST 500
#define DEMO_SEED 1234

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
static const char *const subjects[] = {"the movie", "this film", "the plot", "the acting", "the story",
                                       "the ending", "the cast", "the script", "the music", "the show"};
static const char *const verbs[] = {"was", "is", "seemed", "felt"};
static const char *const fillers[] = {"", "", "", "honestly ", "really ", "to be fair ", "overall ", "i think "};
static const char *const positive[] = {"good", "great", "fun", "moving", "clever", "funny", "beautiful",
                                       "exciting", "charming", "brilliant"};
static const char *const negative[] = {"bad", "boring", "dull", "awful", "weak", "silly", "slow",
                                       "predictable", "clumsy", "tedious"};

static const char *pick(rnn_numpy_rng *r, const char *const *a, size_t n)
{
    return a[rnn_numpy_interval(r, n - 1)];
}

/* Writes one sentence into buf; returns its label (1 = pos: the asserted adjective is positive). */
static int demo_sentence(rnn_numpy_rng *r, char *buf, size_t size)
{
    int label = (int)rnn_numpy_interval(r, 1);
    const char *good = pick(r, positive, COUNT(positive)), *bad = pick(r, negative, COUNT(negative));
    const char *asserted = label ? good : bad, *negated = label ? bad : good;
    const char *subj = pick(r, subjects, COUNT(subjects)), *verb = pick(r, verbs, COUNT(verbs));
    const char *fill = pick(r, fillers, COUNT(fillers));
    switch (rnn_numpy_interval(r, 3)) {
    case 0:
        snprintf(buf, size, "%s%s %s not %s , it %s %s", fill, subj, verb, negated, verb, asserted);
        break;
    case 1:
        snprintf(buf, size, "%s%s %s %s , not %s", fill, subj, verb, asserted, negated);
        break;
    case 2:
        snprintf(buf, size, "not %s at all , %s%s %s %s", negated, fill, subj, verb, asserted);
        break;
    default:
        snprintf(buf, size, "%s%s %s %s and not %s", fill, subj, verb, asserted, negated);
        break;
    }
    return label;
}

int rnn_load_demo(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err)
{
    *out = NULL;
    if (o->seed > 0xFFFFFFFFL)
        return rnn_fail(err, RNN_EUSAGE, "seed: %ld is not between 0 and 2**32-1", o->seed);
    rnn_dataset *ds = rnn_dataset_new("demo", "built-in");
    if (!ds || rnn_dataset_class(ds, "neg") != 0 || rnn_dataset_class(ds, "pos") != 1) {
        rnn_dataset_free(ds);
        return rnn_fail(err, RNN_EINTERNAL, "out of memory building the demo data set");
    }
    rnn_numpy_rng r;
    rnn_numpy_seed(&r, (uint32_t)(o->seed < 0 ? DEMO_SEED : o->seed));
    char buf[256];
    /* With test_split, every sentence is one source that the split divides. */
    bool one_source = o->test_split > 0;
    for (int i = 0; i < DEMO_TRAIN + DEMO_TEST; i++) {
        int label = demo_sentence(&r, buf, sizeof buf);
        int rc = rnn_dataset_add(ds, !one_source && i >= DEMO_TRAIN, buf, strlen(buf), label, "demo", err);
        if (rc) {
            rnn_dataset_free(ds);
            return rc;
        }
    }
    int rc = rnn_io_apply_test_split(ds, o, err);
    if (rc) {
        rnn_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return RNN_OK;
}
