// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import org.daemonrunner.it.Await;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real systemd for the integration tests: the machine's own {@code /lib/systemd/systemd}, booted as PID 1 of new
 * pid, mount, UTS, IPC, net and cgroup namespaces, on an overlay of {@code /} whose writable layer is a tmpfs.
 *
 * <p>The host's files never change: files are installed into the overlay through {@code /proc/PID/root}, and the
 * overlay's writes go to the tmpfs. {@code /proc/sys} is read-only inside, so systemd cannot change the host's
 * sysctls; {@code /sys} is read-only, so it runs as a container's init (no udev). {@code systemctl},
 * {@code journalctl} and any other command run inside through {@code nsenter}.
 *
 * <p>{@link #boot(Duration)} starts it and returns once it is running; {@link #close()} always ends it: it asks
 * systemd to exit ({@code systemctl exit}, which stops every unit), waits for it with a deadline, then, as a last
 * resort, sends SIGKILL to its PID 1 by exact pid (the kernel then kills every process in the namespace), removes
 * the cgroups it made and deletes its temporary directory. A JVM that exits with a sandbox open closes it from a
 * shutdown hook, and a JVM that is killed takes the sandbox with it: the sandbox's launcher has a parent-death
 * signal (SIGKILL), so boot and close it on the same thread, one that lives as long as the sandbox (a test's). The
 * cgroup and the directory such a sandbox leaves are removed by the next {@link #boot(Duration)}.
 *
 * <p>Needs root, overlayfs, a cgroup2 mount, util-linux ({@code unshare}, {@code nsenter}, {@code setpriv}) and
 * systemd: {@link #whyUnavailable()} says what is missing.
 */
final class SystemdSandbox implements AutoCloseable {
    /** The systemd that is booted: the machine's own. */
    static final Path SYSTEMD = Path.of("/lib/systemd/systemd");
    /** How long {@link #close()} waits for systemd to exit before it kills it. */
    static final Duration EXIT_TIMEOUT = Duration.ofSeconds(20);
    /** How long {@link #awaitJournal(String, String...)} waits for lines to show. */
    static final Duration JOURNAL_TIMEOUT = Duration.ofSeconds(20);
    /** How long a command inside may take unless told otherwise. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    private static final String[] BIN = {"/usr/bin", "/bin", "/usr/sbin", "/sbin"};
    private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    private static final AtomicInteger SANDBOXES = new AtomicInteger();
    /** The name of every sandbox's cgroup and temporary directory starts with this, then the JVM's pid and "-". */
    private static final String PREFIX = "daemonrunner-systemd-";
    private static Optional<String> unavailable;

    private final Path work;
    private final Path cgroup;
    private final Process launcher; // unshare: its only child is PID 1 of the namespaces
    private final Thread shutdownHook;
    private final AtomicInteger commands = new AtomicInteger();
    private ProcessHandle systemd; // the host's view of PID 1 of the namespaces, once it has started
    private boolean closed;

    private SystemdSandbox(Path work, Path cgroup, Process launcher) {
        this.work = work;
        this.cgroup = cgroup;
        this.launcher = launcher;
        this.shutdownHook = new Thread(this::closeAtExit, "systemd-sandbox-" + launcher.pid() + "-teardown");
    }

    /** The outcome of a command run inside the sandbox, for assertions and their messages. */
    record Result(List<String> command, int exit, String out, String err, Duration took) {
        @Override
        public String toString() {
            return String.join(" ", command) + ": exit " + exit + " after " + took.toMillis() + " ms"
                    + (out.isEmpty() ? "" : "\n--- stdout\n" + out) + (err.isEmpty() ? "" : "\n--- stderr\n" + err);
        }
    }

    /** What {@link #tearDown(Duration)} had to do: whether it had to kill systemd, and how long it took. */
    record Teardown(boolean killed, Duration took) {
    }

    /**
     * Says why this machine cannot boot a sandbox, or nothing when it can: root, overlayfs, a cgroup2 mount,
     * systemd and util-linux are needed.
     */
    static synchronized Optional<String> whyUnavailable() {
        if (unavailable == null) {
            unavailable = Optional.ofNullable(checkRequirements());
        }
        return unavailable;
    }

    private static String checkRequirements() {
        if (!System.getProperty("os.name").equals("Linux")) {
            return "needs Linux";
        }
        try {
            long uid = effectiveUid();
            if (uid != 0) {
                return "needs root to mount an overlay and create namespaces and a cgroup (this JVM runs as uid "
                        + uid + ")";
            }
            if (!Files.isExecutable(SYSTEMD)) {
                return "needs systemd at " + SYSTEMD + " (Debian: apt-get install systemd)";
            }
            for (String tool : List.of("systemctl", "journalctl", "systemd-analyze")) {
                if (tool(tool) == null) {
                    return "needs " + tool + " (Debian: apt-get install systemd)";
                }
            }
            for (String tool : List.of("unshare", "nsenter", "setpriv", "mount", "pivot_root")) {
                if (tool(tool) == null) {
                    return "needs " + tool + " (Debian: apt-get install util-linux mount)";
                }
            }
            if (Files.readAllLines(Path.of("/proc/filesystems")).stream()
                    .noneMatch(line -> line.endsWith("\toverlay"))) {
                return "needs overlayfs (not in /proc/filesystems; try modprobe overlay)";
            }
            Path cgroup2 = cgroup2Mount();
            if (cgroup2 == null) {
                return "needs a cgroup2 file system mounted (cgroup v2, unified or hybrid hierarchy)";
            }
            if (!Files.isWritable(cgroup2)) {
                return "needs to create a cgroup under " + cgroup2 + ", which is not writable here";
            }
        } catch (IOException e) {
            return "cannot tell whether a sandboxed systemd can run here: " + e;
        }
        return null;
    }

    /**
     * Boots a sandbox and returns once its systemd is running (or degraded: some unit of basic.target failed).
     *
     * @param timeout how long the boot may take
     * @throws IllegalStateException when {@link #whyUnavailable()} has a reason
     * @throws IOException when the sandbox cannot be set up or systemd does not come up in time; everything made
     *     so far has been removed
     */
    static SystemdSandbox boot(Duration timeout) throws IOException {
        Optional<String> why = whyUnavailable();
        if (why.isPresent()) {
            throw new IllegalStateException("Cannot boot a sandboxed systemd: " + why.get());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        removeLeftovers();
        String name = PREFIX + ProcessHandle.current().pid() + "-";
        Path work = Files.createTempDirectory(name);
        Path cgroup = null;
        Process launcher;
        try {
            Files.createDirectories(work.resolve("layers"));
            Files.createDirectories(work.resolve("root"));
            Files.createFile(work.resolve("console.log"));
            Path pid1 = work.resolve("pid1.sh");
            try (InputStream script = SystemdSandbox.class.getResourceAsStream("pid1.sh")) {
                if (script == null) {
                    throw new NoSuchFileException("pid1.sh next to " + SystemdSandbox.class.getName());
                }
                Files.copy(script, pid1);
            }
            cgroup = Files.createDirectory(cgroup2Mount().resolve(name + SANDBOXES.incrementAndGet()));
            // sh joins the new cgroup, then becomes setpriv, which becomes unshare (one process, our child): the
            // cgroup namespace is rooted at the new cgroup, and the launcher dies with this thread (pdeathsig)
            List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", "echo $$ > \"$0\" && exec \"$@\"",
                    cgroup.resolve("cgroup.procs").toString(),
                    tool("setpriv"), "--pdeathsig", "KILL", "--",
                    tool("unshare"), "--pid", "--fork", "--kill-child=KILL", "--mount", "--uts", "--ipc", "--net",
                    "--cgroup", "--propagation", "private", "/bin/sh", pid1.toString(), work.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectOutput(work.resolve("launcher.log").toFile()).redirectErrorStream(true);
            builder.environment().put("PATH", PATH);
            launcher = builder.start();
        } catch (IOException | RuntimeException e) {
            try {
                if (cgroup != null) {
                    removeCgroups(cgroup);
                }
                deleteTree(work);
            } catch (IOException | RuntimeException | AssertionError cleanupFailure) {
                e.addSuppressed(cleanupFailure);
            }
            throw e;
        }
        SystemdSandbox sandbox = new SystemdSandbox(work, cgroup, launcher);
        Runtime.getRuntime().addShutdownHook(sandbox.shutdownHook);
        try {
            sandbox.awaitRunning(deadline);
            return sandbox;
        } catch (IOException | RuntimeException | AssertionError e) {
            String logs = sandbox.bootLogs();
            try {
                sandbox.close();
            } catch (IOException | RuntimeException closeFailure) {
                e.addSuppressed(closeFailure);
            }
            throw new IOException("The sandboxed systemd did not boot: " + e.getMessage() + logs, e);
        }
    }

    private void awaitRunning(long deadline) throws IOException {
        Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        systemd = Await.await("systemd to start as PID 1 of the new namespaces", left, () -> {
            if (!launcher.isAlive()) {
                throw new IOException("unshare exited with status " + launcher.exitValue());
            }
            return launcher.toHandle().children().findFirst().orElse(null);
        }, pid1 -> pid1 != null);
        left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
        Await.until("systemd's private socket, /run/systemd/private", left, () -> {
            if (!systemd.isAlive()) {
                throw new IOException("PID 1 of the sandbox (host pid " + systemd.pid() + ") exited");
            }
            return comm(systemd.pid()).equals("systemd") && Files.exists(path("/run/systemd/private"));
        });
        left = Duration.ofNanos(Math.max(1_000_000_000L, deadline - System.nanoTime()));
        Result state = exec(left.plusSeconds(5), "timeout", Long.toString(left.toSeconds()), "systemctl",
                "is-system-running", "--wait");
        String answer = state.out().strip();
        if (!answer.equals("running") && !answer.equals("degraded")) {
            throw new IOException("systemctl is-system-running says '" + answer + "': " + state
                    + "\nfailed units:\n" + systemctl("--failed").out());
        }
    }

    private String bootLogs() {
        StringBuilder logs = new StringBuilder();
        for (String log : List.of("launcher.log", "console.log")) {
            try {
                List<String> lines = Files.readAllLines(work.resolve(log));
                logs.append("\n--- ").append(log).append(" (last lines)\n")
                        .append(String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
            } catch (IOException e) {
                logs.append("\n--- ").append(log).append(": ").append(e);
            }
        }
        return logs.toString();
    }

    /** Returns the host's pid of the sandbox's PID 1, systemd. */
    long hostPid() {
        return systemd.pid();
    }

    /** Returns the sandbox's temporary directory on the host (deleted by {@link #close()}). */
    Path work() {
        return work;
    }

    /** Returns the cgroup the sandbox lives in, which is the root of its cgroup namespace. */
    Path cgroup() {
        return cgroup;
    }

    /** Returns the sandbox's {@code /}, seen from the host: {@code /proc/PID/root} of its systemd. */
    Path root() {
        return Path.of("/proc", Long.toString(systemd.pid()), "root");
    }

    /** Returns the sandbox's file at {@code absolutePath}, seen from the host. */
    Path path(String absolutePath) {
        if (!absolutePath.startsWith("/")) {
            throw new IllegalArgumentException("Not an absolute path: " + absolutePath);
        }
        return root().resolve(absolutePath.substring(1));
    }

    /** Copies {@code source} to {@code target} in the sandbox, creating its directories, with mode {@code mode}. */
    void install(Path source, String target, String mode) throws IOException {
        Path file = path(target);
        Files.createDirectories(file.getParent());
        Files.copy(source, file, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    /** Writes {@code text} to {@code target} in the sandbox (mode 644), creating its directories. */
    void write(String target, String text) throws IOException {
        Path file = path(target);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Runs {@code command} inside the sandbox, as root in its namespaces and root directory, within 60 s. */
    Result exec(String... command) throws IOException {
        return exec(COMMAND_TIMEOUT, command);
    }

    /**
     * Runs {@code command} inside the sandbox through {@code nsenter}, and returns once it has ended.
     *
     * @throws AssertionError when it does not end within {@code timeout} (it is killed first, by exact pid)
     */
    Result exec(Duration timeout, String... command) throws IOException {
        List<String> nsenter = new ArrayList<>(List.of(tool("nsenter"), "-t", Long.toString(systemd.pid()),
                "-m", "-u", "-i", "-n", "-p", "-C", "-r", "-w", "--"));
        nsenter.addAll(List.of(command));
        int n = commands.incrementAndGet();
        Path out = work.resolve("command-" + n + ".out");
        Path err = work.resolve("command-" + n + ".err");
        ProcessBuilder builder = new ProcessBuilder(nsenter).directory(work.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.put("PATH", PATH);
        environment.put("LANG", "C.UTF-8");
        environment.put("TERM", "dumb");
        environment.put("SYSTEMD_PAGER", "cat");
        environment.put("SYSTEMD_COLORS", "0");
        long started = System.nanoTime();
        Process process = builder.start();
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("command did not end within " + timeout.toMillis() + " ms, killed: "
                        + String.join(" ", command) + "\n" + Files.readString(out) + Files.readString(err));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while running " + String.join(" ", command), e);
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        try {
            return new Result(List.of(command), process.exitValue(), Files.readString(out), Files.readString(err),
                    took);
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    /** Runs {@code systemctl ARGS} inside. */
    Result systemctl(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("systemctl", "--no-pager"));
        command.addAll(List.of(args));
        return exec(command.toArray(String[]::new));
    }

    /** Runs {@code systemctl daemon-reload}, after units or drop-ins were installed, and checks it worked. */
    void daemonReload() throws IOException {
        Result reload = systemctl("daemon-reload");
        if (reload.exit() != 0) {
            throw new AssertionError("daemon-reload failed: " + reload);
        }
    }

    /** Returns one property of {@code unit}, as {@code systemctl show -P NAME UNIT} prints it. */
    String property(String unit, String name) throws IOException {
        Result show = systemctl("show", "-P", name, unit);
        if (show.exit() != 0) {
            throw new AssertionError("cannot read " + name + " of " + unit + ": " + show);
        }
        return show.out().strip();
    }

    /** Returns properties of {@code unit}, in the order asked for, as {@code systemctl show -p} prints them. */
    Map<String, String> properties(String unit, String... names) throws IOException {
        Result show = systemctl("show", "-p", String.join(",", names), unit);
        if (show.exit() != 0) {
            throw new AssertionError("cannot read the properties of " + unit + ": " + show);
        }
        Map<String, String> found = new LinkedHashMap<>();
        for (String line : show.out().lines().toList()) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                found.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        Map<String, String> ordered = new LinkedHashMap<>();
        for (String name : names) {
            ordered.put(name, found.get(name));
        }
        return ordered;
    }

    /** Returns a cursor at the journal's end: {@link #journalAfter(String)} then shows only what came later. */
    String journalCursor() throws IOException {
        Result cursor = exec("journalctl", "--no-pager", "-n", "0", "--show-cursor", "-o", "cat");
        String prefix = "-- cursor: ";
        return cursor.out().lines().filter(line -> line.startsWith(prefix)).findFirst()
                .map(line -> line.substring(prefix.length()).strip())
                .orElseThrow(() -> new AssertionError("journalctl printed no cursor: " + cursor));
    }

    /**
     * Returns the journal after {@code cursor} (all of it if null), one entry a line: time, process and message.
     * Not filtered by unit: journald cannot always tell the unit of a line from a process that has already exited.
     */
    String journalAfter(String cursor) throws IOException {
        List<String> command = new ArrayList<>(List.of("journalctl", "--no-pager", "-q", "-o", "short-precise"));
        if (cursor != null) {
            command.add("--after-cursor=" + cursor);
        }
        return exec(command.toArray(String[]::new)).out();
    }

    /**
     * Returns the journal after {@code cursor} (all of it if null) once it holds every one of {@code texts}, waiting
     * up to {@link #JOURNAL_TIMEOUT}: journald stores a line a moment after it was written, and a process's output
     * and systemd's own messages reach it on different paths, so a line may lag behind the command that caused it.
     *
     * @throws AssertionError when one is still missing at the deadline, naming it
     */
    String awaitJournal(String cursor, String... texts) throws IOException {
        return Await.await("the journal to show " + List.of(texts), JOURNAL_TIMEOUT,
                () -> new JournalView(journalAfter(cursor), texts), view -> view.missing().isEmpty()).text();
    }

    /** A journal and which of the awaited texts it lacks; it prints the latter only. */
    private record JournalView(String text, List<String> missing) {
        JournalView(String text, String... awaited) {
            this(text, Stream.of(awaited).filter(t -> !text.contains(t)).toList());
        }

        @Override
        public String toString() {
            return "a journal of " + text.lines().count() + " lines without " + missing;
        }
    }

    /** Returns the host pids of every process in the sandbox's cgroups. */
    List<Long> hostPids() throws IOException {
        List<Long> pids = new ArrayList<>();
        try (Stream<Path> files = Files.walk(cgroup)) {
            for (Path procs : files.filter(f -> f.getFileName().toString().equals("cgroup.procs")).toList()) {
                for (String line : Files.readAllLines(procs)) {
                    if (!line.isBlank()) {
                        pids.add(Long.parseLong(line.strip()));
                    }
                }
            }
        }
        return pids;
    }

    /** Ends the sandbox as {@link #tearDown(Duration)} does, giving systemd {@link #EXIT_TIMEOUT} to exit. */
    @Override
    public void close() throws IOException {
        tearDown(EXIT_TIMEOUT);
    }

    /**
     * Ends the sandbox: asks systemd to exit, waits up to {@code exitTimeout} for it, kills its PID 1 by exact pid
     * if it is still there, then removes the cgroups and the temporary directory. Does nothing the second time.
     *
     * @throws IOException when something could not be removed (what, and why)
     */
    synchronized Teardown tearDown(Duration exitTimeout) throws IOException {
        if (closed) {
            return new Teardown(false, Duration.ZERO);
        }
        closed = true;
        long started = System.nanoTime();
        boolean killed = false;
        List<String> problems = new ArrayList<>();
        try {
            Duration wait = Duration.ofSeconds(2); // for a launcher whose systemd never started, or already exited
            if (launcher.isAlive() && systemd != null && systemd.isAlive()) {
                wait = exitTimeout;
                try {
                    exec(Duration.ofSeconds(10), "systemctl", "exit"); // stops every unit, then systemd exits
                } catch (IOException | AssertionError e) {
                    System.err.println("systemd sandbox " + work + ": systemctl exit: " + e.getMessage());
                }
            }
            if (!launcher.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                killed = true;
                // the last resort: SIGKILL to PID 1 of the namespaces (the kernel kills everything in them), and
                // then to unshare, whose --kill-child also kills PID 1; both are ours, by exact pid and start time
                if (systemd != null) {
                    systemd.destroyForcibly();
                }
                if (!launcher.waitFor(10, TimeUnit.SECONDS)) {
                    launcher.destroyForcibly();
                    if (!launcher.waitFor(10, TimeUnit.SECONDS)) {
                        problems.add("unshare (pid " + launcher.pid() + ") did not exit after SIGKILL");
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problems.add("interrupted while waiting for systemd to exit");
            launcher.destroyForcibly();
        } finally {
            try {
                removeCgroups(cgroup);
            } catch (IOException | AssertionError e) {
                problems.add(e.getMessage());
            }
            try {
                deleteTree(work);
            } catch (IOException e) {
                problems.add("cannot delete " + work + ": " + e);
            }
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // called from the hook itself
            }
        }
        if (!problems.isEmpty()) {
            throw new IOException("Teardown of the sandboxed systemd was incomplete: " + String.join("; ", problems));
        }
        return new Teardown(killed, Duration.ofNanos(System.nanoTime() - started));
    }

    private void closeAtExit() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            System.err.println("systemd sandbox " + work + ": " + e.getMessage());
        }
    }

    /**
     * Removes what sandboxes of a JVM that was killed left behind (its sandboxes died with it, see the class
     * description): their cgroups, if no process is left in them, and their temporary directories. A sandbox is
     * known by the pid in its name, and is left alone while a process with that pid runs.
     */
    private static void removeLeftovers() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        for (Path parent : List.of(cgroup2Mount(), tmp)) {
            List<Path> leftovers;
            try (Stream<Path> children = Files.list(parent)) {
                leftovers = children.filter(child -> isLeftover(child.getFileName().toString())).toList();
            }
            for (Path leftover : leftovers) {
                if (parent.equals(tmp)) {
                    deleteTree(leftover);
                } else if (Files.readAllLines(leftover.resolve("cgroup.events")).contains("populated 0")) {
                    removeCgroups(leftover);
                }
            }
        }
    }

    private static boolean isLeftover(String name) {
        if (!name.startsWith(PREFIX)) {
            return false;
        }
        String rest = name.substring(PREFIX.length());
        int dash = rest.indexOf('-');
        if (dash <= 0) {
            return false;
        }
        try {
            return ProcessHandle.of(Long.parseLong(rest.substring(0, dash))).isEmpty();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Removes {@code cgroup} and the cgroups systemd made in it, once no process is left in any of them. */
    private static void removeCgroups(Path cgroup) throws IOException {
        if (!Files.isDirectory(cgroup)) {
            return;
        }
        Await.await("the processes in cgroup " + cgroup + " to exit", Duration.ofSeconds(10),
                () -> Files.readAllLines(cgroup.resolve("cgroup.events")), events -> events.contains("populated 0"));
        List<Path> directories;
        try (Stream<Path> files = Files.walk(cgroup)) {
            directories = files.filter(f -> Files.isDirectory(f, LinkOption.NOFOLLOW_LINKS))
                    .sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
        }
        for (Path directory : directories) {
            Files.delete(directory); // rmdir; a cgroup's own files go with it
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        List<Path> all;
        try (Stream<Path> files = Files.walk(root)) {
            all = files.sorted(Comparator.comparingInt(Path::getNameCount).reversed()).toList();
        }
        for (Path file : all) {
            Files.delete(file);
        }
    }

    /** Returns the mount point of the first cgroup2 file system in this process's mount table, or null. */
    private static Path cgroup2Mount() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            if (separator > 4 && separator + 1 < fields.length && fields[separator + 1].equals("cgroup2")) {
                return Path.of(fields[4].replace("\\040", " "));
            }
        }
        return null;
    }

    /** Returns the absolute path of {@code name} in the usual bin directories, or null. */
    private static String tool(String name) {
        for (String dir : BIN) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private static long effectiveUid() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
            }
        }
        throw new IOException("no Uid: line in /proc/self/status");
    }

    private static String comm(long pid) throws IOException {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip();
        } catch (NoSuchFileException e) {
            return "";
        }
    }
}
