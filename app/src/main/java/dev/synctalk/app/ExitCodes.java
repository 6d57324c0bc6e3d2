package dev.synctalk.app;

/** Process exit codes of the CLI. */
final class ExitCodes {
    static final int OK = 0;
    /** The run started but did not complete (failed or cancelled). */
    static final int RUN_FAILED = 1;
    /** Bad arguments, an invalid graph, an unknown run: nothing was started. */
    static final int USAGE = 2;

    private ExitCodes() {
    }
}
