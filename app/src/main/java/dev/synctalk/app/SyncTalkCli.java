package dev.synctalk.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code synctalk} command: run, resume, replay and inspect graphs of the SyncTalk engine. */
@Command(name = "synctalk", mixinStandardHelpOptions = true, version = "synctalk 0.1.0",
        description = "SyncTalk talking-head engine: run dataflow graphs (preprocess, train, infer), "
                + "resume interrupted runs, replay journaled sessions.",
        subcommands = {RunCommand.class, ResumeCommand.class, ReplayCommand.class, StatusCommand.class,
                GraphsCommand.class, ServeCommand.class, ServeBenchCommand.class, CommandLine.HelpCommand.class})
public final class SyncTalkCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new SyncTalkCli());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("synctalk: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            return ExitCodes.USAGE;
        });
        return cl;
    }

    public static void main(String[] args) {
        // Initialise logging on this thread before actors, Chronicle and FFmpeg log from theirs.
        org.slf4j.LoggerFactory.getILoggerFactory();
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
