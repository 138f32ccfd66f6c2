// The REPL and lessons.
