#!/usr/bin/env bash
# Drives the RELEASE rlhf binary in tmux the way a student would: Tab completion, Ctrl-C at the
# prompt, Ctrl-D, history across a restart, Ctrl-R. Exits 0 when everything works; otherwise
# prints each failure with the screen it saw and exits 1.
#
#   swift build -c release && Tests/repl-tmux.sh          (RLHF_BIN=path overrides the binary)
#
# Waits poll `tmux capture-pane` with a timeout instead of sleeping a fixed time.
set -u
cd "$(dirname "$0")/.."
BIN=$(realpath "${RLHF_BIN:-.build/release/rlhf}")
[ -x "$BIN" ] || { echo "FAIL: no binary at $BIN (run: swift build -c release)"; exit 1; }
command -v tmux >/dev/null || { echo "FAIL: tmux is not installed (apt-get install tmux)"; exit 1; }

TMP=$(mktemp -d)
S="rlhf-test-$$"
HISTORY="$TMP/state/rlhf/history"
failures=0
trap 'tmux kill-session -t "$S" 2>/dev/null; rm -rf "$TMP"' EXIT

screen() { tmux capture-pane -p -t "$S" 2>/dev/null; }
fail() {
    echo "FAIL: $1"
    echo "---- screen ----"; screen; echo "----------------"
    failures=$((failures + 1))
}
# wait_for TEXT [SECONDS]: until TEXT (fixed string) is on the screen.
wait_for() {
    local deadline=$((SECONDS + ${2:-5}))
    while [ $SECONDS -lt $deadline ]; do
        screen | grep -qF -- "$1" && return 0
        sleep 0.05
    done
    return 1
}
# wait_count TEXT N: until TEXT appears on at least N lines.
wait_count() {
    local deadline=$((SECONDS + 5))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(screen | grep -cF -- "$1")" -ge "$2" ] && return 0
        sleep 0.05
    done
    return 1
}
# The last non-empty line of the screen (the line being edited).
last_line() { screen | grep -v '^$' | tail -n 1; }
wait_last() {
    local deadline=$((SECONDS + 5))
    while [ $SECONDS -lt $deadline ]; do
        [ "$(last_line)" = "$1" ] && return 0
        sleep 0.05
    done
    return 1
}
wait_exit() {
    local deadline=$((SECONDS + 5))
    while [ $SECONDS -lt $deadline ]; do
        tmux has-session -t "$S" 2>/dev/null || return 0
        sleep 0.05
    done
    return 1
}
type_text() { tmux send-keys -t "$S" -l "$1"; }
key() { tmux send-keys -t "$S" "$@"; }
start() {
    tmux new-session -d -s "$S" -x 100 -y 40 \
        "env -u RLHF_HISTORY HOME='$TMP' XDG_STATE_HOME='$TMP/state' TERM=xterm '$BIN'"
    wait_for 'rlhf>' 10 || fail "no prompt after start"
}

# ---- first run ----
start
wait_for 'RLHF Lab 0.1.0 · seed 0 · type :help for help' || fail "banner"

type_text ':se'; key Tab
wait_for ':seed  :set' || fail "Tab on ':se' should list :seed and :set"

key C-u; type_text ':sh'; key Tab
wait_last 'rlhf> :show' || fail "Tab on ':sh' should complete to ':show '"

key C-u; type_text ':set output '; key Tab
wait_for 'json  text' || fail "Tab after ':set output ' should list json and text"

key C-u; type_text ':set temperature '; key Tab
wait_for 'usage: :set [<name> [<value>]]' || fail "Tab with nothing to insert should print the usage"

# The terminal discards unread input on Ctrl-C, so wait until 'abc' is shown before pressing it.
key C-u; type_text 'abc'
wait_last 'rlhf> abc' || fail "typing abc"
key C-c
wait_for 'rlhf> abc^C' || fail "Ctrl-C at the prompt should print ^C"
type_text 'xyz'; key Enter
wait_for "error: unknown command 'xyz'" || fail "after Ctrl-C the line should be empty (got something else than xyz)"

