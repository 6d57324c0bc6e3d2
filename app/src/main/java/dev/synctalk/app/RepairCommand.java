package dev.synctalk.app;

import dev.synctalk.engine.api.Engine;
import dev.synctalk.journal.JournalRepair;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "repair", mixinStandardHelpOptions = true,
        description = "Drop the damaged tail of a stopped run's journals (a record torn by a crash, bytes damaged on"
                + " disk), keeping every record before the damage; the damaged originals are moved to"
                + " runs/<id>/damaged/. Then `resume` recomputes what was dropped.")
final class RepairCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Option(names = "--runs-dir", defaultValue = "runs", description = "Folder holding run directories (default: ${DEFAULT-VALUE}).")
    Path runsDir;

    @Override
    public Integer call() {
        Engine.RepairReport report;
        try (Engine engine = Engine.builder().runsDir(runsDir).build()) {
            report = engine.repair(runId);
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("synctalk: " + e.getMessage());
            return ExitCodes.USAGE;
        }
        for (JournalRepair.Outcome o : report.journals()) {
            if (!o.repaired()) {
                System.out.printf("journal %s: sound, %d records (through frame %d)%n", o.edgeId(), o.keptRecords(),
                        o.keptLastIndex());
                continue;
            }
            System.out.printf("journal %s: kept %d records%s; dropped the damaged record and everything after it%s%n",
                    o.edgeId(), o.keptRecords(), o.keptLastIndex() >= 0 ? " (frames through " + o.keptLastIndex() + ")" : "",
                    o.claimedLastIndex() > o.keptLastIndex() ? " (the journal claimed frames through "
                            + o.claimedLastIndex() + ")" : "");
            System.out.println("  damage: " + o.damage());
            System.out.println("  the damaged original is kept in " + o.movedTo());
        }
        for (String checkpoint : report.damagedCheckpoints()) {
            System.out.println("checkpoint damaged (resume skips it): " + checkpoint);
        }
        if (report.changed()) {
            System.out.println("run " + runId + " is " + report.stateAfter() + "; continue it with: synctalk resume " + runId);
        } else {
            System.out.println("nothing to repair in run " + runId);
        }
        return ExitCodes.OK;
    }
}
