// SPDX-License-Identifier: Apache-2.0
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * A plain program for daemonrunner.jar to wrap: a JDK {@code HttpServer} on PORT (loopback) answering
 * {@code hello}; {@code main} returns once it listens. Knows nothing of daemonrunner. Its shutdown hook stops the
 * server, as a server's should: a JVM that exits with a thread blocked in native I/O (the dispatcher's select)
 * waits about 300 ms more (HotSpot, see FACTS.md), with or without a runner.
 *
 * <pre>java -cp DIR HttpApp PORT</pre>
 */
public class HttpApp {
    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                Integer.parseInt(args[0])), 0);
        server.createContext("/", exchange -> {
            byte[] body = "hello\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(0)));
        server.start();
    }
}
