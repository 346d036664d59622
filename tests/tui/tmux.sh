# What the dashboard tests share: the program started in a fresh tmux server, the screen read,
# keys sent, waits. Sourced by tests/tui/*.test; skips (77) without tmux or the program.
: "${RNNLAB:=./rnnlab}"
TMUX_BIN=${TMUX_BIN:-tmux}
[ "$TMUX_BIN" = no ] && TMUX_BIN=tmux
command -v "$TMUX_BIN" >/dev/null 2>&1 || { echo "tmux not found"; exit 77; }
[ -x "$RNNLAB" ] || { echo "program $RNNLAB not built"; exit 77; }

# A new tmux server (socket) for every start: reusing one being killed races.
sock=rnnlab-test-$$ n=0
work=$(mktemp -d "${TMPDIR:-/tmp}/rnnlab-tui.XXXXXX") || exit 1
tm() { "$TMUX_BIN" -L "$sock-$n" "$@"; }
cleanup() {
    tm kill-server >/dev/null 2>&1
    rm -rf "$work"
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"-*   # tmux may leave the socket files
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- screen:"; cat "$work/screen" 2>/dev/null; exit 1; }

# start COLS ROWS ARGS...: the program in a fresh tmux server; its exit status lands in $work/status.
start() {
    cols=$1 rows=$2; shift 2
    tm kill-server >/dev/null 2>&1
    n=$((n + 1))
    rm -f "$work/status" "$work/pid"
    printf '#!/bin/sh\necho $$ > "%s/pid"\n"%s" "$@"\necho $? > "%s/status"\nexec sleep 600\n' \
        "$work" "$RNNLAB" "$work" > "$work/run.sh"
    tm -f /dev/null new-session -d -x "$cols" -y "$rows" \
        "env TERM=xterm-256color LC_ALL=C.UTF-8 HOME='$work' XDG_STATE_HOME='$work' sh '$work/run.sh' $*" \
        || fail "tmux new-session"
    tm set-option -g window-size manual >/dev/null 2>&1
}
screen() { tm capture-pane -p > "$work/screen"; }
# wait_for REGEX [SECONDS]: until the screen matches (extended regex).
wait_for() {
    tries=$(( ${2:-10} * 5 ))
    while [ "$tries" -gt 0 ]; do
        screen
        if grep -Eq -- "$1" "$work/screen"; then
            sleep 0.3; screen   # let a frame being drawn finish before other checks read it
            return 0
        fi
        sleep 0.2
        tries=$((tries - 1))
    done
    fail "timed out waiting for /$1/"
}
send() { tm send-keys -l -- "$1"; tm send-keys Enter; }
wait_status() {
    tries=$(( ${2:-10} * 5 ))
    while [ ! -s "$work/status" ] && [ "$tries" -gt 0 ]; do sleep 0.2; tries=$((tries - 1)); done
    [ -s "$work/status" ] || fail "program did not exit"
    st=$(cat "$work/status")
    [ "$st" = "$1" ] || fail "exit status $st, expected $1"
}
# The terminal is back to normal: not in the alternate screen, cursor visible.
check_restored() {
    [ "$(tm display -p '#{alternate_on}')" = 0 ] || fail "still in the alternate screen ($1)"
    [ "$(tm display -p '#{cursor_flag}')" = 1 ] || fail "cursor still hidden ($1)"
}
