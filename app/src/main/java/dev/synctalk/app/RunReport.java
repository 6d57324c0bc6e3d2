package dev.synctalk.app;

import dev.synctalk.engine.api.RunHandle;
import dev.synctalk.engine.api.RunResult;
import java.io.PrintStream;

/**
 * Waits for a run, cancelling it on Ctrl-C, and prints how it ended: on failure the error alone, with
 * the run's log file (which holds the stack trace) named.
 */
final class RunReport {
    private RunReport() {
    }

    static int await(RunHandle run) throws InterruptedException {
        try (RunLogFile log = RunLogFile.attach(run.runDir())) {
            return awaitLogged(run);
        }
    }

    private static int awaitLogged(RunHandle run) throws InterruptedException {
        PrintStream out = System.out;
        out.println("run " + run.runId() + " -> " + run.runDir().toAbsolutePath());
        Thread hook = new Thread(() -> {
            run.cancel();
            try {
                run.result().toCompletableFuture().get();
            } catch (Exception e) {
                // the run records its own end state
            }
        }, "synctalk-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        RunResult r = run.await();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // already exiting
        }
        out.printf("run %s %s in %.1f s%n", r.runId(), r.state().name().toLowerCase(),
                r.elapsed().toMillis() / 1000.0);
        if (r.succeeded()) {
            out.println("outputs: " + r.outputs().toAbsolutePath());
            return ExitCodes.OK;
        }
        System.err.println("error: " + r.error());
        System.err.println("details: " + RunLogFile.path(r.runDir()).toAbsolutePath()
                + (SyncTalkCli.debug() ? "" : " (stack trace; --debug prints it here)"));
        System.err.println("resume with: synctalk resume " + r.runId());
        return ExitCodes.RUN_FAILED;
    }
}
