// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.daemonrunner.it.Wrapped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The stop schedule of a unit daemonrunner.jar's {@code systemd-unit} writes, under a real systemd: a program that
 * writes down every SIGINT and SIGTERM it gets and ignores them, so that each step of the schedule shows, and
 * {@code systemctl stop} has to go through all of them.
 */
@EnabledOnOs(OS.LINUX)
@ExtendWith(SystemdExtension.class)
@Timeout(90)
class SystemdStopScheduleIT {
    private static final String UNIT = "sig.service";
    private static final String WRAPPER = "/opt/sig/daemonrunner.jar";
    private static final String PROGRAM = "/opt/sig/signals.jar";
    private static final String RECORD = "/var/lib/sig/signals";
    private static final String SOURCE = """
            import java.nio.file.Files;
            import java.nio.file.Path;
            import java.nio.file.StandardOpenOption;

            public final class Signals {
                public static void main(String[] args) throws Exception {
                    Path record = Path.of(args[0]);
                    for (String name : new String[] {"INT", "TERM"}) {
                        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                            try {
                                Files.writeString(record, name + " " + System.nanoTime() / 1_000_000 + "\\n",
                                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
                    }
                    Thread stay = new Thread(() -> {
                        while (true) {
                            try {
                                Thread.sleep(60_000);
                            } catch (InterruptedException e) {
                                return;
                            }
                        }
                    }, "stay");
                    stay.start();
                }
            }
            """;

    @TempDir
    Path dir;

    private SystemdSandbox.Result install(SystemdSandbox systemd, String schedule) throws IOException {
        Deployment.installJar(systemd); // skips the test without /usr/bin/java
        systemd.install(Wrapped.jar(), WRAPPER, "rw-r--r--");
        Path source = dir.resolve("Signals.java");
        Files.writeString(source, SOURCE);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Wrapped.tool("javac", "--release", "17", "-nowarn", "-d", classes.toString(), source.toString());
        Path jar = dir.resolve("signals.jar");
        Wrapped.tool("jar", "--create", "--file", jar.toString(), "--main-class", "Signals", "-C", classes.toString(),
                ".");
        systemd.install(jar, PROGRAM, "rw-r--r--");
        assertThat(systemd.exec("mkdir", "-p", "/var/lib/sig").exit()).isZero();
        SystemdSandbox.Result written = systemd.exec("/bin/sh", "-c", "cd / && /usr/bin/java -jar " + WRAPPER
                + " --pidfile /run/sig/sig.pid --stop-schedule " + schedule + " systemd-unit -- -jar " + PROGRAM + " "
                + RECORD + " > /etc/systemd/system/" + UNIT);
        assertThat(written.exit()).as(written.toString()).isZero();
        SystemdSandbox.Result verify = systemd.exec("systemd-analyze", "verify", "/etc/systemd/system/" + UNIT);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        systemd.daemonReload();
        SystemdSandbox.Result start = systemd.systemctl("start", UNIT);
        assertThat(start.exit()).as(start.toString()).isZero();
        return start;
    }

    /** The signals the program got, in order. */
    private static List<String> signals(SystemdSandbox systemd) throws IOException {
        Path record = systemd.path(RECORD);
        return Files.exists(record) ? Files.readAllLines(record).stream().map(line -> line.split(" ")[0]).toList()
                : List.of();
    }

    @Test
    void oneSignalThenKillIsSentAsTheScheduleSays(SystemdSandbox systemd) throws IOException {
        install(systemd, "INT/2/KILL/5");
        long pid = Long.parseLong(systemd.property(UNIT, "MainPID"));

        SystemdSandbox.Result stop = systemd.systemctl("stop", UNIT);

        assertThat(signals(systemd)).as("the signals the program got").containsExactly("INT");
        assertThat(stop.took()).as("systemctl stop, SIGKILL 2 s after SIGINT")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(2)).isLessThan(Duration.ofSeconds(5));
        assertThat(Deployment.isAlive(systemd, pid)).isFalse();
    }

    @Test
    void aScheduleSystemdCannotSayIsRunByStopWithItsThreadDump(SystemdSandbox systemd) throws IOException {
        install(systemd, "TERM/1/INT/1/KILL/1");
        long pid = Long.parseLong(systemd.property(UNIT, "MainPID"));
        String cursor = systemd.journalCursor();

        SystemdSandbox.Result stop = systemd.systemctl("stop", UNIT);

        assertThat(stop.exit()).as(stop.toString()).isZero();
        assertThat(signals(systemd)).as("the signals the program got").containsExactly("TERM", "INT");
        systemd.awaitJournal(cursor, "Full thread dump", "stopped (pid " + pid + "), ended by SIGKILL");
        assertThat(Deployment.isAlive(systemd, pid)).isFalse();
    }
}
