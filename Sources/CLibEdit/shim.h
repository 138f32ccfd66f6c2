// libedit (Debian's libedit-dev) through its own histedit.h API.
// el_set, el_get and history() are C variadic functions, which Swift cannot call:
// the small static inline wrappers below give each use a fixed signature.
// Swift 6 refuses C globals such as stdin, so they are reached through accessors.
#include <stdio.h>
#include <histedit.h>

static inline FILE *rlhf_stdin(void) { return stdin; }
static inline FILE *rlhf_stdout(void) { return stdout; }
static inline FILE *rlhf_stderr(void) { return stderr; }
