// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class ReadinessTest {
    @Test
    void parsesEachConditionAndRefusesOthersSayingWhatIsAccepted() {
        assertThat(Readiness.parse("main-returned", Path.of("/srv")).kind()).isEqualTo("main-returned");
        assertThat(Readiness.parse("port:8080", Path.of("/srv")).port()).isEqualTo(8080);
        assertThat(Readiness.parse("file:run/ready", Path.of("/srv")).file()).isEqualTo(Path.of("/srv/run/ready"));
        assertThat(Readiness.parse("file:run/ready", Path.of("/srv"))).hasToString("file:/srv/run/ready");
        for (String bad : new String[] {"port:0", "port:65536", "port:http", "file:", "ready"}) {
            assertThatThrownBy(() -> Readiness.parse(bad, Path.of("/"))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + bad + "'").hasMessageContaining("main-returned, port:N");
        }
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void aPortIsListeningOnlyWhileThisProcessHoldsAListeningSocketOnIt() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
            assertThat(Readiness.isListening(port)).isTrue();
        }
        assertThat(Readiness.isListening(port)).isFalse();
    }
}
