package dev.synctalk.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code synctalk} command: run, resume, replay and inspect graphs of the SyncTalk engine. */
@Command(name = "synctalk", mixinStandardHelpOptions = true, version = "synctalk 0.1.0",
        description = "SyncTalk talking-head engine: run dataflow graphs (preprocess, train, infer, eval), "
                + "resume interrupted runs, replay journaled sessions, compare quality reports.",
        subcommands = {DemoCommand.class, RunCommand.class, ResumeCommand.class, ReplayCommand.class, StatusCommand.class,
                RepairCommand.class, GraphsCommand.class, EvalCommand.class, DoctorCommand.class, ServeCommand.class, ServeBenchCommand.class,
                CommandLine.HelpCommand.class})
public final class SyncTalkCli implements Runnable {
    /** Logback reads it when it starts: stack traces on the console (%ex) or not (%nopex). */
    static final String CONSOLE_TRACES_PROPERTY = "synctalk.console.traces";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    // Read from the raw arguments in main (logging must know before it starts); declared here for
    // --help and so that every command accepts it.
    @CommandLine.Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
            description = "Print stack traces on the console too (they are always in the run's run.log).")
    boolean debugOption;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SyncTalkCli());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("synctalk: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            if (debug()) {
                ex.printStackTrace(cmd.getErr());
            }
            return ExitCodes.USAGE;
        });
        return cl;
    }

    /** Whether this process prints stack traces on the console (--debug). */
    static boolean debug() {
        return "%ex".equals(System.getProperty(CONSOLE_TRACES_PROPERTY));
    }

    public static void main(String[] args) {
        if (java.util.Arrays.asList(args).contains("--debug")) {
            System.setProperty(CONSOLE_TRACES_PROPERTY, "%ex");
        }
        // Initialise logging on this thread before actors, Chronicle and FFmpeg log from theirs.
        org.slf4j.LoggerFactory.getILoggerFactory();
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
