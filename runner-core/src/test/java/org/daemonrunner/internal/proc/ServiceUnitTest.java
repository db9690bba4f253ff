// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ServiceUnitTest {
    @Test
    void theUnifiedHierarchyGivesTheServicesCgroup() {
        assertThat(ServiceUnit.path("0::/system.slice/app.service\n")).hasValue("/system.slice/app.service");
        assertThat(ServiceUnit.unit("/system.slice/app.service"))
                .hasValue(new ServiceUnit.Unit("app.service", "/system.slice/app.service"));
    }

    @Test
    void underCgroupV1TheSystemdHierarchyIsTheOneThatNamesTheUnit() {
        String text = "12:cpu,cpuacct:/\n11:memory:/system.slice/app.service\n1:name=systemd:/system.slice/app.service\n"
                + "0::/\n";
        assertThat(ServiceUnit.path(text)).hasValue("/system.slice/app.service");
        assertThat(ServiceUnit.path("0::/init.scope\n1:name=systemd:/system.slice/b.service\n"))
                .as("a hybrid system that tracks units on v1").hasValue("/system.slice/b.service");
        assertThat(ServiceUnit.path("9:name=systemd:/\n0::/system.slice/c.service\n"))
                .as("a hybrid system that tracks units on v2").hasValue("/system.slice/c.service");
        assertThat(ServiceUnit.path("9:name=systemd:/\n0::/..\n")).as("no service on either").hasValue("/");
    }

    @Test
    void aSubCgroupOfAServiceBelongsToIt() {
        assertThat(ServiceUnit.unit("/system.slice/app.service/payload").map(ServiceUnit.Unit::name))
                .hasValue("app.service");
    }

    @Test
    void aSessionScopeOrTheRootIsNoService() {
        assertThat(ServiceUnit.unit("/user.slice/user-0.slice/session-3.scope")).isEmpty();
        assertThat(ServiceUnit.unit("/")).isEmpty();
        assertThat(ServiceUnit.unit("/system.slice/.service")).isEmpty();
        assertThat(ServiceUnit.path("")).isEmpty();
        assertThat(ServiceUnit.path("garbage\n")).isEmpty();
    }

    @Test
    void thisProcessIsNeverAnotherServicesMainProcess() {
        assertThat(ServiceUnit.mainProcessOfAnother(ProcessHandle.current().pid())).isEmpty();
    }
}
