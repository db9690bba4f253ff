package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The one wait of the process tests: poll a condition every 10 ms until it holds or a deadline passes. */
public final class Await {
    private static final long POLL_MILLIS = 10;

    private Await() {
    }

    /** Waits, up to {@code timeout}, for {@code condition}; fails, saying what it waited for, if it never held. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        if (!holdsWithin(timeout, condition)) {
            fail("timed out after %s waiting for %s", timeout, what);
        }
    }

    /** Polls {@code condition} until it holds (true) or {@code timeout} passes (false). */
    public static boolean holdsWithin(Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting", e);
            }
        }
        return true;
    }
}
