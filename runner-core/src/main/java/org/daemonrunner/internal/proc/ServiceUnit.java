// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The systemd service a process runs in, told from its control group ({@code /proc/PID/cgroup}): a process that
 * systemd started for a {@code .service} unit, and everything it started, lives in that unit's cgroup (its last
 * component, {@code /system.slice/app.service}); a process started by hand lives in a session's scope.
 * Read only for a {@code restart}, which must not move a service's daemon out of its unit.
 */
public final class ServiceUnit {
    private ServiceUnit() {
    }

    /**
     * The system service whose main process {@code pid} is, when the calling process does not run in that service:
     * the unit's name and cgroup ({@code app.service} in {@code /system.slice/app.service}). Empty when {@code pid} is
     * not in a service's cgroup, when both run in the same one, when systemd does not count {@code pid} as the
     * unit's main process (a process that a service such as cron or a CI agent started by hand is in that service's
     * cgroup too), for a user's service ({@code user@UID.service}, whose manager root cannot ask), and when any of
     * it cannot be read. It asks systemd ({@code systemctl show}) only when the cgroups have named a service.
     */
    public static Optional<Unit> mainProcessOfAnother(long pid) {
        Optional<String> theirs = cgroup(Path.of("/proc/" + pid + "/cgroup"));
        Optional<String> ours = cgroup(Path.of("/proc/self/cgroup"));
        if (theirs.isEmpty() || ours.isEmpty() || theirs.get().equals(ours.get()) || theirs.get().contains("/user@")) {
            return Optional.empty();
        }
        Optional<Unit> unit = unit(theirs.get());
        if (unit.isEmpty() || unit.get().name().startsWith("-")) {
            return Optional.empty();
        }
        try {
            Command.Result main = Command.run(Command.tool("systemctl"), "show", "--property=MainPID", "--value",
                    unit.get().name());
            return main.exit() == 0 && main.output().equals(Long.toString(pid)) ? unit : Optional.empty();
        } catch (IOException e) {
            return Optional.empty(); // no systemctl, or no systemd to answer: nothing to protect
        }
    }

    /** A service unit and the cgroup it was told from. */
    public record Unit(String name, String cgroup) {
    }

    /**
     * The service whose cgroup {@code cgroup} is, or is under (a unit may put its processes in sub-cgroups of its
     * own, {@code app.service/payload}): the innermost {@code .service} component.
     */
    static Optional<Unit> unit(String cgroup) {
        String[] names = cgroup.split("/");
        for (int i = names.length - 1; i >= 0; i--) {
            if (names[i].endsWith(".service") && names[i].length() > ".service".length()) {
                return Optional.of(new Unit(names[i], cgroup));
            }
        }
        return Optional.empty();
    }

    /**
     * The systemd cgroup path in the text of a {@code /proc/PID/cgroup} file: the unified hierarchy's
     * ({@code 0::/system.slice/app.service}), or, when that names no service, the cgroup v1 {@code name=systemd}
     * hierarchy's (a systemd that runs on cgroup v1 or in hybrid mode may track its units in either).
     */
    static Optional<String> path(String text) {
        String unified = null;
        String named = null;
        for (String line : text.split("\n")) {
            int first = line.indexOf(':');
            int second = first < 0 ? -1 : line.indexOf(':', first + 1);
            if (second < 0) {
                continue;
            }
            String controllers = line.substring(first + 1, second);
            if (controllers.equals("name=systemd")) {
                named = line.substring(second + 1);
            } else if (line.substring(0, first).equals("0") && controllers.isEmpty()) {
                unified = line.substring(second + 1);
            }
        }
        if (unified != null && (named == null || unit(unified).isPresent())) {
            return Optional.of(unified);
        }
        return Optional.ofNullable(named);
    }

    private static Optional<String> cgroup(Path file) {
        try {
            return path(new String(Files.readAllBytes(file), StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            return Optional.empty();
        }
    }
}
