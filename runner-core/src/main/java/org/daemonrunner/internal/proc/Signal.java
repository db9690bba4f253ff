// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

/**
 * The Linux signals, by name and number: the one type daemonrunner uses for a signal. Names are written without
 * {@code SIG}, as {@code kill -s} takes them.
 */
public enum Signal {
    HUP(1), INT(2), QUIT(3), ILL(4), TRAP(5), ABRT(6), BUS(7), FPE(8), KILL(9), USR1(10), SEGV(11), USR2(12),
    PIPE(13), ALRM(14), TERM(15), STKFLT(16), CHLD(17), CONT(18), STOP(19), TSTP(20), TTIN(21), TTOU(22), URG(23),
    XCPU(24), XFSZ(25), VTALRM(26), PROF(27), WINCH(28), IO(29), PWR(30), SYS(31);

    private final int number;

    Signal(int number) {
        this.number = number;
    }

    /** Returns the signal's number on Linux. */
    public int number() {
        return number;
    }

    /** Returns the name with {@code SIG}, e.g. {@code SIGTERM}, for messages. */
    public String fullName() {
        return "SIG" + name();
    }

    /**
     * Returns the signal a user named: {@code TERM}, {@code SIGTERM} or {@code term}.
     *
     * @throws IllegalArgumentException for anything else, listing the names that are valid
     */
    public static Signal parse(String text) {
        if (text != null) {
            String name = text.trim().toUpperCase(java.util.Locale.ROOT);
            name = name.startsWith("SIG") ? name.substring(3) : name;
            for (Signal signal : values()) {
                if (signal.name().equals(name)) {
                    return signal;
                }
            }
        }
        StringBuilder valid = new StringBuilder();
        for (Signal signal : values()) {
            valid.append(valid.length() == 0 ? "" : ", ").append(signal.name());
        }
        throw new IllegalArgumentException("Unknown signal '" + text + "'; use one of " + valid);
    }

    /**
     * Returns the signals this process ignores ({@code SigIgn} in {@code /proc/self/status}, a hex mask with bit
     * N-1 for signal N): what a process it starts inherits as ignored. Empty when it cannot be read.
     */
    public static java.util.Set<Signal> ignoredInThisProcess() {
        java.util.Set<Signal> ignored = java.util.EnumSet.noneOf(Signal.class);
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                    for (Signal signal : values()) {
                        if ((mask & (1L << (signal.number - 1))) != 0) {
                            ignored.add(signal);
                        }
                    }
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            return ignored;
        }
        return ignored;
    }

    /** Returns the signal with {@code number}, or null if Linux has none (a real-time signal, say). */
    public static Signal ofNumber(int number) {
        for (Signal signal : values()) {
            if (signal.number == number) {
                return signal;
            }
        }
        return null;
    }
}
