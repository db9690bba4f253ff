// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.DaemonRunner;

/**
 * A daemon for the integration tests: it records what happens to it in an events file, and can be told to
 * misbehave (fail or exit in {@code init()}, take long to get ready, ignore a stop, exit slowly), or to be a broken
 * app ({@code --returns-null METHOD}, {@code --throws readyAfterInit}, {@code --health-throws-while FILE},
 * {@code --map-signal NAME} for a context the builder refuses).
 */
public final class ProbeApp implements DaemonApp {
    private final CommandLine options;
    private final Path dir;
    private volatile boolean stopCalled;
    private java.net.ServerSocket listener;

    private ProbeApp(CommandLine options) {
        this.options = options;
        this.dir = Path.of(options.getOptionValue("dir", "."));
    }

    public static void main(String[] args) throws ParseException {
        Options known = new Options();
        for (String name : new String[] {"dir", "pidfile", "stdout", "stderr", "init-fail", "init-fail-wrapped", "init-exit", "init-exit-thread", "init-error", "ready-in-run-ms", "run-fail", "run-exit",
                "init-sleep-ms", "hook-until", "start-timeout-ms", "stop-timeout-ms", "pidfile-timeout-ms", "exit-delay-ms", "exit-until", "umask",
                "workdir", "user", "group", "bind-port", "chroot", "detach", "create", "tick-ms", "schedule",
                "tick-burst", "launcher-file", "launcher-file-text", "reload-fail", "stop-fail", "winch-fail", "returns-null", "throws", "health-throws-while", "own-stderr", "map-signal"}) {
            known.addOption(null, name, true, name);
        }
        known.addOption(null, "ignore-stop", false, "run() ignores stop requests");
        known.addOption(null, "run-returns", false, "run() returns at once");
        known.addOption(null, "drop-after-init", false, "switch user after init()");
        known.addOption(null, "allow-core", false, "do not prevent core dumps");
        known.addOption(null, "spawn-child", false, "start a child process in init()");
        known.addOption(null, "socket-activation", false, "serve 'hi' on the socket systemd passed");
        known.addOption(null, "keep-children", false, "stop does not end the process group");
        known.addOption(null, "winch", false, "record SIGWINCH");
        known.addOption(null, "again", false, "run() calls doAction(\"start\") a second time");
        known.addOption(null, "read-own-pidfile", false, "run() reads the pidfile, as a program with its own does");
        CommandLine line = new DefaultParser().parse(DaemonRunner.withRunnerOptions(known), args);
        if (line.hasOption("launcher-file") && !DaemonRunner.isDaemon()) {
            changeInLauncher(Path.of(line.getOptionValue("launcher-file")), line.getOptionValue("launcher-file-text"));
        }
        System.exit(new DaemonRunner(new ProbeApp(line)).doAction(DaemonRunner.runnerArguments(line)));
    }

