// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.LocalDateTime;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonRunner;
import org.daemonrunner.ExitStatus;

/**
 * The classic python-daemon example as a Java daemon: appends a {@code Processing at <time>} line to a data file
 * every interval.
 *
 * <pre>
 * java -jar sample-daemon.jar start|stop|restart|status|...|systemd-unit [--dir DIR] [--data FILE] [--pidfile FILE]
 *                             [--stdout FILE] [--stderr FILE] [--interval SECONDS]
 *                             [--init-delay SECONDS] [--unhealthy-file FILE]
 * </pre>
 * With no options its files are kept in {@code daemonrunner-sample} under the system temp directory, and
 * {@code start} says where; that directory is made for the current user alone (mode 700), and one that another
 * user owns, or that others may write to, is refused (exit 4), since its owner could put a link in it. The data file
 * is never written through a symbolic link. A shutdown hook appends {@code Stopped at <time>} to the data file.
 *
 * <p>Two options let it play a harder daemon, for trying out a supervisor: {@code --init-delay} makes
 * {@code init()} take that long (a slow start-up, such as loading a cache), and {@code --unhealthy-file} makes
 * {@link #isHealthy()} answer false while that file exists, so that under systemd's {@code WatchdogSec=} the
 * daemon withholds its pings and systemd restarts it.
 */
public final class SampleDaemon implements DaemonApp {
    private final Path data;
    private final Path pidfile;
    private final Path stdout;
    private final Path stderr;
    private final Duration interval;
    private final Duration initDelay;
    private final Path unhealthyFile;

    SampleDaemon(Path data, Path pidfile, Path stdout, Path stderr, Duration interval, Duration initDelay,
            Path unhealthyFile) {
        this.data = data;
        this.pidfile = pidfile;
        this.stdout = stdout;
        this.stderr = stderr;
        this.interval = interval;
        this.initDelay = initDelay;
        this.unhealthyFile = unhealthyFile;
    }

    /** Parses the sample's options, then hands the action to {@link DaemonRunner}. */
    public static void main(String[] args) {
        System.exit(launch(args));
    }

    /**
     * Returns the sample's own options, without the runner's ({@link DaemonRunner#withRunnerOptions} adds those).
     * Public for the benchmark, which times this parse alone.
     */
    public static Options options() {
        return new Options()
                .addOption(Option.builder().longOpt("dir").hasArg().argName("DIR")
                        .desc("directory for the files not given below (default: <tmp>/daemonrunner-sample)").build())
                .addOption(Option.builder().longOpt("data").hasArg().argName("FILE")
                        .desc("file the daemon appends to (default: DIR/sample.data)").build())
                .addOption(Option.builder().longOpt("pidfile").hasArg().argName("FILE")
                        .desc("pidfile (default: DIR/sample.pid)").build())
                .addOption(Option.builder().longOpt("stdout").hasArg().argName("FILE")
                        .desc("standard output log (default: DIR/sample.out)").build())
                .addOption(Option.builder().longOpt("stderr").hasArg().argName("FILE")
                        .desc("standard error log (default: DIR/sample.err)").build())
                .addOption(Option.builder().longOpt("interval").hasArg().argName("SECONDS")
                        .desc("seconds between two lines (default: 5)").build())
                .addOption(Option.builder().longOpt("init-delay").hasArg().argName("SECONDS")
                        .desc("seconds init() takes, as a slow start-up would (default: 0)").build())
                .addOption(Option.builder().longOpt("unhealthy-file").hasArg().argName("FILE")
                        .desc("while FILE exists the daemon reports itself unhealthy, which stops its systemd"
                                + " watchdog pings (default: none)").build())
                .addOption(Option.builder("h").longOpt("help").desc("print this help").build());
    }

