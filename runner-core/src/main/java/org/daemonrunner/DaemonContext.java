// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.daemonrunner.internal.proc.Signal;

/**
 * The daemon's environment, python-daemon's {@code DaemonContext} options with safer defaults: working
 * directory, umask, user and groups, core dumps, detaching and the signal map. Immutable; build one with
 * {@link #builder()} and return it from {@link DaemonApp#context()}.
 *
 * <p>On {@code start} the settings are applied in this order, all before the app's {@code init()}:
 * <ol>
 *   <li>the launcher checks the user and creates the pidfile (owned by the daemon's user) and the logs;</li>
 *   <li>a new session ({@code setsid});</li>
 *   <li>the umask;</li>
 *   <li>the core-file limit (0 when core dumps are prevented);</li>
 *   <li>the working directory;</li>
 *   <li>the user, group and supplementary groups ({@code setpriv}), unless privileges are dropped after
 *       {@code init()};</li>
 *   <li>default signal dispositions, then the JVM starts;</li>
 *   <li>in the JVM: the signal map, the pidfile lock, {@code init()}, then (jsvc's model) the privilege drop,
 *       then {@code run()}.</li>
 * </ol>
 * Steps 3 to 6 happen before the daemon's JVM starts, so they hold for every thread, and a daemon with the
 * default settings loads no native code. When the daemon runs in the foreground ({@code run}, or {@code start}
 * without detaching), the umask, core-file limit and user are applied in-process through native calls, and
 * only if they differ from what the process already has; the working directory cannot be changed in a running
 * JVM and is left as the supervisor set it.
 */
public final class DaemonContext {
    /**
     * Signals an app may not map, with the reason. The JVM keeps QUIT (its thread dump), USR2 (HotSpot's
     * suspend/resume signal) and the faults HotSpot handles itself: {@code sun.misc.Signal.handle} refuses SEGV, ILL
     * and FPE ("Signal already used by VM or OS", on JDK 17 and 25), and accepts BUS, whose handler would replace
     * the one that turns a fault on a mapped file into an {@code InternalError}.
     */
    private static final Map<String, String> RESERVED = Map.of(
            "QUIT", "SIGQUIT is the JVM's thread dump (jstack relies on it)",
            "USR2", "SIGUSR2 replaces HotSpot's internal suspend/resume handler",
            "SEGV", "SIGSEGV is the JVM's own (HotSpot turns it into NullPointerException and StackOverflowError)",
            "ILL", "SIGILL is the JVM's own (HotSpot's fault handler)",
            "FPE", "SIGFPE is the JVM's own (HotSpot turns an integer division by zero into ArithmeticException)",
            "BUS", "SIGBUS is the JVM's own (HotSpot turns a fault on a memory-mapped file into InternalError)",
            "TERM", "SIGTERM is the graceful stop: implement DaemonApp.stop()",
            "HUP", "SIGHUP calls DaemonApp.reload(): implement that",
            "KILL", "SIGKILL cannot be caught",
            "STOP", "SIGSTOP cannot be caught");

    /**
     * Whether {@code start} detaches the daemon from the launching process. Whenever it does not, {@code start} says
     * so, and why, on standard error before it runs the app in the foreground as {@code run} does.
     */
    public enum Detach {
        /**
         * python-daemon's rule, as an opt-in: detach unless the launcher's parent is init (pid 1) or its standard
         * input is a socket (started by inetd). Beware that ordinary callers match it too: Node.js gives a child a
         * socket pair as its standard input, and {@code (app start &)}, {@code setsid -f} and containers leave the
         * launcher with pid 1 as its parent; under systemd ({@code INVOCATION_ID} set) it always detaches.
         */
        AUTO,
        /** Always detach: the default. */
        ALWAYS,
        /** Never detach: {@code start} behaves like {@code run}. */
        NEVER
    }

    private static final DaemonContext DEFAULTS = new Builder().build();

    private final Path workingDirectory;
    private final int umask;
    private final String user;
    private final String group;
    private final List<String> supplementaryGroups;
    private final boolean dropPrivilegesAfterInit;
    private final boolean preventCoreDumps;
    private final Path chrootDirectory;
    private final Detach detach;
    private final Map<String, Runnable> signalHandlers;
    private final Set<String> ignoredSignals;
    private final String reopenLogsSignal;
    private final boolean endProcessGroupOnStop;

    private DaemonContext(Builder b) {
        this.reopenLogsSignal = b.reopenLogsSignal;
        this.endProcessGroupOnStop = b.endProcessGroupOnStop;
        this.workingDirectory = b.workingDirectory;
        this.umask = b.umask;
        this.user = b.user;
        this.group = b.group;
        this.supplementaryGroups = b.supplementaryGroups == null ? null : List.copyOf(b.supplementaryGroups);
        this.dropPrivilegesAfterInit = b.dropPrivilegesAfterInit;
        this.preventCoreDumps = b.preventCoreDumps;
        this.chrootDirectory = b.chrootDirectory;
        this.detach = b.detach;
        this.signalHandlers = Collections.unmodifiableMap(new LinkedHashMap<>(b.signalHandlers));
        this.ignoredSignals = Collections.unmodifiableSet(new LinkedHashSet<>(b.ignoredSignals));
    }

