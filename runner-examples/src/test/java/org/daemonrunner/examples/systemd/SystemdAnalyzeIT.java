// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code systemd-analyze verify} on every unit we ship, installed where an operator installs them (so it also
 * checks that the jar is where they expect it), and on the unit systemd generates from the init script.
 */
@EnabledOnOs(OS.LINUX)
@ExtendWith(SystemdExtension.class)
@Timeout(60)
class SystemdAnalyzeIT {

    @Test
    void everyShippedUnitPassesSystemdAnalyzeVerify(SystemdSandbox systemd) throws IOException {
        Deployment.installJar(systemd);
        for (String unit : Deployment.UNITS) {
            Deployment.installUnit(systemd, unit);
        }
        Deployment.installInitScript(systemd);
        systemd.daemonReload();
        List<String> command = new ArrayList<>(List.of("systemd-analyze", "verify", "--man=no"));
        for (String unit : Deployment.UNITS) {
            command.add("/etc/systemd/system/" + unit);
        }
        command.add(systemd.property(Deployment.INIT_SCRIPT_UNIT, "FragmentPath"));

        SystemdSandbox.Result verify = systemd.exec(command.toArray(String[]::new));

        assertThat(command).last().asString().endsWith("/" + Deployment.INIT_SCRIPT_UNIT);
        assertThat(verify.exit()).as(verify.toString()).isZero();
        assertThat(verify.out() + verify.err()).as(verify.toString()).doesNotContain("sample-daemon");
    }
}