    static int launch(String[] args) {
        Options options = options();
        CommandLine line;
        Duration interval;
        Duration initDelay;
        try {
            line = new DefaultParser().parse(DaemonRunner.withRunnerOptions(options), args);
            interval = seconds(line, "interval", "5");
            if (interval.isNegative() || interval.isZero()) {
                throw new ParseException("--interval must be a positive number of seconds, such as 5 or 0.5, not '"
                        + line.getOptionValue("interval") + "'");
            }
            initDelay = seconds(line, "init-delay", "0");
            if (initDelay.isNegative()) {
                throw new ParseException("--init-delay must be a number of seconds, 0 or more, such as 2 or 0.5, not '"
                        + line.getOptionValue("init-delay") + "'");
            }
        } catch (ParseException e) {
            System.err.println(e.getMessage());
            printHelp(options);
            return ExitStatus.USAGE;
        }
        if (line.hasOption("help")) {
            printHelp(options);
            return ExitStatus.OK;
        }
        Path base = DaemonRunner.launchDirectory();
        Path dir;
        SampleDaemon app;
        try {
            dir = base.resolve(line.getOptionValue("dir",
                    Path.of(System.getProperty("java.io.tmpdir"), "daemonrunner-sample").toString()));
            app = new SampleDaemon(
                    base.resolve(line.getOptionValue("data", dir.resolve("sample.data").toString())),
                    base.resolve(line.getOptionValue("pidfile", dir.resolve("sample.pid").toString())),
                    base.resolve(line.getOptionValue("stdout", dir.resolve("sample.out").toString())),
                    base.resolve(line.getOptionValue("stderr", dir.resolve("sample.err").toString())),
                    interval, initDelay,
                    line.hasOption("unhealthy-file") ? base.resolve(line.getOptionValue("unhealthy-file")) : null);
        } catch (InvalidPathException e) {
            // a path in UTF-8 given to a JVM in the C locale (cron's, say): its bytes cannot be decoded
            System.err.println("Not a path in this locale's encoding (" + System.getProperty("sun.jnu.encoding")
                    + "): " + e.getInput() + ". Run with the locale the daemon was started with, e.g. LANG=C.UTF-8,"
                    + " or use paths of ASCII characters only.");
            return ExitStatus.USAGE;
        }
        String action = line.getArgs().length > 0 ? line.getArgs()[0] : "";
        if (!DaemonRunner.isDaemon() && (action.equals("start") || action.equals("restart"))) {
            if (!line.hasOption("dir")) {
                String refused = SampleDirectory.refusal(dir);
                if (refused != null) {
                    System.err.println(refused);
                    return ExitStatus.PRIVILEGE;
                }
            }
            System.out.println("sample daemon: data " + app.data + ", pidfile " + app.pidfile + ", logs "
                    + app.stdout + " and " + app.stderr);
        }
        return new DaemonRunner(app).doAction(DaemonRunner.runnerArguments(line));
    }

    /**
     * Parses option {@code name}'s number of seconds, such as {@code 5} or {@code 0.5}, or {@code fallback}.
     *
     * @throws ParseException naming the option and the form to write, when the value is not a finite number
     */
    private static Duration seconds(CommandLine line, String name, String fallback) throws ParseException {
        String value = line.getOptionValue(name, fallback);
        double seconds;
        try {
            seconds = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        if (!Double.isFinite(seconds) || Math.abs(seconds) > 1e9) {
            throw new ParseException("--" + name + " must be a number of seconds, such as 5 or 0.5, not '" + value
                    + "'");
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }

    private static void printHelp(Options options) {
        Usage.print("java -jar sample-daemon.jar", options);
    }

    @Override
    public Path stdoutPath() {
        return stdout;
    }

    @Override
    public Path stderrPath() {
        return stderr;
    }

    @Override
    public Path pidfilePath() {
        return pidfile;
    }

    @Override
    public Duration pidfileTimeout() {
        return Duration.ofSeconds(5);
    }

    /**
     * Answers false while the {@code --unhealthy-file} exists; true without that option. Under systemd's watchdog
     * the runner skips the ping when this is false.
     */
    @Override
    public boolean isHealthy() {
        return unhealthyFile == null || !Files.exists(unhealthyFile);
    }

    /**
     * Adds the shutdown hook that writes {@code Stopped at <time>}, then takes the {@code --init-delay}, if any; a
     * stop requested meanwhile cuts the delay short.
     */
    @Override
    public void init() throws IOException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> append("Stopped at " + LocalDateTime.now())));
        if (!initDelay.isZero()) {
            System.out.println("sample daemon " + ProcessHandle.current().pid() + " initialising for "
                    + initDelay.toMillis() + " ms");
            try {
                Thread.sleep(initDelay.toMillis());
            } catch (InterruptedException stopRequested) {
                Thread.currentThread().interrupt(); // run() sees it and returns at once
                return;
            }
        }
        System.out.println("sample daemon " + ProcessHandle.current().pid() + " appending to " + data + " every "
                + interval.toMillis() + " ms");
    }

    @Override
    public void run() throws IOException {
        try {
            while (true) {
                append("Processing at " + LocalDateTime.now());
                Thread.sleep(interval.toMillis());
            }
        } catch (InterruptedException stopRequested) {
            System.out.println("sample daemon " + ProcessHandle.current().pid() + " stopping");
        }
    }

    /** Appends {@code line} to the data file; never through a symbolic link, which another user may have planted. */
    private void append(String line) {
        try {
            Files.writeString(data, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            System.err.println("cannot append to " + data + ": " + (Files.isSymbolicLink(data)
                    ? "it is a symbolic link (to " + target(data) + "), which the sample does not follow. Remove it,"
                    + " or give --data the file itself" : e.toString()));
        }
    }

    private static String target(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            return "a target it cannot read";
        }
    }
}
