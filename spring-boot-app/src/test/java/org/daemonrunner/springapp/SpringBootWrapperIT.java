// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.springapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;
import static org.daemonrunner.it.Wrapped.accepts;
import static org.daemonrunner.it.Wrapped.wrapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.daemonrunner.it.Command;
import org.daemonrunner.it.Daemons;
import org.daemonrunner.it.Wrapped;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spring Boot 3.5 web application, as {@code spring-boot-maven-plugin} packages it (nested jars, Spring's
 * {@code JarLauncher}), daemonized by {@code daemonrunner.jar --ready port:N} without a line of daemonrunner in it.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(120)
class SpringBootWrapperIT {
    private static final Path APP_JAR = Path.of(System.getProperty("app.jar", "target/spring-boot-app.jar"));

    @TempDir
    Path dir;
    Daemons daemons;
    int port;
    Path pidfile;
    Path marker;

    @BeforeEach
    void setUp() throws IOException {
        assertThat(APP_JAR).as("the repackaged Spring Boot jar (mvn package)").isRegularFile();
        daemons = new Daemons(dir);
        port = Wrapped.freePort();
        pidfile = dir.resolve("greeting.pid");
        marker = dir.resolve("closed.marker");
    }

    @AfterEach
    void killEverythingStarted() throws IOException {
        daemons.close();
    }

    private Command.Result wrapped(String... action) {
        List<String> args = new ArrayList<>(List.of("--pidfile", pidfile.toString(), "--ready", "port:" + port,
                "--start-timeout", "90s", "--stop-timeout", "30s"));
        args.addAll(List.of(action));
        args.addAll(List.of("--", "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-jar", APP_JAR.toString(),
                "--server.port=" + port, "--server.address=127.0.0.1", "--marker.file=" + marker));
        return daemons.run(wrapper(args.toArray(String[]::new)));
    }

    @Test
    void startReturnsWhenTheAppAnswersAndStopIsSpringsGracefulShutdown() throws IOException {
        long pid = assertExit(wrapped("start"), 0).startedPid();
        assertThat(get(port)).as("GET / right after start returned").isEqualTo("hello from spring\n");

        String json = assertExit(wrapped("status", "--json"), 0).out();
        assertThat(json).contains("\"status\":\"running\"", "\"pid\":" + pid, "\"state\":\"ready\"");

        long second = assertExit(wrapped("restart"), 0).startedPid();
        assertThat(second).isNotEqualTo(pid);
        assertThat(isGone(pid)).isTrue();
        assertThat(Files.readString(marker)).contains("closed");
        Files.delete(marker);
        assertThat(get(port)).as("GET / right after restart returned").isEqualTo("hello from spring\n");

        assertThat(assertExit(wrapped("stop"), 0).out()).contains("stopped (pid " + second + ")");
        assertThat(isGone(second)).isTrue();
        assertThat(Files.readString(marker)).as("the context was closed on SIGTERM").contains("closed");
        assertThat(Files.readString(dir.resolve("greeting.out"))).as("Spring's own log (stdout)")
                .contains("Commencing graceful shutdown", "Graceful shutdown complete");
        assertThat(accepts(port)).as("port %d is free", port).isFalse();
        assertExit(wrapped("status"), 3);
    }

    @Test
    void aBusyPortFailsStartWithSpringsRootCause() throws IOException {
        try (ServerSocket busy = new ServerSocket()) {
            busy.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            Command.Result start = assertExit(wrapped("start"), 1);
            // the exception out of main is caught before Spring Boot's own main-thread handler
            // (SpringBootExceptionHandler), which swallows a failure it has reported, can see it
            assertThat(start.err()).contains("exited with status 1 before it was ready",
                    "caused by: org.springframework.boot.web.server.PortInUseException: Port " + port
                            + " is already in use", "root cause: java.net.BindException: Address already in use");
        }
        assertThat(pidfile).doesNotExist();
    }

    private static String get(int port) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/").toURL()
                .openConnection();
        connection.setConnectTimeout(5000);
        connection.setReadTimeout(30000);
        try (InputStream in = connection.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            connection.disconnect();
        }
    }
}
