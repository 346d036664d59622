/* The Keras-call parser: good inputs (values, nesting, prefixes) and bad ones (messages). */
#include "config.h"
#include <stdio.h>
#include <string.h>
#include "rnnlab/layers.h"

#include "tests/check.h"

static rnn_call *parse_ok(const char *text)
{
    rnn_call *c = NULL;
    rnn_error err = {0};
    int rc = rnn_call_parse(text, &c, &err);
    CHECK(rc == RNN_OK && c, "parse %s: %s", text, err.msg);
    return rc ? NULL : c;
}

static void parse_bad(const char *text, const char *want)
{
    rnn_call *c = NULL;
    rnn_error err = {0};
    int rc = rnn_call_parse(text, &c, &err);
    CHECK(rc == RNN_EUSAGE && !c, "parse %s: status %d, wanted an error", text, rc);
    CHECK(strstr(err.msg, want) != NULL, "parse %s: message '%s' lacks '%s'", text, err.msg, want);
    printf("ok bad: %-36s -> %s\n", text, err.msg);
    rnn_call_free(c);
}

static void check_values(void)
{
    rnn_call *c = parse_ok("  tf.keras.layers.LSTM( 32 , return_sequences = True, dropout=0.3, recurrent_dropout=.25,"
                           " activation='tanh', name=\"my lstm\", go_backwards=False, unroll=None, x=-1e-3, ) ");
    if (!c)
        return;
    rnn_error err = {0};
    long units;
    double d;
    bool b;
    const char *s;
    CHECK(strcmp(c->name, "LSTM") == 0, "name %s", c->name);
    CHECK(c->n_args == 9, "n_args %d", c->n_args);
    CHECK(rnn_call_int(c, 0, "units", -1, &units, &err) == 0 && units == 32, "units %ld", units);
    CHECK(c->args[0].is_integer && !c->args[2].is_integer, "is_integer");
    CHECK(rnn_call_bool(c, -1, "return_sequences", false, &b, &err) == 0 && b, "return_sequences");
    CHECK(rnn_call_bool(c, -1, "go_backwards", true, &b, &err) == 0 && !b, "go_backwards");
    CHECK(rnn_call_float(c, -1, "dropout", 0, &d, &err) == 0 && d == 0.3, "dropout %g", d);
    CHECK(rnn_call_float(c, -1, "recurrent_dropout", 0, &d, &err) == 0 && d == 0.25, "recurrent_dropout %g", d);
    CHECK(rnn_call_float(c, -1, "x", 0, &d, &err) == 0 && d == -1e-3, "x %g", d);
    CHECK(rnn_call_string(c, -1, "activation", NULL, &s, &err) == 0 && strcmp(s, "tanh") == 0, "activation");
    CHECK(rnn_call_string(c, -1, "name", NULL, &s, &err) == 0 && strcmp(s, "my lstm") == 0, "name arg");
    CHECK(rnn_call_int(c, -1, "unroll", 7, &units, &err) == 0 && units == 7, "None is the default");
    CHECK(rnn_call_int(c, -1, "absent", 5, &units, &err) == 0 && units == 5, "absent is the default");
    CHECK(rnn_call_arg(c, 1, NULL) == NULL, "only one positional argument");
    /* wrong types name the layer and the argument */
    CHECK(rnn_call_int(c, -1, "dropout", 0, &units, &err) == RNN_EUSAGE &&
              strcmp(err.msg, "LSTM: 'dropout' expects an integer, got 0.3") == 0, "int error: %s", err.msg);
    CHECK(rnn_call_bool(c, -1, "activation", 0, &b, &err) == RNN_EUSAGE &&
              strcmp(err.msg, "LSTM: 'activation' expects True or False, got 'tanh'") == 0, "bool error: %s", err.msg);
    CHECK(rnn_call_float(c, 0, NULL, 0, &d, &err) == 0 && d == 32, "positional float");
    CHECK(rnn_call_string(c, 0, NULL, NULL, &s, &err) == RNN_EUSAGE &&
              strcmp(err.msg, "LSTM: argument 1 expects a string, got 32") == 0, "string error: %s", err.msg);
    const char *known[] = {"units", "return_sequences", "dropout", "recurrent_dropout", "activation", "go_backwards",
                           "unroll", NULL};
    CHECK(rnn_call_check_keys(c, 1, known, &err) == RNN_EUSAGE && strstr(err.msg, "unknown argument 'x'"),
          "check_keys: %s", err.msg);
    rnn_call_free(c);
    c = parse_ok("Dense(32, units=64)");
    if (c) {
        CHECK(rnn_call_int(c, 0, "units", -1, &units, &err) == RNN_EUSAGE &&
                  strcmp(err.msg, "Dense: got multiple values for 'units' (argument 1 and units=)") == 0,
              "multiple values: %s", err.msg);
        rnn_call_free(c);
    }
}

