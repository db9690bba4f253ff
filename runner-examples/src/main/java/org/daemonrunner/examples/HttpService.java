// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;
import org.daemonrunner.DaemonApp;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.DaemonRunner;
import org.daemonrunner.ExitStatus;

/**
 * A small HTTP service as a daemon, on the JDK's built-in {@link HttpServer}: {@code GET /health} answers
 * {@code ok}, and {@code GET /} answers the greeting from its configuration file.
 *
 * <pre>
 * java -cp sample-daemon.jar org.daemonrunner.examples.HttpService start|stop|restart|status|reload|...|systemd-unit
 *      [--dir DIR] [--pidfile FILE] [--stdout FILE] [--stderr FILE] [--port PORT] [--bind ADDRESS]
 *      [--config FILE] [--user NAME]
 * </pre>
 * It binds its port in {@code init()}, so {@code start} fails, naming the address, when the port is busy. The
 * configuration file is a properties file (default {@code DIR/http-service.properties}, created with
 * {@code greeting=hello} if missing); {@code reload} (SIGHUP) reads it again without a restart. With
 * {@code --user NAME}, started as root, {@code init()} runs as root (so it can bind a port below 1024) and the
 * service then runs, and serves, as that user. With no options its files are kept in {@code daemonrunner-http}
 * under the system temp directory, and {@code start} says where.
 */
public final class HttpService implements DaemonApp {
    /** The configuration key of the greeting {@code GET /} answers. */
    static final String GREETING_KEY = "greeting";
    /** The greeting of a new configuration file, and of one that does not set {@value #GREETING_KEY}. */
    static final String DEFAULT_GREETING = "hello";
    /** Seconds {@code stop()} gives the requests in progress to finish. */
    private static final int STOP_DELAY_SECONDS = 1;

    private final Path pidfile;
    private final Path stdout;
    private final Path stderr;
    private final Path config;
    private final String bind;
    private final int port;
    private final String user;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String greeting = DEFAULT_GREETING;
    private HttpServer server; // guarded by this
    private boolean stopping; // guarded by this

    HttpService(Path pidfile, Path stdout, Path stderr, Path config, String bind, int port, String user) {
        this.pidfile = pidfile;
        this.stdout = stdout;
        this.stderr = stderr;
        this.config = config;
        this.bind = bind;
        this.port = port;
        this.user = user;
    }

    /**
     * Parses the service's options, then hands the action to {@link DaemonRunner}.
     *
     * @param args the action, then the options (see the class description)
     */
    public static void main(String[] args) {
        System.exit(launch(args));
    }