    /** Returns the default context: see each option of {@link Builder} for its default. */
    public static DaemonContext defaults() {
        return DEFAULTS;
    }

    /** Returns a builder holding the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns the daemon's working directory. Default: {@code /}. */
    public Path workingDirectory() {
        return workingDirectory;
    }

    /** Returns the daemon's umask. Default: {@code 022}. */
    public int umask() {
        return umask;
    }

    /** Returns the user the daemon runs as, if one is set. Default: none (the launcher's user). */
    public Optional<String> user() {
        return Optional.ofNullable(user);
    }

    /** Returns the daemon's group, if one is set. Default: none (the user's primary group). */
    public Optional<String> group() {
        return Optional.ofNullable(group);
    }

    /**
     * Returns the daemon's supplementary groups, if set explicitly. Default: none, meaning the user's groups
     * from the group database ({@code initgroups}).
     */
    public Optional<List<String>> supplementaryGroups() {
        return Optional.ofNullable(supplementaryGroups);
    }

    /** Returns whether {@code init()} runs with the launcher's privileges and the switch happens before {@code run()}. */
    public boolean dropPrivilegesAfterInit() {
        return dropPrivilegesAfterInit;
    }

    /** Returns whether the core-file limit is set to 0. Default: true. */
    public boolean preventCoreDumps() {
        return preventCoreDumps;
    }

    /** Returns the chroot directory, if one was asked for; {@code start} refuses it (see {@link Builder#chrootDirectory}). */
    public Optional<Path> chrootDirectory() {
        return Optional.ofNullable(chrootDirectory);
    }

    /** Returns when {@code start} detaches. Default: {@link Detach#ALWAYS}. */
    public Detach detach() {
        return detach;
    }

    /** Returns the app's own signal handlers, by signal name ({@code USR1}, ...). Default: none. */
    public Map<String, Runnable> signalHandlers() {
        return signalHandlers;
    }

    /** Returns the signals the daemon ignores. Default: {@code TTIN}, {@code TTOU}, {@code TSTP}. */
    public Set<String> ignoredSignals() {
        return ignoredSignals;
    }

    /** Returns the signal that makes the daemon reopen its logs ({@code reopen-logs}). Default: {@code USR1}. */
    public String reopenLogsSignal() {
        return reopenLogsSignal;
    }

    /**
     * Returns whether {@code stop} also ends the processes the daemon started (its process group), once the
     * daemon has exited, with the same stop schedule. Default: true.
     */
    public boolean endProcessGroupOnStop() {
        return endProcessGroupOnStop;
    }

    /** Builds a {@link DaemonContext}; every option starts at its default. */
    public static final class Builder {
        private Path workingDirectory = Path.of("/");
        private int umask = 0022;
        private String user;
        private String group;
        private List<String> supplementaryGroups;
        private boolean dropPrivilegesAfterInit;
        private boolean preventCoreDumps = true;
        private Path chrootDirectory;
        private Detach detach = Detach.ALWAYS;
        private final Map<String, Runnable> signalHandlers = new LinkedHashMap<>();
        private final Set<String> ignoredSignals = new LinkedHashSet<>(List.of("TTIN", "TTOU", "TSTP"));
        private String reopenLogsSignal = "USR1";
        private boolean endProcessGroupOnStop = true;

        private Builder() {
        }

