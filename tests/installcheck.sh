#!/bin/sh
# make installcheck: examples/predict.c, built with only the installed headers and library
# (pkg-config rnnlab), predicts what the installed rnnlab predicts, on a small pipeline the
# installed rnnlab trains on the demo set and saves. Under DESTDIR, pkg-config's prefix is moved
# there and the program finds the library through LD_LIBRARY_PATH.
# Environment: CC CFLAGS LDFLAGS PKG_CONFIG prefix bindir libdir pkgconfigdir srcdir.
set -eu
for f in "$bindir/rnnlab" "$pkgconfigdir/rnnlab.pc"; do
    [ -e "$f" ] || { echo "installcheck: $f is not installed (make install first)"; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-installcheck.XXXXXX")
trap 'rm -rf "$work"' EXIT
flags=$(PKG_CONFIG_PATH="$pkgconfigdir" "${PKG_CONFIG:-pkg-config}" --define-variable=prefix="$prefix" \
        --cflags --libs rnnlab)
echo "installcheck: $CC examples/predict.c $flags"
# shellcheck disable=SC2086 # CFLAGS, LDFLAGS and the pkg-config flags are lists of words
$CC $CFLAGS -o "$work/predict" "$srcdir/examples/predict.c" $LDFLAGS $flags
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"; export LD_LIBRARY_PATH
if ldd "$work/predict" 2>/dev/null | grep -q 'librnnlab.*not found'; then
    echo "installcheck: predict does not find the installed librnnlab"; exit 1
fi
text='the acting was not dull , it was charming'
cd "$work"
HOME="$work" NO_COLOR=1 "$bindir/rnnlab" --plain -c "load demo; tokenize; pad maxlen=12; \
add Embedding(50, 8); add GRU(8); add Dense(1, activation='sigmoid'); \
compile optimizer=adam learning_rate=0.01 loss=binary_crossentropy metrics=accuracy; \
fit epochs=3 batch_size=32; save demo.rnnlab; predict '$text'" >rnnlab.out
want=$(tail -n 1 rnnlab.out)
got=$("$work/predict" demo.rnnlab "$text")
echo "installcheck: rnnlab:  $want"
echo "installcheck: predict: $got"
[ "$got" = "$want" ] || { echo "installcheck: FAIL: predict and rnnlab disagree"; exit 1; }
# a file that is not a save file: one line naming it, status 66
if "$work/predict" rnnlab.out "$text" 2>err.out; then echo "installcheck: FAIL: predict opened a text file"; exit 1; fi
grep -q "rnnlab.out" err.out || { echo "installcheck: FAIL: the error does not name the file:"; cat err.out; exit 1; }
echo "installcheck: examples/predict.c built against the installed library predicts as rnnlab"