static void check_nesting(void)
{
    rnn_call *c = parse_ok("Bidirectional(GRU(128, dropout=0.3), merge_mode='sum')");
    if (c) {
        CHECK(strcmp(c->name, "Bidirectional") == 0 && c->n_args == 2, "outer");
        CHECK(c->args[0].type == RNN_VAL_CALL && strcmp(c->args[0].call->name, "GRU") == 0 &&
                  c->args[0].call->n_args == 2 && strcmp(c->args[0].call->keys[1], "dropout") == 0,
              "inner call");
        rnn_call_free(c);
    }
    c = parse_ok("layers.Bidirectional(layers.LSTM(64, return_sequences=True))");
    if (c) {
        CHECK(strcmp(c->name, "Bidirectional") == 0 && strcmp(c->args[0].call->name, "LSTM") == 0, "prefixes");
        rnn_call_free(c);
    }
    c = parse_ok("keras.layers.Embedding(20000, 300, weights=[pretrained], trainable=False, input_length=(284))");
    if (c) {
        const rnn_value *w = rnn_call_arg(c, -1, "weights");
        CHECK(strcmp(c->name, "Embedding") == 0 && w && w->type == RNN_VAL_LIST && w->n_items == 1 &&
                  w->items[0].type == RNN_VAL_IDENT && strcmp(w->items[0].string, "pretrained") == 0,
              "weights list");
        const rnn_value *t = rnn_call_arg(c, -1, "input_length");
        CHECK(t && t->type == RNN_VAL_NUMBER && t->number == 284, "(284) is 284 as in Python");
        rnn_call_free(c);
    }
    c = parse_ok("Flatten");
    if (c) {
        CHECK(strcmp(c->name, "Flatten") == 0 && c->n_args == 0, "bare name");
        rnn_call_free(c);
    }
    c = parse_ok("tf.keras.Dense(1, noise=(1, 2), v=[0.1, [2, 'x']], k=tf.keras.initializers.Orthogonal, one=(1,))");
    if (c) {
        const rnn_value *v = rnn_call_arg(c, -1, "v"), *n = rnn_call_arg(c, -1, "noise"), *k = rnn_call_arg(c, -1, "k");
        CHECK(v && v->n_items == 2 && v->items[1].type == RNN_VAL_LIST && v->items[1].items[1].type == RNN_VAL_STRING,
              "nested list");
        CHECK(n && n->n_items == 2 && n->items[1].number == 2, "tuple");
        const rnn_value *one = rnn_call_arg(c, -1, "one");
        CHECK(one && one->type == RNN_VAL_LIST && one->n_items == 1, "(1,) is a tuple");
        CHECK(k && k->type == RNN_VAL_IDENT && strcmp(k->string, "tf.keras.initializers.Orthogonal") == 0, "dotted ident");
        rnn_call_free(c);
    }
}

