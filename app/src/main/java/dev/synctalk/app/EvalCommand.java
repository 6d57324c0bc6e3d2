package dev.synctalk.app;

import dev.synctalk.eval.QualityReport;
import dev.synctalk.eval.ReportComparison;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Quality reports of eval.conf / eval-cross.conf runs (run them with: synctalk run "
                + "graph-definitions/eval.conf -Pdataset=... -Pmodel=...).",
        subcommands = {EvalCommand.Compare.class})
final class EvalCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
            description = "Print two quality reports side by side, with the run each metric favours.")
    static final class Compare implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "RUN_A", description = "Run id (its outputs/eval/report.json), a report"
                + " folder or a report.json.")
        String runA;

        @Parameters(index = "1", paramLabel = "RUN_B", description = "The same for the second report.")
        String runB;

        @Option(names = "--runs-dir", defaultValue = "runs", description = "Folder holding run directories (default: ${DEFAULT-VALUE}).")
        Path runsDir;

        @Override
        public Integer call() {
            QualityReport a;
            QualityReport b;
            try {
                a = QualityReport.read(reportFile(runA));
                b = QualityReport.read(reportFile(runB));
            } catch (IOException e) {
                System.err.println("synctalk: " + e.getMessage());
                return ExitCodes.USAGE;
            }
            System.out.print(ReportComparison.format(runA, a, runB, b));
            return ExitCodes.OK;
        }

        /** A run id under --runs-dir, else a folder holding report.json, else the file itself. */
        private Path reportFile(String name) {
            Path run = runsDir.resolve(name).resolve("outputs/eval").resolve(QualityReport.JSON_FILE);
            if (Files.isRegularFile(run)) {
                return run;
            }
            Path path = Path.of(name);
            return Files.isDirectory(path) ? path.resolve(QualityReport.JSON_FILE) : path;
        }
    }
}
