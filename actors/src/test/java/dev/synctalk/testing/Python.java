package dev.synctalk.testing;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Cross-checks against numpy run only where python3 with numpy is installed. */
public final class Python {
    private static Boolean numpy;

    private Python() {
    }

    public static synchronized boolean numpyAvailable() {
        if (numpy == null) {
            try {
                Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                numpy = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (IOException e) {
                numpy = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                numpy = false;
            }
        }
        return numpy;
    }
}
