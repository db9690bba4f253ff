// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * The one wait of the process tests (the systemd ones too): poll a condition every 10 ms until it holds or a
 * deadline passes, and fail saying what was waited for and, where there is one, what was seen last.
 */
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

    /** Something to look at that may fail to be read: a unit's property, a file, a journal. */
    @FunctionalInterface
    public interface Probe<T> {
        T look() throws IOException;
    }

    /**
     * Looks at {@code probe} until {@code done} accepts what it sees, for at most {@code timeout}.
     *
     * @return the value {@code done} accepted
     * @throws AssertionError when the timeout passes first, naming {@code what} and the last value seen
     */
    public static <T> T await(String what, Duration timeout, Probe<T> probe, Predicate<? super T> done)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T seen = probe.look();
            if (done.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + "; last seen: " + Objects.toString(seen));
            }
            pauseUntil(System.nanoTime() + POLL_MILLIS * 1_000_000);
        }
    }

    /** Waits, as {@link #await(String, Duration, Probe, Predicate)}, until {@code condition} is true. */
    public static void until(String what, Duration timeout, Probe<Boolean> condition) throws IOException {
        await(what, timeout, condition, Boolean.TRUE::equals);
    }

    /**
     * Pauses the calling thread until {@code instant} (a {@link System#nanoTime()} value): for a test that must act
     * at a given moment, such as 30 ms after a start, not for waiting on something to happen.
     */
    public static void pauseUntil(long instant) {
        long left = instant - System.nanoTime();
        if (left <= 0) {
            return;
        }
        try {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted (the test's @Timeout?)", e);
        }
    }
}
