package dev.synctalk.gpu.cuda;

/** The outcome of one self-test check: a name, pass or fail, and the numbers behind it. */
public record CheckResult(String name, boolean passed, String detail) {

    @Override
    public String toString() {
        return (passed ? "PASS " : "FAIL ") + name + "  " + detail;
    }
}
