// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.spi.ToolProvider;

/**
 * Shorthands for the tests of {@code daemonrunner.jar}: where it is (the system property {@code wrapper.jar}, set
 * by failsafe, else {@code target/daemonrunner.jar}), its command lines, free ports and connections. Public, in the
 * test-jar, for runner-examples' Spring Boot tests too.
 */
public final class Wrapped {
    private Wrapped() {
    }

    /** daemonrunner.jar, absolute; the test fails when it has not been built. */
    public static Path jar() {
        Path jar = Path.of(System.getProperty("wrapper.jar", "target/daemonrunner.jar")).toAbsolutePath();
        assertThat(jar).as("daemonrunner.jar (built by mvn package)").isRegularFile();
        return jar;
    }

    /** {@code java -jar daemonrunner.jar ARGS...}. */
    public static List<String> wrapper(String... args) {
        List<String> command = new ArrayList<>(List.of(Daemons.JAVA, "-jar", jar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * Compiles the plain program ({@code PlainHttpMain}, a test resource that uses nothing of daemonrunner's: a JDK
     * {@code HttpServer}) and jars it as {@code DIR/plain.jar}, with its {@code Main-Class}.
     */
    public static Path plainJar(Path dir) throws IOException {
        Path source = dir.resolve("PlainHttpMain.java");
        try (InputStream in = Wrapped.class.getResourceAsStream("/plain/PlainHttpMain.java")) {
            Files.copy(in, source, StandardCopyOption.REPLACE_EXISTING);
        }
        Path classes = Files.createDirectories(dir.resolve("plain-classes"));
        tool("javac", "--release", "17", "-d", classes.toString(), source.toString());
        Path jar = dir.resolve("plain.jar");
        tool("jar", "--create", "--file", jar.toString(), "--main-class", "PlainHttpMain", "-C", classes.toString(), ".");
        return jar;
    }

    /** Runs a JDK tool ({@code javac}, {@code jar}) in this JVM; fails the test when it fails. */
    public static void tool(String name, String... args) {
        int status = ToolProvider.findFirst(name).orElseThrow().run(System.out, System.err, args);
        assertThat(status).as("%s %s", name, String.join(" ", args)).isZero();
    }

    /** A TCP port nobody listens on right now. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Whether a connection to {@code port} on the loopback address is accepted at once. */
    public static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends {@code GET PATH} to the loopback address's {@code port} and reads the answer to its end. */
    public static String get(int port, String path) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** The pid a {@code start} printed; fails the test when it printed none. */
    public static long pid(Command.Result start) {
        return start.startedPid();
    }

    /** Writes a {@code --config} file: the lines as given. */
    public static Path config(Path file, String... lines) throws IOException {
        return Files.write(file, List.of(lines));
    }
}
