package org.daemonrunner.examples;

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
import org.daemonrunner.DaemonRunner;

/**
 * A daemon for the integration tests: it records what happens to it in an events file, and can be told to
 * misbehave (fail or exit in {@code init()}, take long to get ready, ignore a stop, exit slowly).
 */
public final class ProbeApp implements DaemonApp {
    private final CommandLine options;
    private final Path dir;
    private volatile boolean stopCalled;

    private ProbeApp(CommandLine options) {
        this.options = options;
        this.dir = Path.of(options.getOptionValue("dir", "."));
    }

    public static void main(String[] args) throws ParseException {
        Options known = new Options();
        for (String name : new String[] {"dir", "pidfile", "stdout", "stderr", "init-fail", "init-exit",
                "init-sleep-ms", "start-timeout-ms", "stop-timeout-ms", "pidfile-timeout-ms", "exit-delay-ms"}) {
            known.addOption(null, name, true, name);
        }
        known.addOption(null, "ignore-stop", false, "run() ignores stop requests");
        CommandLine line = new DefaultParser().parse(known, args);
        System.exit(new DaemonRunner(new ProbeApp(line)).doAction(line.getArgs()));
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
        return path("pidfile", "probe.pid");
    }

    @Override
    public Duration pidfileTimeout() {
        return millis("pidfile-timeout-ms", 5000);
    }

    @Override
    public Duration startTimeout() {
        return millis("start-timeout-ms", 20000);
    }

    @Override
    public Duration stopTimeout() {
        return millis("stop-timeout-ms", 10000);
    }

    @Override
    public void init() throws Exception {
        long pid = ProcessHandle.current().pid();
        event("init " + pid + " marker=" + System.getProperty("daemonrunner.daemon") + " launchdir="
                + System.getProperty("daemonrunner.launchdir"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> event("hook " + pid)));
        System.out.println("probe " + pid + " started");
        if (options.hasOption("init-sleep-ms")) {
            Thread.sleep(Long.parseLong(options.getOptionValue("init-sleep-ms")));
        }
        if (options.hasOption("init-fail")) {
            throw new IllegalStateException(options.getOptionValue("init-fail"));
        }
        if (options.hasOption("init-exit")) {
            System.exit(Integer.parseInt(options.getOptionValue("init-exit")));
        }
    }

    @Override
    public void run() throws InterruptedException {
        event("run " + ProcessHandle.current().pid());
        while (true) {
            try {
                Thread.sleep(60_000);
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
                event("run ended " + ProcessHandle.current().pid() + " stopCalled=" + stopCalled);
                throw e;
            }
        }
    }

    @Override
    public void stop() {
        stopCalled = true;
        event("stop " + ProcessHandle.current().pid());
    }
}