/* Text echoed from the call stays on one line, as valid UTF-8 (line breaks and stray bytes escaped,
 * a character never cut). */
static void check_message_echo(void)
{
    parse_bad("\x06\n]_", "found '\\x06\\n]_' at column 1");
    parse_bad("Dense(3,\x01\t)", "found '\\x01\\t)' at column 9");
    parse_bad("Dense(\xff\xc3)", "found '\\xff\\xc3)'");
    parse_bad("Dense(3 \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9)", "found '\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9...'");
    rnn_call *c = parse_ok("LSTM(activation='a\\nb')");
    if (c) {
        rnn_error err = {0};
        long n;
        CHECK(rnn_call_int(c, -1, "activation", 0, &n, &err) == RNN_EUSAGE
                  && strcmp(err.msg, "LSTM: 'activation' expects an integer, got 'a\\nb'") == 0,
              "string value in a message: %s", err.msg);
        rnn_call_free(c);
    }
}

/* Comparisons in Python expressions: one operator, below arithmetic; `key=` stays a keyword. */
static void check_comparisons(void)
{
    rnn_value v;
    rnn_error err = {0};
    int rc = rnn_expr_parse("y_pred > 0.5", &v, &err);
    CHECK(rc == RNN_OK && v.type == RNN_VAL_EXPR && strcmp(v.string, ">") == 0 && v.n_items == 2 &&
          v.items[0].type == RNN_VAL_IDENT && strcmp(v.items[0].string, "y_pred") == 0 && v.items[1].number == 0.5,
          "y_pred > 0.5: %s", err.msg);
    rnn_value_free(&v);
    rc = rnn_expr_parse("f(a + 1 >= 2 * b, key=c != 'x')", &v, &err);
    CHECK(rc == RNN_OK && v.type == RNN_VAL_CALL && v.call->n_args == 2, "call with comparisons: %s", err.msg);
    if (rc == RNN_OK && v.type == RNN_VAL_CALL && v.call->n_args == 2) {
        const rnn_value *a = &v.call->args[0], *k = &v.call->args[1];
        CHECK(!v.call->keys[0] && a->type == RNN_VAL_EXPR && strcmp(a->string, ">=") == 0 &&
              strcmp(a->items[0].string, "+") == 0 && strcmp(a->items[1].string, "*") == 0, "a + 1 >= 2 * b");
        CHECK(v.call->keys[1] && strcmp(v.call->keys[1], "key") == 0 && k->type == RNN_VAL_EXPR &&
              strcmp(k->string, "!=") == 0, "key=c != 'x'");
    }
    rnn_value_free(&v);
    rc = rnn_expr_parse("x == 1 == 2", &v, &err);
    CHECK(rc != RNN_OK, "a chained comparison is not read");
    rnn_value_free(&v);
}

int main(void)
{
    check_comparisons();
    check_message_echo();
    check_values();
    check_nesting();
    parse_bad("", "empty");
    parse_bad("   ", "empty");
    parse_bad("32", "expected a layer name");
    parse_bad("Dense(", "expected a value");
    parse_bad("Dense(3", "expected ',' or ')' in the arguments of Dense");
    parse_bad("Dense(3))", "expected end of the layer call");
    parse_bad("Dense(3 4)", "expected ',' or ')'");
    parse_bad("Dense(units=3, 4)", "positional argument follows keyword argument");
    parse_bad("Dense(units=3, units=4)", "Dense: argument 'units' given twice");
    parse_bad("Dense(3, activation='relu)", "unterminated string");
    parse_bad("Dense(3, activation=)", "expected a value");
    parse_bad("Dense(32abc)", "after the number");
    parse_bad("foo.Dense(3)", "unknown module in 'foo.Dense'");
    parse_bad("Dense(x=[1, 2)", "expected ',' or ']'");
    parse_bad("Bidirectional(GRU(128, dropout=0.3)", "in the arguments of Bidirectional");
    return check_finish("test_call");
}