    static int launch(String[] args) {
        Options options = new Options()
                .addOption(Option.builder().longOpt("dir").hasArg().argName("DIR")
                        .desc("directory for the files not given below (default: <tmp>/daemonrunner-http)").build())
                .addOption(Option.builder().longOpt("pidfile").hasArg().argName("FILE")
                        .desc("pidfile (default: DIR/http-service.pid)").build())
                .addOption(Option.builder().longOpt("stdout").hasArg().argName("FILE")
                        .desc("standard output log (default: DIR/http-service.out)").build())
                .addOption(Option.builder().longOpt("stderr").hasArg().argName("FILE")
                        .desc("standard error log (default: DIR/http-service.err)").build())
                .addOption(Option.builder().longOpt("config").hasArg().argName("FILE")
                        .desc("properties file with greeting=...; created if missing; read again on reload"
                                + " (default: DIR/http-service.properties)").build())
                .addOption(Option.builder().longOpt("port").hasArg().argName("PORT")
                        .desc("TCP port to listen on (default: 8080)").build())
                .addOption(Option.builder().longOpt("bind").hasArg().argName("ADDRESS")
                        .desc("address to listen on, 0.0.0.0 for all (default: 127.0.0.1)").build())
                .addOption(Option.builder().longOpt("user").hasArg().argName("NAME")
                        .desc("run as this user; started as root, init() binds the port as root first"
                                + " (default: the launcher's user)").build())
                .addOption(Option.builder("h").longOpt("help").desc("print this help").build());
        CommandLine line;
        int port;
        try {
            line = new DefaultParser().parse(DaemonRunner.withRunnerOptions(options), args);
            port = Integer.parseInt(line.getOptionValue("port", "8080"));
            if (port < 1 || port > 65535) {
                throw new ParseException("--port must be between 1 and 65535, not " + port);
            }
        } catch (ParseException e) {
            System.err.println(e.getMessage());
            printHelp(options);
            return ExitStatus.USAGE;
        } catch (NumberFormatException e) {
            System.err.println("--port must be a number between 1 and 65535");
            printHelp(options);
            return ExitStatus.USAGE;
        }
        if (line.hasOption("help")) {
            printHelp(options);
            return ExitStatus.OK;
        }
        Path base = DaemonRunner.launchDirectory();
        Path dir = base.resolve(line.getOptionValue("dir",
                Path.of(System.getProperty("java.io.tmpdir"), "daemonrunner-http").toString())).normalize();
        HttpService app = new HttpService(file(line, "pidfile", dir, "http-service.pid"),
                file(line, "stdout", dir, "http-service.out"), file(line, "stderr", dir, "http-service.err"),
                file(line, "config", dir, "http-service.properties"), line.getOptionValue("bind", "127.0.0.1"), port,
                line.getOptionValue("user"));
        String action = line.getArgs().length > 0 ? line.getArgs()[0] : "";
        if (!DaemonRunner.isDaemon() && (action.equals("start") || action.equals("restart"))) {
            if (!line.hasOption("dir") && !Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir);
                } catch (IOException e) {
                    System.err.println("Cannot create " + dir + ": " + e);
                    return ExitStatus.FAILURE;
                }
            }
            System.out.println("http service: " + app.url() + ", config " + app.config + ", pidfile " + app.pidfile
                    + ", logs " + app.stdout + " and " + app.stderr);
        }
        return new DaemonRunner(app).doAction(DaemonRunner.runnerArguments(line));
    }

    /** Returns option {@code name}'s file, or {@code DIR/fallback}, resolved against the launch directory. */
    private static Path file(CommandLine line, String name, Path dir, String fallback) {
        return DaemonRunner.launchDirectory().resolve(line.getOptionValue(name, dir.resolve(fallback).toString()))
                .normalize();
    }

    private static void printHelp(Options options) {
        Usage.print("java -cp sample-daemon.jar " + HttpService.class.getName(), options);
    }

    private String url() {
        return "http://" + (bind.contains(":") ? "[" + bind + "]" : bind) + ":" + port + "/";
    }

    /** Returns the standard output log: {@code --stdout}, default {@code DIR/http-service.out}. */
    @Override
    public Path stdoutPath() {
        return stdout;
    }

    /** Returns the standard error log: {@code --stderr}, default {@code DIR/http-service.err}. */
    @Override
    public Path stderrPath() {
        return stderr;
    }

    /** Returns the pidfile: {@code --pidfile}, default {@code DIR/http-service.pid}. */
    @Override
    public Path pidfilePath() {
        return pidfile;
    }

    /** Returns how long {@code start} waits for a stopping service to release the pidfile: 5 seconds. */
    @Override
    public Duration pidfileTimeout() {
        return Duration.ofSeconds(5);
    }

    /**
     * Returns the default context, or, with {@code --user NAME}, one that runs {@code init()} with the launcher's
     * privileges and the service as that user.
     */
    @Override
    public DaemonContext context() {
        if (user == null) {
            return DaemonContext.defaults();
        }
        return DaemonContext.builder().user(user).dropPrivilegesAfterInit(true).build();
    }

    /**
     * Reads the configuration file (creating it with {@code greeting=hello} if it is missing) and binds the port.
     *
     * @throws BindException when the port is busy, or needs privileges this process lacks, naming the address
     * @throws IOException when the configuration file cannot be created or read, naming it
     */
    @Override
    public void init() throws IOException {
        if (!Files.exists(config)) {
            try {
                Files.writeString(config, "# " + HttpService.class.getName() + ": GET / answers the greeting;"
                        + " 'reload' reads this file again.\n" + GREETING_KEY + "=" + DEFAULT_GREETING + "\n",
                        StandardCharsets.UTF_8);
                System.out.println("created " + config + " with " + GREETING_KEY + "=" + DEFAULT_GREETING);
            } catch (IOException e) {
                throw new IOException("Cannot create configuration file " + config + ": " + reason(e)
                        + ". Create it, or choose another one with --config", e);
            }
        }
        try {
            greeting = readGreeting();
        } catch (IOException e) {
            throw new IOException("Cannot read configuration file " + config + ": " + reason(e)
                    + ". Fix it, or choose another one with --config", e);
        }
        InetSocketAddress address = new InetSocketAddress(bind, port);
        if (address.isUnresolved()) {
            throw new BindException("Cannot listen on " + bind + ":" + port + ": unknown host '" + bind
                    + "'. Set --bind to an address of this host, such as 127.0.0.1 or 0.0.0.0");
        }
        HttpServer bound;
        try {
            bound = HttpServer.create(address, 0);
        } catch (BindException e) {
            throw bindFailure(e);
        }
        bound.createContext("/", this::handle);
        synchronized (this) {
            server = bound;
        }
        System.out.println("http service " + ProcessHandle.current().pid() + " bound " + url() + ", greeting '"
                + greeting + "' from " + config);
    }

    private BindException bindFailure(BindException e) {
        String reason = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        String where = "Cannot listen on " + bind + ":" + port;
        BindException failure;
        if (reason.contains("in use")) {
            failure = new BindException(where + ": the address is already in use (another process listens on port "
                    + port + "). Stop that process, or choose another port with --port");
        } else if (reason.contains("permission denied")) {
            failure = new BindException(where + ": permission denied (ports below 1024 need root). Start as root"
                    + " with --user NAME to serve as NAME, or choose a port of 1024 or above with --port");
        } else {
            failure = new BindException(where + ": " + e.getMessage() + ". Set --bind to an address of this host,"
                    + " or choose another port with --port");
        }
        failure.initCause(e);
        return failure;
    }

    /**
     * Serves requests on the port {@link #init()} bound, and returns once {@link #stop()} has been called. With
     * {@code --user}, the privileges are already dropped here, so no request is ever served as root.
     */
    @Override
    public void run() throws InterruptedException {
        synchronized (this) {
            if (stopping) {
                return;
            }
            server.start();
        }
        System.out.println("http service " + ProcessHandle.current().pid() + " serving " + url());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            synchronized (this) {
                if (!stopping) {
                    throw e;
                }
            } // the runner interrupts this thread right after stop(): that is the stop we were waiting for
        }
        System.out.println("http service " + ProcessHandle.current().pid() + " stopped");
    }

    /**
     * Reads the configuration file again, so {@code GET /} answers the new greeting; on SIGHUP, from
     * {@code reload}. If the file cannot be read the service keeps its greeting and says why on stderr.
     */
    @Override
    public void reload() {
        try {
            greeting = readGreeting();
            System.out.println("reloaded " + config + ": " + GREETING_KEY + "=" + greeting);
        } catch (IOException e) {
            System.err.println("Cannot reload " + config + ": " + reason(e) + "; still answering '" + greeting
                    + "'. Fix the file, then reload again.");
        }
    }

    /**
     * Stops listening, gives the requests in progress a second to finish, and lets {@link #run()} return; on
     * SIGTERM, from {@code stop}.
     */
    @Override
    public void stop() {
        HttpServer listening;
        synchronized (this) {
            stopping = true;
            listening = server;
        }
        if (listening != null) {
            listening.stop(STOP_DELAY_SECONDS);
        }
        stopped.countDown();
    }

    /** Reads the greeting from the configuration file; a file without one gets the default greeting. */
    private String readGreeting() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(config, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IllegalArgumentException e) { // a malformed Unicode escape
            throw new IOException(e.getMessage(), e);
        }
        return properties.getProperty(GREETING_KEY, DEFAULT_GREETING);
    }

    /** Says what went wrong with a file, for an operator: the OS's reason, not the exception's class. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String path = exchange.getRequestURI().getPath();
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                respond(exchange, 405, "method not allowed");
            } else if (path.equals("/health")) {
                respond(exchange, 200, "ok");
            } else if (path.equals("/")) {
                respond(exchange, 200, greeting);
            } else {
                respond(exchange, 404, "not found");
            }
        } finally {
            exchange.close();
        }
    }

    private static void respond(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
