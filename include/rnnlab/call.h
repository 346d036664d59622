/* The Keras call parser (core): a constructor call written as in Python, e.g.
 * Bidirectional(GRU(128, dropout=0.3), merge_mode='sum'), parsed into names, positional and
 * keyword arguments, with typed accessors whose errors name the call and the argument. Layers,
 * optimizers, losses and callbacks are all read through it. */
#ifndef RNNLAB_CALL_H
#define RNNLAB_CALL_H
#include "rnnlab/common.h"

/* A parsed Keras constructor call, e.g. Bidirectional(GRU(128, dropout=0.3), merge_mode='sum'). */
typedef enum rnn_value_type {
    RNN_VAL_NONE, RNN_VAL_NUMBER, RNN_VAL_STRING, RNN_VAL_BOOL, RNN_VAL_IDENT, RNN_VAL_CALL, RNN_VAL_LIST,
    RNN_VAL_DICT,           /* {k: v, ...}: items[2i] the key, items[2i+1] its value */
    RNN_VAL_EXPR            /* rnn_expr_parse only: string names the operator, items its operands (below) */
} rnn_value_type;
typedef struct rnn_call rnn_call;
typedef struct rnn_value {
    rnn_value_type type;
    double number;          /* NUMBER, BOOL (0/1) */
    bool is_integer;        /* NUMBER written without '.', 'e' */
    char *string;           /* STRING, IDENT (e.g. pretrained, None) */
    rnn_call *call;         /* CALL */
    int n_items; struct rnn_value *items; /* LIST / tuple, DICT, EXPR operands */
    bool is_tuple;          /* LIST written with ( ) */
} rnn_value;
struct rnn_call {
    char *name;             /* prefix stripped: "LSTM" for tf.keras.layers.LSTM */
    int n_args;
    char **keys;            /* keys[i] NULL for positional arguments */
    rnn_value *args;
};
/* Parses "LSTM(32, return_sequences=True)"; a bare name "Flatten" is a call without arguments. */
int rnn_call_parse(const char *text, rnn_call **out, rnn_error *err);
void rnn_call_free(rnn_call *c);
/* Argument access by position or keyword (either may be given). Each returns RNN_OK and sets *out,
 * the default when absent, or an RNN_EUSAGE error naming the layer and argument on a wrong type. */
const rnn_value *rnn_call_arg(const rnn_call *c, int pos, const char *key);
int rnn_call_int(const rnn_call *c, int pos, const char *key, long dflt, long *out, rnn_error *err);
int rnn_call_float(const rnn_call *c, int pos, const char *key, double dflt, double *out, rnn_error *err);
int rnn_call_bool(const rnn_call *c, int pos, const char *key, bool dflt, bool *out, rnn_error *err);
int rnn_call_string(const rnn_call *c, int pos, const char *key, const char *dflt, const char **out, rnn_error *err);
/* The call's name= (a layer's, an Input's): NULL when absent, else a string of fewer than cap bytes
 * without a control character (a name is printed: summary, progress lines, the dashboard). */
int rnn_call_name(const rnn_call *c, size_t cap, const char **out, rnn_error *err);
/* Fails with RNN_EUSAGE naming the first argument not in `known` (NULL-terminated keyword list;
 * positional arguments beyond n_positional are also errors). The base-layer keywords name=,
 * trainable= and dtype= are always accepted (the layer level reads name and trainable).
 * None counts as absent for the int/float/string accessors. */
int rnn_call_check_keys(const rnn_call *c, int n_positional, const char *const *known, rnn_error *err);

/* A Python expression of a Keras script, e.g. model.add(layers.LSTM(32)), (x_train, y_train),
 * {0: 1, 1: 6.5}, len(tokenizer.word_index) + 1, x[:n], layers.Dense(1)(x). Names keep their dots
 * (no prefix is stripped: a call's name is "layers.LSTM"). Besides the call grammar's values it
 * reads dicts and EXPR nodes, whose string is the operator:
 *   "+", "-", "*", "/", "//", "%", "**"  binary arithmetic (items: left, right); "neg" (items: operand)
 *   "f"    an f-string (items: its literal pieces as STRINGs and its replacement fields in order);
 *          "{}" a replacement field (items: the expression, STRING format spec, STRING conversion
 *          "", "r", "s" or "a")
 *   "==", "!=", "<", "<=", ">", ">="  one comparison, below arithmetic (items: left, right)
 *   "[]"   subscript (items: target, index); an index written a:b is an EXPR ":" (items: lo, hi,
 *          each NONE when left out)
 *   "."    attribute of a value that is not a name (items: target, IDENT attribute)
 *   "()"   call of a value that is not a name (items: callee; call: the arguments, name "")
 * The text must hold only the expression. Free *out with rnn_value_free. */
int rnn_expr_parse(const char *text, rnn_value *out, rnn_error *err);
void rnn_value_free(rnn_value *v);
/* Deep copy; false when out of memory (*dst is then empty). */
bool rnn_value_copy(rnn_value *dst, const rnn_value *src);

#endif
