// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Await.await;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.daemonrunner.internal.proc.UserAccount;
import org.daemonrunner.it.Command;
import org.daemonrunner.it.Daemons;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** The {@link HttpService} example as a real daemon: it serves, reloads its config, fails on a busy port, stops. */
@EnabledOnOs(OS.LINUX)
@Timeout(60)
class HttpServiceIT {
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration DEADLINE = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    Daemons daemons;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void setUp() {
        daemons = new Daemons(dir);
    }

    @AfterEach
    void killEverythingStarted() throws IOException {
        daemons.close();
    }

    private static List<String> service(String classPath, Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of(Daemons.JAVA, "-cp", classPath, HttpService.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("--dir", dir.toString()));
        return command;
    }

    /** Runs the service with {@code args}, its files in {@code home}. */
    private Command.Result serviceRun(Path home, String... args) {
        return daemons.run(service(System.getProperty("java.class.path"), home, args));
    }

    private long startService(Path home, int port) {
        Command.Result start = serviceRun(home, "start", "--port", Integer.toString(port));
        assertExit(start, 0);
        return start.startedPid();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 50, LOOPBACK)) {
            return socket.getLocalPort();
        }
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket(port, 50, LOOPBACK)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** GETs {@code path}; a connection refused or reset counts as no answer (null). */
    private HttpResponse<String> get(int port, String path) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(2)).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code GET path} answers 200 with {@code body}. */
    private void awaitAnswer(int port, String path, String body) {
        await("GET http://127.0.0.1:" + port + path + " to answer 200 '" + body + "'", DEADLINE, () -> {
            HttpResponse<String> response = get(port, path);
            return response != null && response.statusCode() == 200 && response.body().equals(body);
        });
    }

    @Test
    void startServesHealthAndTheGreetingAndStopFreesThePort() throws IOException {
        int port = freePort();
        long pid = startService(dir, port);
        assertThat(Files.readAllLines(dir.resolve("http-service.pid"))).first().isEqualTo(Long.toString(pid));
        assertThat(Files.readString(dir.resolve("http-service.properties"))).contains("greeting=hello");

        awaitAnswer(port, "/health", "ok");
        HttpResponse<String> root = get(port, "/");
        assertThat(root.statusCode()).isEqualTo(200);
        assertThat(root.body()).isEqualTo("hello");
        assertThat(root.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(get(port, "/missing").statusCode()).isEqualTo(404);
        assertThat(canBind(port)).as("port %d is held by the service", port).isFalse();

        Command.Result stop = serviceRun(dir, "stop");
        assertExit(stop, 0);
        assertThat(stop.out()).contains("stopped (pid " + pid + ")");
        assertThat(isGone(pid)).as("service %d gone when stop returned", pid).isTrue();
        assertThat(canBind(port)).as("port %d free again after stop", port).isTrue();
        assertThat(dir.resolve("http-service.pid")).doesNotExist();
        assertThat(Files.readString(dir.resolve("http-service.out"))).contains("serving http://127.0.0.1:" + port,
                "http service " + pid + " stopped"); // run() returned after stop()
        assertExit(serviceRun(dir, "status"), 3);
    }

    @Test
    void runServesInTheForegroundAndSigtermStopsItGracefully() throws Exception {
        int port = freePort();
        Command.Running run = daemons.spawn(dir, service(System.getProperty("java.class.path"), dir, "run", "--port",
                Integer.toString(port)), dir.resolve("run.out"), dir.resolve("run.err"));
        awaitAnswer(port, "/health", "ok");
        assertThat(serviceRun(dir, "status").out()).contains("running with pid " + run.pid());
        run.destroy(); // SIGTERM, as systemd sends it
        assertExit(run.finish(Duration.ofSeconds(20)), 0); // exited within 20 s of SIGTERM, with status 0
        assertThat(Files.readString(dir.resolve("run.out"))).contains("http service " + run.pid() + " stopped");
        assertThat(canBind(port)).as("port %d free again", port).isTrue();
    }

    @Test
    void reloadAfterTheConfigChangesMakesTheNewGreetingAnswerWithoutARestart() throws IOException {
        int port = freePort();
        long pid = startService(dir, port);
        awaitAnswer(port, "/", "hello");

        Files.writeString(dir.resolve("http-service.properties"), "greeting=bonjour \\u00e0 tous\n");
        Command.Result reload = serviceRun(dir, "reload");
        assertExit(reload, 0);
        assertThat(reload.out()).contains("SIGHUP sent to pid " + pid);
        awaitAnswer(port, "/", "bonjour \u00e0 tous");

        Command.Result status = serviceRun(dir, "status");
        assertExit(status, 0);
        assertThat(status.out()).contains("running with pid " + pid);
        assertThat(isGone(pid)).isFalse();
        assertThat(Files.readString(dir.resolve("http-service.out"))).contains("reloaded ");

        Files.writeString(dir.resolve("http-service.properties"), "greeting=\\uZZZZ\n"); // a malformed escape
        assertExit(serviceRun(dir, "reload"), 0);
        await("the failed reload in the stderr log", DEADLINE,
                () -> Daemons.readOrEmpty(dir.resolve("http-service.err")).contains("Cannot reload"));
        assertThat(Files.readString(dir.resolve("http-service.err")))
                .contains("still answering 'bonjour \u00e0 tous'");
        awaitAnswer(port, "/", "bonjour \u00e0 tous");
        assertThat(isGone(pid)).isFalse();
    }

    @Test
    void aSecondInstanceOnTheSamePortFailsStartWithExit1NamingThePort() throws IOException {
        int port = freePort();
        Path first = Files.createDirectories(dir.resolve("first"));
        Path second = Files.createDirectories(dir.resolve("second"));
        long pid = startService(first, port);

        Command.Result busy = serviceRun(second, "start", "--port", Integer.toString(port));
        assertExit(busy, 1);
        assertThat(busy.err()).contains("Cannot listen on 127.0.0.1:" + port, "already in use", "--port");
        assertThat(busy.out()).doesNotContain("started with pid");
        assertExit(serviceRun(second, "status"), 3, "second instance not running");

        awaitAnswer(port, "/health", "ok");
        assertThat(serviceRun(first, "status").out()).contains("running with pid " + pid);
    }

    @Test
    void aPortHeldByAnotherProgramFailsStartTheSameWay() throws IOException {
        try (ServerSocket held = new ServerSocket(0, 50, LOOPBACK)) {
            Command.Result busy = serviceRun(dir, "start", "--port", Integer.toString(held.getLocalPort()));
            assertExit(busy, 1);
            assertThat(busy.err()).contains("Cannot listen on 127.0.0.1:" + held.getLocalPort(), "already in use");
        }
    }

    @Test
    void asRootItBindsALowPortInInitAndServesAsTheUser() throws IOException {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "needs root to bind a port below 1024 (CI runs as root)");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "needs setpriv (util-linux)");
        int port = freeLowPort();
        String classPath = classPathForNobody();
        Command.Result start = daemons.run(service(classPath, dir, "start", "--user", "nobody", "--port",
                Integer.toString(port)));
        assertExit(start, 0);
        long pid = start.startedPid();

        awaitAnswer(port, "/health", "ok");
        assertThat(uids(pid)).as("real, effective, saved and fs uid of %d", pid).isEqualTo("65534\t65534\t65534\t65534");
        assertThat(Files.getOwner(dir.resolve("http-service.properties")).getName()).as("created in init(), as root")
                .isEqualTo("root");
        Files.writeString(dir.resolve("http-service.properties"), "greeting=hi from nobody\n");
        assertExit(daemons.run(service(classPath, dir, "reload")), 0);
        awaitAnswer(port, "/", "hi from nobody"); // reload() read the file as nobody

        Command.Result stop = daemons.run(service(classPath, dir, "stop"));
        assertExit(stop, 0);
        assertThat(isGone(pid)).isTrue();
        assertThat(canBind(port)).as("port %d free again after stop", port).isTrue();
    }

    private static String uids(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("Uid:"))
                .findFirst().orElseThrow().substring("Uid:".length()).trim();
    }

    /** Port 80 if it is free, else the first free port above it and below 1024. */
    private static int freeLowPort() {
        for (int port = 80; port < 1024; port++) {
            if (canBind(port)) {
                return port;
            }
        }
        Assumptions.abort("no free port below 1024");
        return -1;
    }

    private String classPathForNobody() throws IOException {
        return Daemons.classPathForNobody(dir);
    }
}
