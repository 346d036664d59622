/* Test driver: loads FILE with `load csv` (text=text label=label, optional DELIMITER) and writes every
 * training record as "label NUL text NUL" to stdout, for comparison with Python's csv module. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "rnnlab/data.h"

int main(int argc, char **argv)
{
    if (argc < 2)
        return 64;
    rnn_load_opts o = { .path = argv[1], .seed = -1, .test_split = -1, .text_col = "text",
                        .label_col = "label", .delimiter = argc > 2 ? argv[2][0] : 0 };
    rnn_dataset *ds;
    rnn_error err;
    int rc = rnn_dataset_load("csv", &o, &ds, &err);
    if (rc) {
        fprintf(stderr, "%s\n", err.msg);
        return rc;
    }
    for (size_t i = 0; i < ds->train.n; i++) {
        const char *label = ds->class_names[ds->train.label[i]], *text = ds->train.text[i];
        fwrite(label, 1, strlen(label) + 1, stdout);
        fwrite(text, 1, strlen(text) + 1, stdout);
    }
    rnn_dataset_free(ds);
    return fflush(stdout) == 0 ? 0 : 74;
}
