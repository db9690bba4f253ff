// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.daemonrunner.internal.proc.Signal;

/**
 * How {@code stop} ends a daemon, in the style of start-stop-daemon's {@code --retry TERM/30/KILL/5}: a list of
 * signals, each followed by how long to wait for the daemon to exit. Before a KILL, {@code stop} asks the JVM for
 * a thread dump (SIGQUIT), so the log shows why the daemon hung.
 */
public final class StopSchedule {
    /** The wait after a KILL that {@link #forced()} adds. */
    public static final Duration KILL_WAIT = Duration.ofSeconds(5);
    /** The longest wait a step may have: 999999999 hours, the longest {@code stop --timeout}. */
    private static final Duration MAX_WAIT = Duration.ofHours(999_999_999);

    /**
     * One step: send {@code signal}, then wait up to {@code timeout} for the exit.
     *
     * @param signal a signal name without {@code SIG}, e.g. {@code TERM}
     * @param timeout how long to wait for the exit after it: zero or more; above 999999999 hours (the longest
     *     {@code stop --timeout}), 999999999 hours
     */
    public record Step(String signal, Duration timeout) {
        /**
         * Checks the step.
         *
         * A timeout above 999999999 hours (the longest {@code stop --timeout}; "forever", as an app's
         * {@code Duration.ofSeconds(Long.MAX_VALUE)} means it) is taken as 999999999 hours.
         *
         * @throws IllegalArgumentException for an unknown signal, STOP, or a timeout below zero, saying why
         */
        public Step {
            signal = Signal.parse(Objects.requireNonNull(signal, "signal")).name(); // unknown: refused, listing the valid
            if (signal.equals(Signal.STOP.name())) {
                throw new IllegalArgumentException("Not a signal to stop a daemon with: 'STOP' (it pauses the"
                        + " process; use TERM, INT or KILL)");
            }
            if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
                throw new IllegalArgumentException("Negative timeout after SIG" + signal);
            }
            if (timeout.compareTo(MAX_WAIT) > 0) {
                timeout = MAX_WAIT; // "wait forever" (an app's Duration.ofSeconds(Long.MAX_VALUE), say): as long as counts
            }
        }
    }

    private final List<Step> steps;

    private StopSchedule(List<Step> steps) {
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("A stop schedule needs at least one step");
        }
        this.steps = List.copyOf(steps);
    }

    /** Returns the schedule SIGTERM, then wait {@code timeout}: the default, with the app's stop timeout. */
    public static StopSchedule graceful(Duration timeout) {
        return new StopSchedule(List.of(new Step("TERM", timeout)));
    }

    /**
     * Parses a schedule written as start-stop-daemon does: {@code SIGNAL/SECONDS/SIGNAL/SECONDS...}, e.g.
     * {@code TERM/30/KILL/5}.
     *
     * @throws IllegalArgumentException when it is not one, saying why (a number of seconds too big to count too; a
     *     wait above 999999999 hours that can be counted is taken as 999999999 hours, as for {@link Step})
     */
    public static StopSchedule parse(String text) {
        String[] parts = Objects.requireNonNull(text, "text").split("/");
        if (parts.length % 2 != 0) {
            throw new IllegalArgumentException("Not a stop schedule: '" + text + "' (write e.g. TERM/30/KILL/5)");
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < parts.length; i += 2) {
            try {
                steps.add(new Step(parts[i], Duration.ofSeconds(Long.parseLong(parts[i + 1]))));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Not a stop schedule: '" + text + "': '" + parts[i + 1] + "' is "
                        + (parts[i + 1].matches("\\d+") ? "more than " + MAX_WAIT.getSeconds() + " seconds"
                        : "not a number of seconds"), e);
            }
        }
        return new StopSchedule(steps);
    }

    /** Returns the steps, in order. */
    public List<Step> steps() {
        return steps;
    }

    /** Returns this schedule with the first step's wait replaced by {@code timeout} ({@code stop --timeout}). */
    public StopSchedule withTimeout(Duration timeout) {
        List<Step> changed = new ArrayList<>(steps);
        changed.set(0, new Step(steps.get(0).signal(), timeout));
        return new StopSchedule(changed);
    }

    /** Returns this schedule ending in a KILL ({@code stop --force}); unchanged if it already does. */
    public StopSchedule forced() {
        if (endsInKill()) {
            return this;
        }
        List<Step> changed = new ArrayList<>(steps);
        changed.add(new Step("KILL", KILL_WAIT));
        return new StopSchedule(changed);
    }

    /** Returns whether the last step is a KILL. */
    public boolean endsInKill() {
        return steps.get(steps.size() - 1).signal().equals("KILL");
    }

    /** Returns the schedule as start-stop-daemon writes it, e.g. {@code TERM/30/KILL/5}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Step step : steps) {
            text.append(text.length() == 0 ? "" : "/").append(step.signal()).append('/')
                    .append(step.timeout().toMillis() % 1000 == 0 ? Long.toString(step.timeout().toSeconds())
                            : step.timeout().toMillis() + "ms");
        }
        return text.toString();
    }
}
