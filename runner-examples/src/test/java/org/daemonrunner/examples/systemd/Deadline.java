package org.daemonrunner.examples.systemd;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Waits for something to become true before a deadline, looking every 20 ms, and fails saying what it waited for
 * and what it saw last. The systemd tests never sleep a fixed time to let something happen.
 */
final class Deadline {
    private static final long POLL_MILLIS = 20;

    private Deadline() {
    }

    /** Something to look at: a unit's property, a file, a journal. */
    @FunctionalInterface
    interface Probe<T> {
        T look() throws IOException;
    }

    /**
     * Looks at {@code probe} until {@code done} accepts what it sees, for at most {@code timeout}.
     *
     * @return the value {@code done} accepted
     * @throws AssertionError when the timeout passes first, naming {@code what} and the last value seen
     */
    static <T> T await(String what, Duration timeout, Probe<T> probe, Predicate<? super T> done) throws IOException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            T seen = probe.look();
            if (done.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
                        + "; last seen: " + Objects.toString(seen));
            }
            pause(Duration.ofMillis(POLL_MILLIS));
        }
    }

    /** Waits, as {@link #await(String, Duration, Probe, Predicate)}, until {@code condition} is true. */
    static void await(String what, Duration timeout, Probe<Boolean> condition) throws IOException {
        await(what, timeout, condition, Boolean.TRUE::equals);
    }

    /**
     * Pauses the calling thread until {@code instant} (a {@link System#nanoTime()} value): for a test that must act
     * at a given moment, such as 30 ms after a start, not for waiting on something to happen.
     */
    static void pauseUntil(long instant) {
        long left = instant - System.nanoTime();
        if (left > 0) {
            pause(Duration.ofNanos(left));
        }
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis(), (int) (duration.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted (the test's @Timeout?)", e);
        }
    }
}
