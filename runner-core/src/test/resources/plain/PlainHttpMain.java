// SPDX-License-Identifier: Apache-2.0


import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * A plain program that uses nothing of daemonrunner's, as a team has it before wrapping it: a JDK
 * {@code HttpServer} on {@code PORT} that answers {@code hello}, whose shutdown hook writes {@code MARKER}.
 * {@code main} returns once the server listens, its shutdown hook already registered. With {@code fail} it throws before listening.
 *
 * With {@code block}, {@code main} never returns once it listens (as a server that joins its threads). With a third
 * argument other than these, it writes that file once it listens (a ready marker).
 *
 * <p>It ends itself on a request, as programs do: {@code GET /exit} answers, then calls {@code System.exit(3)} in a
 * thread named {@code exit}, and {@code GET /exit-quietly} the same with {@code System.exit(4)} after it closed
 * {@code System.err}; {@code GET /exit-slowly} the same with {@code System.exit(5)}, after it added a shutdown hook
 * that says {@code slow hook: waiting} on standard error and then waits (a minute at most) for the file
 * {@code MARKER.release} to exist, as a program whose hook drains its work; {@code GET /own-stderr} replaces
 * {@code System.err} with a stream to {@code MARKER.stderr}; {@code GET /quit} answers, then stops the
 * server, whose thread was the last non-daemon one once {@code main} returned.
 *
 * With {@code exit} it calls {@code System.exit(6)} before listening; with {@code return}, {@code main} returns
 * before listening, leaving no thread; with {@code throw-on-request}, {@code main} waits, once listening, for
 * {@code GET /throw}, then stops the server and throws.
 *
 * With {@code fail}, {@code main} throws before listening; with {@code fail-with-a-thread}, the same after it
 * started a non-daemon thread that sleeps for ever.
 *
 * <p>Usage: {@code java -jar plain.jar PORT MARKER [fail|fail-with-a-thread|exit|return|throw-on-request|block|
 * READY_FILE]}
 */
public final class PlainHttpMain {
    private PlainHttpMain() {
    }

    public static void main(String[] args) throws IOException {
        int port = Integer.parseInt(args[0]);
        Path marker = Path.of(args[1]);
        if (args.length > 2 && args[2].equals("exit")) {
            System.exit(6); // as a program that gives up before it serves
        }
        if (args.length > 2 && args[2].equals("return")) {
            return; // as a program that never starts serving, and has no thread left
        }
        if (args.length > 2 && args[2].startsWith("fail")) {
            if (args[2].equals("fail-with-a-thread")) { // a thread it started first keeps the JVM up
                Thread worker = new Thread(() -> {
                    try {
                        Thread.sleep(Long.MAX_VALUE);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "worker");
                worker.start();
            }
            throw new IllegalStateException("cannot serve", new IOException("the config file /etc/plain.conf is missing"));
        }
        // the hook first: HttpServer.create already listens, and --ready port:N counts from then
        AtomicReference<HttpServer> serving = new AtomicReference<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            HttpServer server = serving.get();
            if (server != null) {
                server.stop(0);
            }
            try {
                Files.writeString(marker, "shutdown hook ran\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }));
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", exchange -> {
            byte[] body = "hello\n".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/exit", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            // not on the server's own thread: the shutdown hook's server.stop waits for that thread to end
            new Thread(() -> System.exit(3), "exit").start();
        });
        server.createContext("/exit-quietly", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            System.err.close(); // as a program that closes its standard error before it exits
            new Thread(() -> System.exit(4), "exit").start();
        });
        server.createContext("/exit-slowly", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            Path release = Path.of(marker + ".release");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.err.println("slow hook: waiting for " + release);
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                while (!Files.exists(release) && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            }, "slow-hook"));
            new Thread(() -> System.exit(5), "exit").start();
        });
        java.util.concurrent.CountDownLatch thrown = new java.util.concurrent.CountDownLatch(1);
        server.createContext("/throw", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            thrown.countDown();
        });
        server.createContext("/own-stderr", exchange -> {
            // as a logging set-up that replaces System.err with a stream of its own
            System.setErr(new java.io.PrintStream(Files.newOutputStream(Path.of(marker + ".stderr")), true));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/quit", exchange -> {
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
            new Thread(() -> server.stop(0), "quit").start(); // stop waits for this handler's thread to end
        });
        serving.set(server);
        server.start();
        System.out.println("listening on " + port);
        if (args.length > 2 && args[2].equals("throw-on-request")) {
            try {
                thrown.await(); // GET /throw
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            new Thread(() -> server.stop(0), "quit").start(); // stop waits for the handler's thread to end
            throw new IllegalStateException("the cache went away", new IOException("/var/cache/plain is gone"));
        }
        if (args.length > 2 && args[2].equals("block")) {
            try {
                Thread.currentThread().join(); // until the JVM ends
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else if (args.length > 2) {
            Files.writeString(Path.of(args[2]), "ready\n");
        }
    }
}