type_text ':set temperature 0.5'; key Enter
wait_for 'temperature: 1 -> 0.5' || fail ":set temperature 0.5"

type_text ':set top_p 2'; key Enter
wait_for 'hint: allowed: 0 < top_p <= 1' || fail "out-of-range error with hint"

key C-d
wait_exit || fail "Ctrl-D on an empty line should exit"
[ -f "$HISTORY" ] || fail "history file $HISTORY was not written"
grep -q 'temperature' "$HISTORY" 2>/dev/null || fail "history file lacks ':set temperature 0.5'"

# ---- second run: history survives ----
start
key Up
wait_last 'rlhf> :set top_p 2' || fail "Up should recall the last line of the previous run"
key Up
wait_last 'rlhf> :set temperature 0.5' || fail "second Up should recall the line before"
key C-u C-r; type_text 'xy'
wait_for 'xyz' || fail "Ctrl-R should find 'xyz' in history"
key Enter
wait_count "error: unknown command 'xyz'" 1 || fail "Enter after Ctrl-R should run the found line"

# ---- Ctrl-C during long training: back at the prompt within a second, model intact ----
# ---- the session's width follows the window until the student sets it ----
key C-u; type_text ':show width'; key Enter
wait_for 'width  100' || fail "width should follow the 100-column window"
tmux resize-window -t "$S" -x 80 -y 40
key C-u; type_text ':set width'; key Enter
wait_for 'width *80' || fail "width should follow the window resized to 80 columns"
type_text ':set width 90'; key Enter
wait_for 'width: 80 -> 90' || fail ":set width 90"
tmux resize-window -t "$S" -x 100 -y 40
key C-u; type_text ':set'; key Enter
wait_for 'width *90' || fail "a width the student set should stay when the window changes"
key C-u; type_text ':set top-'; key Tab
wait_for 'top-k  top-p' || fail "Tab on ':set top-' should list top-k and top-p"
key C-u

type_text ':set model.width 16'; key Enter
type_text ':new policy'; key Enter
wait_for 'policy: new GPT-2' 10 || fail ":new policy"
type_text 'pretrain 100000'; key Enter
wait_for 'pretrain step 1 ' 20 || fail "pretrain 100000 should start"
key C-c
stopped_at=$SECONDS
wait_for 'stopped by Ctrl-C after' 3 || fail "Ctrl-C during pretrain should stop it and say what was done"
[ $((SECONDS - stopped_at)) -le 2 ] || fail "Ctrl-C took more than a second or two to return"
type_text 'last'; key Enter
wait_for 'pretrain step' 5 || fail "the session should stay usable after Ctrl-C (last)"
type_text 'sample tea ? 1'; key Enter
wait_for 'log p' 10 || fail "the model should still sample after Ctrl-C"

type_text ':quit'; key Enter
wait_exit || fail ":quit should exit"

# ---- not a terminal: no prompt, no history writes, exit code ----
before=$(cksum < "$HISTORY")
out=$(printf ':set seed 3\n:set top_p 2\n' | env HOME="$TMP" XDG_STATE_HOME="$TMP/state" "$BIN" 2>&1); code=$?
[ $code -ne 0 ] || fail "piped script with an error should exit non-zero (got $code)"
echo "$out" | grep -qF '<stdin>:2: error: top_p: 2 is out of range' || fail "piped error should be prefixed <stdin>:2: (got: $out)"
echo "$out" | grep -qF 'rlhf>' && fail "piped mode should print no prompt"
[ "$(cksum < "$HISTORY")" = "$before" ] || fail "piped mode must not write history"
printf ':set seed 3\n' | "$BIN" >/dev/null 2>&1 || fail "piped script without errors should exit 0"

if [ $failures -eq 0 ]; then echo "repl-tmux: all checks passed"; exit 0; fi
echo "repl-tmux: $failures check(s) failed"; exit 1
