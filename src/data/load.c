/* rnn_dataset_load: the one table of data set kinds, dispatching to each loader. */
#include "config.h"
#include <string.h>
#include "data/data_internal.h"

typedef struct loader {
    const char *kind;
    int (*load)(const rnn_load_opts *o, rnn_dataset **out, rnn_error *err);
} loader;

static const loader loaders[] = {
    { "imdb", rnn_load_imdb },
    { "sms", rnn_load_sms },
    { "csv", rnn_load_csv },
    { "dir", rnn_load_dir },
    { "lines", rnn_load_lines },
    { "demo", rnn_load_demo },
};
enum { N_LOADERS = sizeof loaders / sizeof loaders[0] };

static int load_unknown(const char *kind, rnn_error *err)
{
    char known[128] = "";
    size_t used = 0;
    for (size_t i = 0; i < N_LOADERS; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                 loaders[i].kind);
    if (!kind || !*kind)
        return rnn_fail(err, RNN_EUSAGE, "load needs a data set kind (known: %s)", known);
    return rnn_fail(err, RNN_EUSAGE, "unknown data set '%s' (known: %s)", kind, known);
}

int rnn_dataset_load(const char *kind, const rnn_load_opts *opts, rnn_dataset **out, rnn_error *err)
{
    /* Without options every loader uses its defaults (seed and test_split < 0 mean default). */
    static const rnn_load_opts defaults = { .seed = -1, .test_split = -1 };
    *out = NULL;
    rnn_error_clear(err);
    for (size_t i = 0; kind && i < N_LOADERS; i++) {
        if (strcmp(kind, loaders[i].kind) != 0)
            continue;
        int rc = loaders[i].load(opts ? opts : &defaults, out, err);
        if (rc == RNN_OK && !*out)
            return rnn_fail(err, RNN_EINTERNAL, "load %s returned no data set", kind);
        return rc;
    }
    return load_unknown(kind, err);
}
