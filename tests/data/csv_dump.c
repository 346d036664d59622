/* Test driver: for each pair DELIMITER FILE, loads FILE with `load csv` (text=text label=label) and
 * writes FILE.out with every training record as "label NUL text NUL", or FILE.err with
 * "STATUS MESSAGE" when loading fails. One process for many files: process start-up is slow. */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "rnnlab/data.h"

static int dump_one(char delimiter, const char *path)
{
    rnn_load_opts o = { .path = path, .seed = -1, .test_split = -1, .text_col = "text",
                        .label_col = "label", .delimiter = delimiter };
    rnn_dataset *ds;
    rnn_error err;
    char out_path[4200];
    int rc = rnn_dataset_load("csv", &o, &ds, &err);
    snprintf(out_path, sizeof out_path, "%s.%s", path, rc ? "err" : "out");
    FILE *f = fopen(out_path, "wb");
    if (!f)
        return 73;
    if (rc)
        fprintf(f, "%d %s", rc, err.msg);
    for (size_t i = 0; !rc && i < ds->train.n; i++) {
        const char *label = ds->class_names[ds->train.label[i]], *text = ds->train.text[i];
        fwrite(label, 1, strlen(label) + 1, f);
        fwrite(text, 1, strlen(text) + 1, f);
    }
    if (!rc)
        rnn_dataset_free(ds);
    return fclose(f) == 0 ? 0 : 74;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc % 2 == 0)
        return 64;
    for (int i = 1; i + 1 < argc; i += 2) {
        int rc = dump_one(argv[i][0], argv[i + 1]);
        if (rc)
            return rc;
    }
    return 0;
}
