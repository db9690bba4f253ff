// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.daemonrunner.internal.proc.Signal;

/**
 * How {@code stop} ends a daemon, in the style of start-stop-daemon's {@code --retry TERM/30/KILL/5}: a list of
 * signals, each followed by how long to wait for the daemon to exit. Before a KILL, {@code stop} asks the JVM for
 * a thread dump (SIGQUIT), so the log shows why the daemon hung.
 *
 * <p>Each signal must be one that ends a daemon: one whose default action ends a process (signal(7)'s Term or
 * Core), such as TERM, INT or KILL, and not one a daemon or its JVM takes for something else. Refused: STOP, TSTP,
 * TTIN and TTOU (they pause it), CONT (it resumes it), CHLD, URG and WINCH (ignored by default), HUP (a daemon
 * reloads on it), USR1 (it reopens its logs on it), QUIT (the JVM writes a thread dump and runs on), USR2 (the JVM
 * takes it for itself), PIPE and XFSZ (the JVM ignores them).
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
         * @throws IllegalArgumentException for an unknown signal, one that does not end a daemon (see
         *     {@link StopSchedule}), or a timeout below zero, saying why
         */
        public Step {
            signal = stopping(Objects.requireNonNull(signal, "signal")).name();
            if (Objects.requireNonNull(timeout, "timeout").isNegative()) {
                throw new IllegalArgumentException("Negative timeout after SIG" + signal);
            }
            if (timeout.compareTo(MAX_WAIT) > 0) {
                timeout = MAX_WAIT; // "wait forever" (an app's Duration.ofSeconds(Long.MAX_VALUE), say): as long as counts
            }
        }
    }

    /** The signals a step refuses, with why: they do not end a daemon. */
    private static final Map<Signal, String> NOT_STOPPING = notStopping();

    private static Map<Signal, String> notStopping() {
        Map<Signal, String> refused = new EnumMap<>(Signal.class);
        for (Signal pause : List.of(Signal.STOP, Signal.TSTP, Signal.TTIN, Signal.TTOU)) {
            refused.put(pause, "it pauses the process");
        }
        refused.put(Signal.CONT, "it resumes a paused process");
        for (Signal ignored : List.of(Signal.CHLD, Signal.URG, Signal.WINCH)) {
            refused.put(ignored, "a process ignores it by default");
        }
        refused.put(Signal.HUP, "a daemon reloads on it");
        refused.put(Signal.USR1, "a daemon reopens its logs on it");
        refused.put(Signal.QUIT, "the JVM writes a thread dump on it and runs on");
        refused.put(Signal.USR2, "the JVM takes it for itself");
        for (Signal fault : List.of(Signal.SEGV, Signal.ILL, Signal.FPE, Signal.BUS)) {
            refused.put(fault, "HotSpot takes it for a fault of its own code: a crash report, not a stop");
        }
        refused.put(Signal.PIPE, "the JVM ignores it");
        refused.put(Signal.XFSZ, "the JVM ignores it");
        return refused;
    }

    /** {@code name} as a signal that ends a daemon; refused, saying why and which to use, otherwise. */
    private static Signal stopping(String name) {
        Signal signal;
        try {
            signal = Signal.parse(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown signal '" + name + "' in a stop schedule; use TERM, INT or"
                    + " KILL, or another that ends a process: " + stoppingSignals(), e);
        }
        String why = NOT_STOPPING.get(signal);
        if (why != null) {
            throw new IllegalArgumentException("Not a signal to stop a daemon with: '" + signal.name() + "' (" + why
                    + "); use TERM, INT or KILL, or another that ends a process: " + stoppingSignals());
        }
        return signal;
    }

    private static String stoppingSignals() {
        StringBuilder names = new StringBuilder();
        for (Signal signal : Signal.values()) {
            if (!NOT_STOPPING.containsKey(signal) && signal != Signal.TERM && signal != Signal.INT
                    && signal != Signal.KILL) {
                names.append(names.length() == 0 ? "" : ", ").append(signal.name());
            }
        }
        return names.toString();
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
