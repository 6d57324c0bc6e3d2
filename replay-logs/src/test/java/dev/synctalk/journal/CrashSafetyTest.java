package dev.synctalk.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.synctalk.journal.TestMessages.FeatureWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class CrashSafetyTest {

    private static final int RECORDS_BEFORE_KILL = 300;

    @TempDir
    Path runDir;

    @Test
    @Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a pipe read cannot be interrupted
    void recordsWrittenBeforeSigkillRemainReadable(@TempDir Path logDir) throws Exception {
        Path childErrors = logDir.resolve("child-stderr.txt");
        Process child = startAppendingChild(childErrors);
        long lastPrinted = -1;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (int printed = 0; printed < RECORDS_BEFORE_KILL; printed++) {
                String line = out.readLine();
                int printedSoFar = printed;
                assertNotNull(line, () -> "child stopped after " + printedSoFar + " records: " + read(childErrors));
                lastPrinted = Long.parseLong(line.trim());
            }
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no close(), possibly mid-append
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die");
        } finally {
            child.destroyForcibly();
        }
        assertEquals(RECORDS_BEFORE_KILL - 1, lastPrinted);

        try (JournalReader reader = JournalReader.open(runDir, AppendingChild.KEY.edgeId())) {
            List<FeatureWindow> windows = reader.payloads(TestMessages.codecs(), FeatureWindow.class, Long.MAX_VALUE)
                    .collect(Collectors.toList());
            assertTrue(windows.size() >= RECORDS_BEFORE_KILL, "read " + windows.size() + " records");
            for (int frame = 0; frame < windows.size(); frame++) {
                assertEquals(TestMessages.featureWindow(frame, AppendingChild.ROWS, AppendingChild.COLUMNS),
                        windows.get(frame), "frame " + frame);
            }
            assertEquals(windows.size() - 1, reader.lastIndex());
            assertTrue(reader.lastIndex() >= RECORDS_BEFORE_KILL - 1);
        }

        // The next session continues right after the last complete record.
        try (JournalWriter writer = JournalWriter.open(runDir, AppendingChild.KEY, TestMessages.codecs())) {
            long resumeFrom = writer.lastIndex() + 1;
            assertEquals(resumeFrom, writer.count());
            writer.append(resumeFrom, TestMessages.featureWindow(resumeFrom, AppendingChild.ROWS, AppendingChild.COLUMNS));
        }
        try (JournalReader reader = JournalReader.open(runDir, AppendingChild.KEY.edgeId())) {
            assertEquals(reader.lastIndex(), ResumeIndex.scan(runDir).lastIndex(AppendingChild.KEY.edgeId()));
        }
    }

    /** Same java binary, classpath and Chronicle flags as this test JVM. */
    private Process startAppendingChild(Path errors) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (argument.startsWith("--add-opens") || argument.startsWith("--add-exports")
                    || argument.startsWith("--enable-native-access") || argument.startsWith("-Dchronicle.")) {
                command.add(argument);
            }
        }
        command.add("-Dchronicle.analytics.disable=true");
        command.add("-Dslf4j.internal.verbosity=ERROR");
        command.add("-Xmx256m");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(AppendingChild.class.getName());
        command.add(runDir.toString());
        return new ProcessBuilder(command).redirectError(errors.toFile()).start();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(no stderr: " + e + ")";
        }
    }
}