    /**
     * Rewrites (or, without text, deletes) a file in the launcher only, after this JVM has started and before it
     * relaunches itself: an argument file or agent the daemon's JVM then finds changed, so that only the daemon's
     * JVM fails to start.
     */
    /**
     * Keeps exiting until the test creates {@code file} (at most 60 s): a stop (or an exit) that lasts exactly as long
     * as the test needs, whatever the machine's load, and no longer.
     */
    private static void awaitFile(Path file) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        try (java.nio.file.WatchService watch = file.getFileSystem().newWatchService()) {
            file.toAbsolutePath().getParent().register(watch, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.exists(file) && System.nanoTime() < deadline) {
                try {
                    java.nio.file.WatchKey key = watch.poll(Math.max(1, (deadline - System.nanoTime()) / 1_000_000),
                            java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (key != null) {
                        key.pollEvents();
                        key.reset();
                    }
                } catch (InterruptedException again) {
                    // keep exiting slowly
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void changeInLauncher(Path file, String text) {
        try {
            if (text == null) {
                Files.deleteIfExists(file);
            } else {
                Files.writeString(file, text, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether {@code --returns-null} names {@code method}: that method of the app returns null. */
    private boolean returnsNull(String method) {
        return method.equals(options.getOptionValue("returns-null"));
    }

    @Override
    public DaemonContext context() {
        if (returnsNull("context")) {
            return null;
        }
        DaemonContext.Builder context = DaemonContext.builder();
        if (options.hasOption("map-signal")) {
            context.onSignal(options.getOptionValue("map-signal"), () -> event("mapped signal"));
        }
        if (options.hasOption("umask")) {
            context.umask(Integer.parseInt(options.getOptionValue("umask"), 8));
        }
        if (options.hasOption("workdir")) {
            context.workingDirectory(Path.of(options.getOptionValue("workdir")));
        }
        if (options.hasOption("user")) {
            context.user(options.getOptionValue("user"));
        }
        if (options.hasOption("group")) {
            context.group(options.getOptionValue("group"));
        }
        if (options.hasOption("chroot")) {
            context.chrootDirectory(Path.of(options.getOptionValue("chroot")));
        }
        if (options.hasOption("detach")) {
            context.detach(DaemonContext.Detach.valueOf(options.getOptionValue("detach").toUpperCase()));
        }
        if (options.hasOption("winch")) {
            context.onSignal("WINCH", () -> event("winch " + ProcessHandle.current().pid()));
        }
        if (options.hasOption("winch-fail")) {
            context.onSignal("WINCH", () -> {
                throw new IllegalStateException(options.getOptionValue("winch-fail"));
            });
        }
        return context.dropPrivilegesAfterInit(options.hasOption("drop-after-init"))
                .endProcessGroupOnStop(!options.hasOption("keep-children"))
                .preventCoreDumps(!options.hasOption("allow-core")).build();
    }

    @Override
    public void reload() {
        event("reload " + ProcessHandle.current().pid());
        if (options.hasOption("reload-fail")) {
            throw new IllegalStateException(options.getOptionValue("reload-fail"));
        }
    }

    /** The distinct real uids of all this process's threads, from /proc/self/task/N/status. */
    static String threadUids() {
        java.util.Set<String> uids = new java.util.TreeSet<>();
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                java.util.List<String> status;
                try {
                    status = Files.readAllLines(task.resolve("status"));
                } catch (java.nio.file.NoSuchFileException ended) {
                    continue; // a thread that ended since the listing (the start timeout's, at readiness)
                }
                for (String line : status) {
                    if (line.startsWith("Uid:")) {
                        uids.add(line.split("\\s+")[1]);
                    }
                }
            }
        } catch (IOException e) {
            uids.add("error " + e);
        }
        return String.join(",", uids);
    }

    private Path path(String option, String fallback) {
        return Path.of(options.getOptionValue(option, dir.resolve(fallback).toString()));
    }

    private Duration millis(String option, long fallback) {
        return Duration.ofMillis(Long.parseLong(options.getOptionValue(option, Long.toString(fallback))));
    }

    private void event(String text) {
        try {
            Files.writeString(DaemonRunner.launchDirectory().resolve(dir).resolve("events.log"), text + "\n",
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Path stdoutPath() {
        return path("stdout", "out.log");
    }

    @Override
    public Path stderrPath() {
        return path("stderr", "err.log");
    }

    @Override
    public Path pidfilePath() {
        return returnsNull("pidfilePath") ? null : path("pidfile", "probe.pid");
    }

    @Override
    public Duration pidfileTimeout() {
        return returnsNull("pidfileTimeout") ? null : millis("pidfile-timeout-ms", 5000);
    }

    @Override
    public Duration startTimeout() {
        return returnsNull("startTimeout") ? null : millis("start-timeout-ms", 20000);
    }

    @Override
    public org.daemonrunner.StopSchedule stopSchedule() {
        if (returnsNull("stopSchedule")) {
            return null;
        }
        return options.hasOption("schedule") ? org.daemonrunner.StopSchedule.parse(options.getOptionValue("schedule"))
                : DaemonApp.super.stopSchedule();
    }

    @Override
    public Duration stopTimeout() {
        return returnsNull("stopTimeout") ? null : millis("stop-timeout-ms", 10000);
    }

    @Override
    public void init() throws Exception {
        long pid = ProcessHandle.current().pid();
        event("init " + pid + " marker=" + System.getProperty("daemonrunner.daemon") + " launchdir="
                + System.getProperty("daemonrunner.launchdir"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (options.hasOption("hook-until")) { // the JVM's end waits for the test (at most 60 s)
                awaitFile(Path.of(options.getOptionValue("hook-until")));
            }
            event("hook " + pid);
        }));
        System.out.println("probe " + pid + " started");
        if (options.hasOption("create")) {
            Files.createFile(Path.of(options.getOptionValue("create")));
        }
        if (options.hasOption("socket-activation")) {
            java.nio.channels.ServerSocketChannel server = (java.nio.channels.ServerSocketChannel)
                    org.daemonrunner.SocketActivation.channel().orElseThrow();
            event("activated " + ((java.net.InetSocketAddress) server.getLocalAddress()).getPort());
            Thread serve = new Thread(() -> {
                try (java.nio.channels.SocketChannel client = server.accept()) {
                    client.write(java.nio.ByteBuffer.wrap("hi\n".getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    event("serve failed " + e);
                }
            });
            serve.setDaemon(true);
            serve.start();
        }
        if (options.hasOption("spawn-child")) {
            Process child = new ProcessBuilder("sleep", "300").start();
            event("child " + child.pid());
        }
        if (options.hasOption("bind-port")) {
            int port = Integer.parseInt(options.getOptionValue("bind-port"));
            listener = new java.net.ServerSocket(port);
            event("bound " + port + " uids=" + threadUids());
        }
        if (options.hasOption("init-sleep-ms")) {
            Thread.sleep(Long.parseLong(options.getOptionValue("init-sleep-ms")));
        }
        if (options.hasOption("own-stderr")) { // as a logging set-up that takes System.err into its own file
            System.setErr(new java.io.PrintStream(Files.newOutputStream(Path.of(options.getOptionValue("own-stderr"))),
                    true));
        }
        if (options.hasOption("init-fail")) {
            throw new IllegalStateException(options.getOptionValue("init-fail"));
        }
        if (options.hasOption("init-fail-wrapped")) {
            // as Spring Boot does with a busy port: the reason is several causes down
            throw new IllegalStateException("Failed to start bean 'webServerStartStop'", new RuntimeException(
                    "Unable to start embedded server", new java.net.BindException(options.getOptionValue("init-fail-wrapped"))));
        }
        if (options.hasOption("init-error")) {
            throw new AssertionError(options.getOptionValue("init-error")); // an Error, not an Exception
        }
        if (options.hasOption("init-exit")) {
            System.exit(Integer.parseInt(options.getOptionValue("init-exit")));
        }
        if (options.hasOption("init-exit-thread")) { // System.exit() in another thread: init() returns during the
            // shutdown, once the daemon's exit line is written, while a hook of its own keeps the JVM up for 1 s
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    // the JVM ends anyway
                }
            }));
            new Thread(() -> System.exit(Integer.parseInt(options.getOptionValue("init-exit-thread"))), "exit").start();
            for (long end = System.nanoTime() + 10_000_000_000L; System.nanoTime() < end
                    && !Files.readString(stderrPath()).contains("pid " + pid + " is exiting"); ) {
                Thread.sleep(10);
            }
        }
    }

    @Override
    public boolean readyAfterInit() {
        if ("readyAfterInit".equals(options.getOptionValue("throws"))) {
            throw new IllegalStateException("no readiness mode configured");
        }
        return !options.hasOption("ready-in-run-ms");
    }

    @Override
    public boolean isHealthy() {
        if (options.hasOption("health-throws-while") && Files.exists(Path.of(options.getOptionValue("health-throws-while")))) {
            event("isHealthy throws");
            throw new IllegalStateException("health probe broke");
        }
        return true;
    }

    @Override
    public void run() throws InterruptedException, IOException {
        event("run " + ProcessHandle.current().pid() + " uids=" + threadUids());
        if (options.hasOption("run-returns")) {
            return;
        }
        if (options.hasOption("again")) {
            event("again " + new DaemonRunner(this).doAction("start"));
        }
        if (options.hasOption("read-own-pidfile")) {
            event("read own pidfile " + Files.readString(pidfilePath()).strip()); // closing it drops the lock
        }
        if (options.hasOption("run-exit")) {
            System.exit(Integer.parseInt(options.getOptionValue("run-exit")));
        }
        if (options.hasOption("ready-in-run-ms")) {
            Thread.sleep(Long.parseLong(options.getOptionValue("ready-in-run-ms")));
            if (options.hasOption("run-fail")) {
                throw new IllegalStateException(options.getOptionValue("run-fail"));
            }
            event("ready reported " + DaemonRunner.ready() + " again " + DaemonRunner.ready());
        }
        long tick = Long.parseLong(options.getOptionValue("tick-ms", "0"));
        long burst = Long.parseLong(options.getOptionValue("tick-burst", "1")); // lines per tick
        for (long n = 0; ; n++) {
            try {
                if (tick > 0) {
                    for (long last = n + burst - 1; ; n++) {
                        System.out.println("tick " + n);
                        System.err.println("err-tick " + n);
                        if (n == last) {
                            break;
                        }
                    }
                }
                Thread.sleep(tick > 0 ? tick : 60_000);
            } catch (InterruptedException e) {
                if (options.hasOption("ignore-stop")) {
                    event("ignoring stop");
                    continue;
                }
                if (options.hasOption("exit-delay-ms")) {
                    long until = System.nanoTime() + Long.parseLong(options.getOptionValue("exit-delay-ms")) * 1_000_000;
                    while (System.nanoTime() < until) {
                        try {
                            Thread.sleep(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                        } catch (InterruptedException again) {
                            // keep exiting slowly
                        }
                    }
                }
                if (options.hasOption("exit-until")) {
                    awaitFile(Path.of(options.getOptionValue("exit-until")));
                }
                event("run ended " + ProcessHandle.current().pid() + " stopCalled=" + stopCalled);
                throw e;
            }
        }
    }

    @Override
    public void stop() {
        stopCalled = true;
        event("stop " + ProcessHandle.current().pid());
        if (options.hasOption("stop-fail")) {
            throw new IllegalStateException(options.getOptionValue("stop-fail"));
        }
    }
}
