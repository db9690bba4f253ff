// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The deployment files in {@code runner-examples/deploy/} and the places they expect: the units are installed into
 * a {@link SystemdSandbox} verbatim, with the built jar at {@code /opt/sample-daemon/sample-daemon.jar}. What a
 * test changes, it changes with a drop-in, as an operator would.
 */
final class Deployment {
    /** The directory of the shipped files. */
    static final Path DIR = Path.of(System.getProperty("basedir", "")).toAbsolutePath().resolve("deploy");
    /** The built sample jar (failsafe sets {@code sample.jar}). */
    static final Path JAR = Path.of(System.getProperty("sample.jar", "target/sample-daemon.jar")).toAbsolutePath();
    static final String NOTIFY = "sample-daemon-notify.service";
    static final String FORKING = "sample-daemon-forking.service";
    static final String SIMPLE = "sample-daemon-simple.service";
    static final List<String> UNITS = List.of(NOTIFY, FORKING, SIMPLE);
    /** The unit systemd's sysv generator makes of the init script. */
    static final String INIT_SCRIPT_UNIT = "sample-daemon.service";
    /** Where every unit expects the jar. */
    static final String INSTALLED_JAR = "/opt/sample-daemon/sample-daemon.jar";
    /** The pidfile of every unit, and of the init script with its default settings. */
    static final String PIDFILE = "/run/sample-daemon/sample.pid";
    /** The data file the notify, simple and forking units give the sample daemon. */
    static final String DATA = "/var/lib/sample-daemon/sample.data";

    private Deployment() {
    }

    /** Installs the built jar where the units expect it; skips the test when there is no {@code /usr/bin/java}. */
    static void installJar(SystemdSandbox systemd) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/java")),
                "the shipped units run /usr/bin/java, which this machine does not have");
        systemd.install(JAR, INSTALLED_JAR, "rw-r--r--");
    }

    /** Installs the shipped {@code unit} in {@code /etc/systemd/system}, unchanged (then: daemon-reload). */
    static void installUnit(SystemdSandbox systemd, String unit) throws IOException {
        systemd.install(DIR.resolve(unit), "/etc/systemd/system/" + unit, "rw-r--r--");
    }

    /** Installs the shipped LSB init script as {@code /etc/init.d/sample-daemon} (then: daemon-reload). */
    static void installInitScript(SystemdSandbox systemd) throws IOException {
        systemd.install(DIR.resolve("sample-daemon.init"), "/etc/init.d/sample-daemon", "rwxr-xr-x");
    }

    /** Writes the drop-in {@code /etc/systemd/system/UNIT.d/NAME.conf} with {@code lines} in [Service]. */
    static void dropIn(SystemdSandbox systemd, String unit, String name, String... lines) throws IOException {
        systemd.write("/etc/systemd/system/" + unit + ".d/" + name + ".conf",
                "[Service]\n" + String.join("\n", lines) + "\n");
    }

    /**
     * Returns the drop-in lines that replace {@code unit}'s {@code ExecStart=} with the shipped one plus
     * {@code options}: the sample daemon's own knobs, such as {@code --init-delay 2}.
     */
    static String execStartWith(String unit, String... options) throws IOException {
        return "ExecStart=\nExecStart=" + setting(unit, "ExecStart") + " " + String.join(" ", options);
    }

    /**
     * Returns the drop-in lines that make {@code unit} run {@code HttpService} from the same jar, with the same
     * pidfile (so the unit's {@code PIDFile=}, {@code ExecStop=} and {@code ExecReload=} apply unchanged), for
     * {@code action} ({@code run} or {@code start}) and {@code options}.
     */
    static String httpServiceExecStart(String action, String... options) {
        String command = "/usr/bin/java -cp " + INSTALLED_JAR + " org.daemonrunner.examples.HttpService " + action
                + " --dir /run/sample-daemon --pidfile " + PIDFILE
                + (action.equals("start")
                        ? " --stdout /var/log/sample-daemon/http.out --stderr /var/log/sample-daemon/http.err" : "");
        return "ExecStart=\nExecStart=" + command + " " + String.join(" ", options);
    }

    /**
     * Makes the sandbox's systemd listen on 127.0.0.1:{@code port} (a socket unit, {@code port-PORT.socket}), so
     * that a service that binds it finds it busy.
     */
    static void occupyPort(SystemdSandbox systemd, int port) throws IOException {
        String unit = "port-" + port;
        systemd.write("/etc/systemd/system/" + unit + ".socket", "[Socket]\nListenStream=127.0.0.1:" + port + "\n");
        systemd.write("/etc/systemd/system/" + unit + ".service", "[Service]\nExecStart=/bin/true\n");
        systemd.daemonReload();
        SystemdSandbox.Result listen = systemd.systemctl("start", unit + ".socket");
        if (listen.exit() != 0) {
            throw new AssertionError("cannot occupy port " + port + ": " + listen);
        }
    }

    /** Returns the value of {@code key=} in the shipped {@code unit}, its continuation lines joined. */
    static String setting(String unit, String key) throws IOException {
        String text = Files.readString(DIR.resolve(unit)).replaceAll("\\\\\n\\s*", "");
        return text.lines().filter(line -> line.startsWith(key + "=")).findFirst()
                .map(line -> line.substring(key.length() + 1).strip())
                .orElseThrow(() -> new AssertionError(unit + " has no " + key + "="));
    }

    /** Returns the pid in the sandbox's {@link #PIDFILE} (its first line), or 0 when there is none yet. */
    static long pidfilePid(SystemdSandbox systemd) throws IOException {
        try {
            List<String> lines = Files.readAllLines(systemd.path(PIDFILE));
            return lines.isEmpty() || lines.get(0).isBlank() ? 0 : Long.parseLong(lines.get(0).strip());
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    /** Returns the sandbox's data file, or "" when there is none yet. */
    static String data(SystemdSandbox systemd) throws IOException {
        try {
            return Files.readString(systemd.path(DATA));
        } catch (NoSuchFileException e) {
            return "";
        }
    }

    /** Whether process {@code pid} of the sandbox is alive: its {@code /proc} entry, not a zombie. */
    static boolean isAlive(SystemdSandbox systemd, long pid) throws IOException {
        try {
            String stat = Files.readString(systemd.path("/proc/" + pid + "/stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Answers {@code GET path} on 127.0.0.1:{@code port} inside the sandbox (bash's /dev/tcp): status line, body. */
    static String httpGet(SystemdSandbox systemd, int port, String path) throws IOException {
        SystemdSandbox.Result get = systemd.exec("bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port
                + " && printf 'GET " + path + " HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && cat <&3");
        String response = get.out().replace("\r\n", "\n");
        int body = response.indexOf("\n\n");
        return body < 0 ? get.toString() : response.lines().findFirst().orElse("") + "\n" + response.substring(body + 2);
    }
}
