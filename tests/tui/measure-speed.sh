#!/bin/sh
# Speed cost of the dashboard: the same fit run with --plain and in the dashboard, each in a
# 100x30 tmux pane (a real terminal for both), alternated N times; prints wall seconds per run
# and the median ratio. Not part of `make check` (it takes minutes).
# usage: tests/tui/measure-speed.sh [RUNS] [EPOCHS]   (env: RNNLAB, TMUX_BIN)
: "${RNNLAB:=./rnnlab}" "${TMUX_BIN:=tmux}"
runs=${1:-3} epochs=${2:-4}
work=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-speed.XXXXXX") || exit 1
sock=rnnlab-speed-$$
trap '"$TMUX_BIN" -L "$sock" kill-server >/dev/null 2>&1; rm -rf "$work"' EXIT
cat > "$work/fit.rnn" <<EOS
load demo
tokenize num_words=2000
pad maxlen=80
model new speed
add Embedding(2000, 32)
add LSTM(64)
add Dense(1, activation='sigmoid')
compile optimizer=adam loss=binary_crossentropy metrics=accuracy
fit epochs=$epochs batch_size=32 validation_split=0.2
quit
EOS
one() { # $1 = extra flag; prints wall seconds
    rm -f "$work/t"
    "$TMUX_BIN" -L "$sock" kill-server >/dev/null 2>&1
    "$TMUX_BIN" -L "$sock" -f /dev/null new-session -d -x 100 -y 30 \
        "s=\$(date +%s.%N); '$RNNLAB' $1 -i '$work/fit.rnn' >/dev/null; e=\$(date +%s.%N); echo \"\$s \$e\" > '$work/t'"
    while [ ! -s "$work/t" ]; do sleep 0.2; done
    awk '{printf "%.2f\n", $2 - $1}' "$work/t"
}
: > "$work/plain"; : > "$work/dash"
i=0
while [ "$i" -lt "$runs" ]; do
    p=$(one --plain); d=$(one "")
    echo "run $((i + 1)): plain ${p}s  dashboard ${d}s"
    echo "$p" >> "$work/plain"; echo "$d" >> "$work/dash"
    i=$((i + 1))
done
med() { sort -n "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
mp=$(med "$work/plain"); md=$(med "$work/dash")
awk -v p="$mp" -v d="$md" 'BEGIN {printf "median: plain %.2fs  dashboard %.2fs  cost %+.1f%%\n", p, d, (d / p - 1) * 100}'
