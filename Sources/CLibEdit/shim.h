// libedit (Debian's libedit-dev) through its own histedit.h API.
// el_set, el_get and history() are C variadic functions, which Swift cannot call:
// the small static inline wrappers below give each use a fixed signature.
// Swift 6 refuses C globals such as stdin, so they are reached through accessors.
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <locale.h>
#include <histedit.h>

#include <sys/ioctl.h>
#include <unistd.h>

static inline FILE *rlhf_stdin(void) { return stdin; }

// The terminal's width in columns (ioctl is variadic too), or 0 when fd is not a terminal.
static inline int rlhf_terminal_columns(int fd) {
    struct winsize size;
    if (ioctl(fd, TIOCGWINSZ, &size) != 0) return 0;
    return size.ws_col;
}
static inline FILE *rlhf_stdout(void) { return stdout; }
static inline FILE *rlhf_stderr(void) { return stderr; }

// MARK: the editor

typedef unsigned char (*rlhf_el_function)(EditLine *, int);
typedef char *(*rlhf_el_prompt_function)(EditLine *);

static inline EditLine *rlhf_el_init(const char *program) {
    return el_init(program, stdin, stdout, stderr);
}
static inline int rlhf_el_set_prompt(EditLine *e, rlhf_el_prompt_function f) {
    return el_set(e, EL_PROMPT, f);
}
static inline int rlhf_el_set_editor(EditLine *e, const char *mode) {
    return el_set(e, EL_EDITOR, mode);
}
static inline int rlhf_el_set_history(EditLine *e, History *h) {
    return el_set(e, EL_HIST, history, h);
}
static inline int rlhf_el_set_signal(EditLine *e, int on) {
    return el_set(e, EL_SIGNAL, on);
}
static inline int rlhf_el_add_function(EditLine *e, const char *name, const char *help,
                                       rlhf_el_function f) {
    return el_set(e, EL_ADDFN, name, help, f);
}
static inline int rlhf_el_bind(EditLine *e, const char *key, const char *function) {
    return el_set(e, EL_BIND, key, function, NULL);
}
static inline int rlhf_el_set_clientdata(EditLine *e, void *data) {
    return el_set(e, EL_CLIENTDATA, data);
}
static inline void *rlhf_el_get_clientdata(EditLine *e) {
    void *data = NULL;
    el_get(e, EL_CLIENTDATA, &data);
    return data;
}

// MARK: history

static inline int rlhf_history_set_size(History *h, int size) {
    HistEvent ev; return history(h, &ev, H_SETSIZE, size);
}
static inline int rlhf_history_set_unique(History *h, int on) {
    HistEvent ev; return history(h, &ev, H_SETUNIQUE, on);
}
static inline int rlhf_history_load(History *h, const char *path) {
    HistEvent ev; return history(h, &ev, H_LOAD, path);
}
static inline int rlhf_history_save(History *h, const char *path) {
    HistEvent ev; return history(h, &ev, H_SAVE, path);
}
static inline int rlhf_history_enter(History *h, const char *line) {
    HistEvent ev; return history(h, &ev, H_ENTER, line);
}

// MARK: signals

/// SIGINT without SA_RESTART, so a blocked read (el_gets) returns with EINTR. SIGINT is also
/// unblocked: a parent that started us with it blocked (some test runners and process
/// launchers do) must not take Ctrl-C away from the lab.
static inline int rlhf_install_sigint(void (*handler)(int)) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;
    sigset_t interrupt;
    sigemptyset(&interrupt);
    sigaddset(&interrupt, SIGINT);
    pthread_sigmask(SIG_UNBLOCK, &interrupt, NULL);
    return sigaction(SIGINT, &action, NULL);
}

/// The user's character type (UTF-8), so libedit edits multi-byte characters; numbers untouched.
static inline void rlhf_set_ctype_locale(void) { setlocale(LC_CTYPE, ""); }

#include <unistd.h>
/// The third Ctrl-C during a command that never checks for interruption: leave at once.
/// Only async-signal-safe calls (write, _exit).
static inline void rlhf_exit_interrupted(void) {
    static const char message[] = "\nrlhf: interrupted three times, exiting\n";
    write(2, message, sizeof message - 1);
    _exit(130);
}

/// Ends the terminal's echoed "^C" with a newline (async-signal-safe).
static inline void rlhf_write_newline(void) { write(1, "\n", 1); }
