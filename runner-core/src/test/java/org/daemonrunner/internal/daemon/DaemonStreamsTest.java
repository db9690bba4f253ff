// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.net.BindException;
import org.junit.jupiter.api.Test;

/** The one line that names a failure: the exception, the causes between, the root cause. */
class DaemonStreamsTest {
    @Test
    void namesTheCausesBetweenTheExceptionAndItsRootCauseLookingThroughReflection() {
        BindException bind = new BindException("Address already in use");
        IllegalStateException portInUse = new IllegalStateException("Port 8080 is already in use", bind);
        RuntimeException context = new RuntimeException("Failed to start bean 'webServerStartStop'", portInUse);
        assertThat(DaemonStreams.describe(new InvocationTargetException(context))).isEqualTo(
                "java.lang.RuntimeException: Failed to start bean 'webServerStartStop'; caused by:"
                        + " java.lang.IllegalStateException: Port 8080 is already in use; root cause:"
                        + " java.net.BindException: Address already in use");
    }

    @Test
    void aCauseWhoseTextItsWrapperAlreadyHoldsIsNotRepeatedAndALoneExceptionIsItself() {
        IOException missing = new IOException("/etc/app.conf is missing");
        IllegalStateException wrapper = new IllegalStateException(missing); // message: the cause's toString
        RuntimeException outer = new RuntimeException("cannot start", wrapper);
        assertThat(DaemonStreams.describe(outer)).isEqualTo("java.lang.RuntimeException: cannot start; root cause:"
                + " java.io.IOException: /etc/app.conf is missing");
        assertThat(DaemonStreams.describe(missing)).isEqualTo("java.io.IOException: /etc/app.conf is missing");
    }

    @Test
    void aCycleOfCausesEnds() {
        RuntimeException a = new RuntimeException("a");
        RuntimeException b = new RuntimeException("b", a);
        a.initCause(b);
        assertThat(DaemonStreams.describe(a)).startsWith("java.lang.RuntimeException: a; caused by:")
                .contains("root cause:");
    }
}