        /** Sets the daemon's working directory (absolute, or relative to the launch directory). Default: {@code /}. */
        public Builder workingDirectory(Path directory) {
            this.workingDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Sets the daemon's umask. Default: {@code 022}; python-daemon's default of {@code 0} leaves files the
         * daemon creates world-writable.
         *
         * @throws IllegalArgumentException when {@code mask} is not between 0 and 0777
         */
        public Builder umask(int mask) {
            if (mask < 0 || mask > 0777) {
                throw new IllegalArgumentException("umask must be between 0 and 0777, not 0" + Integer.toOctalString(mask));
            }
            this.umask = mask;
            return this;
        }

        /**
         * Sets the user the daemon runs as, by name; only root can start a daemon as another user. Default: none.
         */
        public Builder user(String name) {
            this.user = requireName(name, "user");
            return this;
        }

        /** Sets the daemon's group, by name. Default: the user's primary group. */
        public Builder group(String name) {
            this.group = requireName(name, "group");
            return this;
        }

        /** Sets the supplementary groups, by name (empty for none). Default: the user's groups ({@code initgroups}). */
        public Builder supplementaryGroups(List<String> names) {
            names.forEach(n -> requireName(n, "supplementary group"));
            this.supplementaryGroups = List.copyOf(names);
            return this;
        }

        /**
         * Runs {@code init()} with the launcher's (root's) privileges, e.g. to bind a port below 1024, and switches
         * to the user just before {@code run()}, as jsvc does. Default: false (the daemon runs as the user from
         * its first instruction). Needs {@link #user}: {@link #build()} refuses it without one.
         */
        public Builder dropPrivilegesAfterInit(boolean drop) {
            this.dropPrivilegesAfterInit = drop;
            return this;
        }

        /** Sets whether the core-file limit is set to 0 so the daemon never dumps core. Default: true. */
        public Builder preventCoreDumps(boolean prevent) {
            this.preventCoreDumps = prevent;
            return this;
        }

        /**
         * Asks for a chroot, which {@code start} refuses (exit 1, before detaching): the daemon is a new JVM, so
         * the chroot would have to hold the JDK, every class-path entry and {@code /proc}, at the same paths.
         * Confine the daemon with systemd's {@code RootDirectory=}, or a container, instead. Default: none.
         */
        public Builder chrootDirectory(Path directory) {
            this.chrootDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Sets when {@code start} detaches. Default: {@link Detach#ALWAYS}. */
        public Builder detach(Detach detach) {
            this.detach = Objects.requireNonNull(detach, "detach");
            return this;
        }

        /**
         * Calls {@code handler} (on a thread of its own) when the daemon receives signal {@code name}, e.g.
         * {@code USR1}.
         *
         * @throws IllegalArgumentException for QUIT, USR2, SEGV, ILL, FPE and BUS (the JVM's), TERM and HUP (use
         *     {@code stop()} and {@code reload()}), KILL and STOP, with the reason; for a name that is no Linux
         *     signal, listing those
         */
        public Builder onSignal(String name, Runnable handler) {
            String signal = signalName(name);
            signalHandlers.put(signal, Objects.requireNonNull(handler, "handler"));
            ignoredSignals.remove(signal);
            return this;
        }

        /**
         * Makes the daemon ignore signal {@code name}. TTIN, TTOU and TSTP are ignored by default.
         *
         * @throws IllegalArgumentException for a signal that cannot be remapped (see {@link #onSignal})
         */
        public Builder ignoreSignal(String name) {
            String signal = signalName(name);
            signalHandlers.remove(signal);
            ignoredSignals.add(signal);
            return this;
        }

        /**
         * Sets the signal that makes the daemon reopen its stdout and stderr logs. Default: {@code USR1}.
         *
         * @throws IllegalArgumentException for a signal that cannot be remapped (see {@link #onSignal})
         */
        public Builder reopenLogsSignal(String name) {
            this.reopenLogsSignal = signalName(name);
            return this;
        }

        /** Sets whether {@code stop} ends the processes the daemon started (its process group). Default: true. */
        public Builder endProcessGroupOnStop(boolean end) {
            this.endProcessGroupOnStop = end;
            return this;
        }

        /**
         * Returns the context.
         *
         * @throws IllegalArgumentException when an app handler or an ignored signal is the reopen-logs signal, or
         *     a group, supplementary groups or {@code dropPrivilegesAfterInit(true)} are set without a user (they
         *     would be ignored)
         */
        public DaemonContext build() {
            if (user == null && dropPrivilegesAfterInit) {
                throw new IllegalArgumentException("dropPrivilegesAfterInit(true) without a user: there is nobody to"
                        + " switch to, so the daemon would keep running as whoever starts it (root, say). Set the user"
                        + " too (user(...)), or leave dropPrivilegesAfterInit false");
            }
            if (user == null && (group != null || supplementaryGroups != null)) {
                throw new IllegalArgumentException((group != null ? "a group (" + group + ")" : "supplementary groups")
                        + " without a user: the daemon would keep the groups of whoever starts it. Set the user too"
                        + " (user(...), --user), whose groups these replace");
            }
            if (signalHandlers.containsKey(reopenLogsSignal) || ignoredSignals.contains(reopenLogsSignal)) {
                throw new IllegalArgumentException("SIG" + reopenLogsSignal + " reopens the logs; choose another"
                        + " signal for that with reopenLogsSignal(...) before mapping SIG" + reopenLogsSignal);
            }
            return new DaemonContext(this);
        }

        private static String signalName(String name) {
            String signal = Objects.requireNonNull(name, "name").toUpperCase(Locale.ROOT);
            signal = signal.startsWith("SIG") ? signal.substring(3) : signal;
            String reason = RESERVED.get(signal);
            if (reason != null) {
                throw new IllegalArgumentException("Cannot map SIG" + signal + ": " + reason + ".");
            }
            return Signal.parse(name).name(); // an unknown name is refused, listing the valid ones
        }

        private static String requireName(String name, String what) {
            Objects.requireNonNull(name, what);
            if (name.isEmpty() || name.startsWith("-") || name.contains(":") || name.contains(",")) {
                throw new IllegalArgumentException("Not a " + what + " name: '" + name + "'");
            }
            return name;
        }
    }
}
