package org.daemonrunner;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.daemonrunner.cli.ActionParser;
import org.daemonrunner.cli.ParsedCommand;
import org.daemonrunner.internal.posix.Posix;
import org.daemonrunner.pidfile.PidFile;
import org.daemonrunner.pidfile.PidFileState;
import org.daemonrunner.process.DaemonLauncher;
import org.daemonrunner.process.JavaCommand;
import org.daemonrunner.process.ProcessControl;
import org.daemonrunner.process.ProcessTable;
import org.daemonrunner.process.ThreadDump;
import org.daemonrunner.process.UserAccount;
import org.slf4j.LoggerFactory;

/**
 * The controller: performs the action named on the command line for a {@link DaemonApp}, like python-daemon's
 * {@code daemon.runner.DaemonRunner}.
 *
 * <p>Use it from {@code main} as {@code System.exit(new DaemonRunner(app).doAction(args))}, passing the action
 * and the runner's options (not the app's own). Results go to standard output, one line; failures to standard
 * error, one line, with an LSB exit status ({@link ExitStatus}):
 * <ul>
 *   <li>{@code start}: relaunches this Java command line as a detached daemon and returns once it is ready
 *       ({@code started with pid N}, 0), or at once if a daemon is already running ({@code already running with
 *       pid N}, 0). If the daemon dies, {@code init()} throws or readiness times out: 1, with the cause and the
 *       last lines of the daemon's stderr. A missing or unwritable directory: 1 (4 for a permission problem).</li>
 *   <li>{@code stop}: sends SIGTERM to the holder of the pidfile's lock and returns once it has exited (0); not
 *       running, or a stale pidfile (removed): 0; still running after the stop timeout: 1.</li>
 *   <li>{@code restart}: {@code stop}, then {@code start}.</li>
 *   <li>{@code status}: running 0, stale pidfile 1, not running 3, cannot tell 4.</li>
 *   <li>{@code run}: runs the app in the foreground, holding the pidfile; returns the app's status.</li>
 *   <li>no action, an unknown action, or a bad option: the usage text on stderr, 2.</li>
 * </ul>
 * {@code doAction} never calls {@code System.exit}.
 */
public final class DaemonRunner {
    static final String LAUNCH_DIRECTORY_PROPERTY = "daemonrunner.launchdir";
    private static final int TAIL_LINES = 10;
    private static final int TAIL_BYTES = 8192;

    private final DaemonApp app;
    private UserAccount account;

    /**
     * Creates a runner for {@code app}. Does no work: arguments are parsed and files opened in {@link #doAction}.
     *
     * @throws NullPointerException when {@code app} is null
     */
    public DaemonRunner(DaemonApp app) {
        this.app = Objects.requireNonNull(app, "app");
    }

    /**
     * Returns the directory {@code start} was run from: relative paths of the {@link DaemonApp} are resolved
     * against it. In the daemon, whose working directory is {@code /}, this is still the launcher's directory.
     */
    public static Path launchDirectory() {
        return Launch.DIRECTORY;
    }

    /**
     * Adds the runner's own options ({@code --timeout}, {@code --force}, {@code --json}) to an app's commons-cli
     * options, so that one parser reads the app's options and the runner's, wherever they stand on the line.
     *
     * @return {@code appOptions}, with the runner's options added
     * @throws IllegalArgumentException when the app already has an option of the same name
     */
    public static Options withRunnerOptions(Options appOptions) {
        for (Option option : ActionParser.allOptions().getOptions()) {
            if (appOptions.hasLongOption(option.getLongOpt())) {
                throw new IllegalArgumentException("The app's option --" + option.getLongOpt()
                        + " is also one of the runner's; rename it");
            }
            appOptions.addOption(option);
        }
        return appOptions;
    }

    /**
     * Returns the arguments for {@link #doAction(String...)} from a command line parsed with
     * {@link #withRunnerOptions(Options)}: its non-option arguments (the action), then the runner's options.
     */
    public static String[] runnerArguments(CommandLine line) {
        List<String> args = new ArrayList<>(line.getArgList());
        for (Option option : line.getOptions()) {
            if (ActionParser.isRunnerOption(option.getLongOpt())) {
                args.add("--" + option.getLongOpt());
                if (option.hasArg()) {
                    args.add(option.getValue());
                }
            }
        }
        return args.toArray(new String[0]);
    }

    /** Returns whether this process is a daemon that {@code start} relaunched. */
    public static boolean isDaemon() {
        return Launch.SHELL_PID > 1;
    }

    /**
     * Performs the action named by {@code args[0]} and returns the exit status for the process.
     *
     * @param args the action, then the runner's options for it
     * @return an {@link ExitStatus} code (for {@code run} and in the daemon: the app's status)
     */
    public int doAction(String... args) {
        try {
            ParsedCommand command = ActionParser.parseCommand(args);
            Action action = command.action();
            checkPidfileIsSafe(action);
            switch (action) {
                case START:
                    return start();
                case STOP:
                case FORCE_STOP:
                    return stop(command);
                case RESTART:
                    int stopped = isDaemon() ? ExitStatus.OK : stop(command);
                    return stopped == ExitStatus.OK ? start() : stopped;
                case STATUS:
                    return status(command.json());
                case RELOAD:
                    return signalHolder("reload", "HUP", "reload requested");
                case REOPEN_LOGS:
                    return signalHolder("reopen the logs of", context().reopenLogsSignal(), "reopening logs");
                case RUN:
                    return isDaemon() ? start() : foreground(context());
                default:
                    throw new AssertionError(action);
            }
        } catch (InvalidActionException e) {
            System.err.println(e.getMessage());
            System.err.println(ActionParser.usage(programName()));
            return e.exitStatus();
        } catch (DaemonRunnerException e) {
            System.err.println(e.getMessage());
            if (e.getCause() != null) {
                LoggerFactory.getLogger(DaemonRunner.class).debug("{} failed", String.join(" ", args), e);
            }
            return e.exitStatus();
        }
    }

    /** Looks up the context's user and groups once per action (getent is a process of its own). */
    private UserAccount account(DaemonContext context) throws IOException {
        if (account == null) {
            account = UserAccount.lookup(context.user().orElseThrow(), context.group().orElse(null),
                    context.supplementaryGroups().orElse(null));
        }
        return account;
    }

    /** As root, refuses a pidfile (or directory) another user could replace; see {@link PidFile#checkSafe}. */
    private void checkPidfileIsSafe(Action action) {
        if (ProcessTable.currentUid() != 0) {
            return;
        }
        Path pidfile = paths().pidfile();
        int trusted = -1;
        Optional<String> user = context().user();
        if (user.isPresent()) {
            try {
                trusted = account(context()).uid();
            } catch (IOException | IllegalArgumentException e) {
                trusted = -1; // start explains an unknown user; here only root is trusted then
            }
        }
        try {
            PidFile.checkSafe(pidfile, trusted);
        } catch (IOException e) {
            throw new DaemonEnvironmentException("Cannot " + action.actionName() + ": " + e.getMessage() + ".",
                    action == Action.STATUS ? ExitStatus.STATUS_UNKNOWN : ExitStatus.FAILURE, e);
        }
    }

    private int foreground(DaemonContext context) {
        return new AppLifecycle(app, context, false, paths().stdout(), paths().stderr()).run(paths().pidfile(), null);
    }

    private DaemonContext context() {
        return Objects.requireNonNull(app.context(), "DaemonApp.context() returned null");
    }

    private int start() {
        return start(false);
    }

    private int start(boolean retried) {
        Paths paths = paths();
        DaemonContext context = context();
        if (context.chrootDirectory().isPresent()) {
            throw new StartFailureException("Cannot start: chroot to " + context.chrootDirectory().get()
                    + " is not supported. The daemon is a new JVM, so the chroot would need the JDK, every class-path"
                    + " entry and /proc at the same paths inside it. Confine the daemon with systemd's RootDirectory="
                    + " or a container instead, and remove the chroot setting.", null);
        }
        if (isDaemon()) {
            return new AppLifecycle(app, context, true, paths.stdout(), paths.stderr()).run(paths.pidfile(), Launch.REPORT_READY);
        }
        if (!detaches(context.detach())) {
            return foreground(context);
        }
        PidFileState state = awaitStarted(paths.pidfile(), app.startTimeout());
        Duration wait = app.startTimeout();
        switch (state.status()) {
            case RUNNING:
                if (!state.stopping()) {
                    System.out.println("already running with pid " + state.holder());
                    return ExitStatus.OK;
                }
                System.out.println("waiting for pid " + state.holder() + " to finish stopping");
                wait = wait.plus(app.pidfileTimeout());
                break;
            case UNKNOWN:
                throw new StartFailureException("Cannot start: " + state.detail() + ".", null);
            case STALE:
                System.out.println("replacing stale pidfile " + paths.pidfile() + " ("
                        + state.staleReason() + ")");
                break;
            default:
                break;
        }
        preflight(paths);
        DaemonLauncher.Setup setup = setup(context, paths);
        JavaCommand command;
        try {
            command = JavaCommand.current(launchDirectory());
        } catch (RuntimeException e) {
            throw new StartFailureException("Cannot start: " + e.getMessage()
                    + ". Start the program with the java launcher, or use 'run' under a supervisor.", e);
        }
        long errorLogSize = sizeOf(paths.stderr());
        DaemonLauncher.Outcome outcome;
        try {
            outcome = DaemonLauncher.launch(command, extraOptions(command), setup, paths.stdin(), paths.stdout(), paths.stderr(), wait,
                    app.stopTimeout());
        } catch (IOException e) {
            throw new StartFailureException("Cannot start: launching " + command.java() + " failed: "
                    + e.getMessage() + ".", e);
        }
        if (outcome instanceof DaemonLauncher.Ready) {
            System.out.println("started with pid " + outcome.pid());
            return ExitStatus.OK;
        }
        Tail tail = Tail.of(paths.stderr(), errorLogSize);
        if (outcome instanceof DaemonLauncher.Exited exited) {
            if (exited.status() == AppLifecycle.EXIT_LOCK_HELD) {
                // another start won the race, or the daemon we waited for is still stopping
                PidFileState now = awaitStarted(paths.pidfile(), app.startTimeout());
                if (now.status() == PidFileState.Status.RUNNING && !now.stopping()) {
                    System.out.println("already running with pid " + now.holder());
                    return ExitStatus.OK;
                }
                if (now.status() == PidFileState.Status.RUNNING) {
                    throw new StartFailureException("Cannot start: pid " + now.holder() + " still holds "
                            + paths.pidfile() + " and is still stopping after " + seconds(app.pidfileTimeout())
                            + ". Wait for it, or stop it with 'stop'.", null);
                }
                if (!retried) {
                    // the start that won the race failed or was stopped before it was ready: try again, once
                    return start(true);
                }
            }
            throw new StartFailureException("Daemon (pid " + exited.pid() + ") " + describeExit(exited.status())
                    + " before it was ready" + sentence(tail.cause()) + tail.lines(paths.stderr()), null);
        }
        DaemonLauncher.TimedOut timedOut = (DaemonLauncher.TimedOut) outcome;
        throw new StartFailureException("Daemon (pid " + timedOut.pid() + ") did not become ready within "
                + seconds(wait) + "; " + (timedOut.exited() ? "it was sent SIGTERM and has exited"
                : "it was sent SIGTERM but is still running: end it with 'kill -KILL " + timedOut.pid() + "'")
                + sentence(tail.cause()) + tail.lines(paths.stderr()), null);
    }

    /**
     * Returns the JVM options {@code start} adds: the launch directory, and HotSpot's own output (a thread dump on
     * SIGQUIT, say) to stderr, where {@code force-stop} looks for it, unless the command line decides that.
     */
    private static List<String> extraOptions(JavaCommand command) {
        List<String> options = new ArrayList<>(List.of("-D" + LAUNCH_DIRECTORY_PROPERTY + "=" + launchDirectory()));
        boolean vmOutput = false;
        boolean nativeAccess = false;
        boolean unsafeAccess = false;
        for (String option : command.jvmOptions()) {
            vmOutput |= option.contains("DisplayVMOutputTo");
            nativeAccess |= option.startsWith("--enable-native-access");
            unsafeAccess |= option.startsWith("--sun-misc-unsafe");
        }
        if (!vmOutput) {
            options.add("-XX:+DisplayVMOutputToStderr");
        }
        // jnr-posix, loaded for reopen-logs or a privilege drop, makes JDK 24+ warn about native access and
        // sun.misc.Unsafe unless these are allowed (the daemon runs the same java as this launcher). The option
        // turns off CDS's archived module graph (about 6 ms more at start-up), so it is added only where that
        // warning exists and the -jar file's manifest does not allow native access itself.
        int feature = Runtime.version().feature();
        if (feature >= 24 && !nativeAccess && !jarAllowsNativeAccess(command)) {
            options.add("--enable-native-access=ALL-UNNAMED");
        }
        if (feature >= 23 && !unsafeAccess) {
            options.add("--sun-misc-unsafe-memory-access=allow");
        }
        return options;
    }

    /** Whether the command runs a {@code -jar} file whose manifest says {@code Enable-Native-Access: ALL-UNNAMED}. */
    private static boolean jarAllowsNativeAccess(JavaCommand command) {
        List<String> main = command.mainAndArguments();
        if (main.size() < 2 || !main.get(0).equals("-jar")) {
            return false;
        }
        try (JarFile jar = new JarFile(main.get(1))) {
            Manifest manifest = jar.getManifest();
            return manifest != null && "ALL-UNNAMED".equals(manifest.getMainAttributes().getValue("Enable-Native-Access"));
        } catch (IOException | RuntimeException e) {
            return false; // the option is added: harmless, only slower
        }
    }

    /**
     * Decides whether {@code start} detaches: python-daemon does not when the parent is init or standard input
     * is a socket (inetd).
     */
    private static boolean detaches(DaemonContext.Detach detach) {
        if (detach != DaemonContext.Detach.AUTO) {
            return detach == DaemonContext.Detach.ALWAYS;
        }
        // Under systemd every ExecStart= has pid 1 as its parent; there (INVOCATION_ID is set) start is for
        // Type=forking and must detach: Type=simple and Type=notify units use run.
        boolean underSystemd = System.getenv("INVOCATION_ID") != null;
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        boolean parentIsInit = parent.isPresent() && parent.get().pid() == 1;
        return (underSystemd || !parentIsInit) && !stdinIsSocket();
    }

    private static boolean stdinIsSocket() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString().startsWith("socket:");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Checks the context's working directory and user, and gives the pidfile and new logs to that user. */
    private DaemonLauncher.Setup setup(DaemonContext context, Paths paths) {
        Path directory = launchDirectory().resolve(context.workingDirectory()).normalize();
        if (!Files.isDirectory(directory)) {
            throw new DaemonEnvironmentException("Cannot start: working directory " + directory + " does not exist."
                    + " Create it, or set another one.", ExitStatus.FAILURE, null);
        }
        List<String> userSwitch = List.of();
        if (context.user().isPresent()) {
            UserAccount account;
            try {
                account = account(context);
            } catch (IllegalArgumentException e) {
                throw new DaemonEnvironmentException("Cannot start: " + e.getMessage() + ". Create it, or set"
                        + " another user.", ExitStatus.FAILURE, e);
            } catch (IOException e) {
                throw new DaemonEnvironmentException("Cannot start: looking up user " + context.user().get()
                        + " failed: " + e.getMessage() + ".", ExitStatus.FAILURE, e);
            }
            int uid = UserAccount.currentUid();
            if (uid != account.uid()) {
                if (uid != 0) {
                    throw new DaemonEnvironmentException("Cannot start as user " + account.name() + ": only root can"
                            + " switch users, and this runs as uid " + uid + ". Start it as root, or as "
                            + account.name() + ".", ExitStatus.PRIVILEGE, null);
                }
                if (!context.dropPrivilegesAfterInit()) {
                    giveTo(account, paths);
                    userSwitch = account.setprivPrefix();
                }
            }
        }
        return new DaemonLauncher.Setup(directory, context.umask(), context.preventCoreDumps(), userSwitch);
    }

    /** Creates the pidfile and gives it, and logs that are still empty, to the daemon's user. */
    private static void giveTo(UserAccount account, Paths paths) {
        Path current = paths.pidfile();
        try {
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createFile(current);
            }
            chown(current, account);
            for (Path log : List.of(paths.stdout(), paths.stderr())) {
                current = log;
                if (Files.size(log) == 0) {
                    chown(log, account);
                }
            }
        } catch (IOException e) {
            throw new DaemonEnvironmentException("Cannot start: giving " + current + " to user " + account.name()
                    + " failed: " + e + ".", ExitStatus.FAILURE, e);
        }
    }

    private static void chown(Path file, UserAccount account) throws IOException {
        UserPrincipalLookupService users = file.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setOwner(users.lookupPrincipalByName(Integer.toString(account.uid())));
        view.setGroup(users.lookupPrincipalByGroupName(Integer.toString(account.gid())));
    }

    /** Sends {@code signal} to the pidfile's holder: {@code reload} and {@code reopen-logs}. */
    private int signalHolder(String what, String signal, String done) {
        Path pidfile = paths().pidfile();
        PidFileState state = inspect(pidfile, what);
        if (state.status() == PidFileState.Status.UNKNOWN) {
            throw new DaemonRunnerException("Cannot " + what + " the daemon: " + state.detail() + ".",
                    ExitStatus.FAILURE, null);
        }
        if (state.status() != PidFileState.Status.RUNNING) {
            System.out.println("not running");
            return ExitStatus.RELOAD_NOT_RUNNING;
        }
        long pid = state.holder();
        try {
            ProcessControl.signal(pid, signal);
        } catch (IOException e) {
            throw new DaemonRunnerException("Cannot send SIG" + signal + " to process " + pid + " (holder of "
                    + pidfile + "): " + e.getMessage() + ".", ExitStatus.FAILURE, e);
        }
        System.out.println(done + " (SIG" + signal + " sent to pid " + pid + ")");
        return ExitStatus.OK;
    }

    private int stop(ParsedCommand command) {
        StopSchedule configured = Objects.requireNonNull(app.stopSchedule(), "DaemonApp.stopSchedule() returned null");
        StopSchedule timed = command.timeout().isPresent() ? configured.withTimeout(command.timeout().get()) : configured;
        StopSchedule schedule = command.force() ? timed.forced() : timed;
        Optional<ProcessTable.Stat> stat = Optional.empty();
        long stopped;
        Path pidfile = paths().pidfile();
        try {
            PidFile.Watch watch = PidFile.watch(pidfile);
            try {
                PidFileState state = watch.state();
                switch (state.status()) {
                    case ABSENT:
                        System.out.println("not running");
                        return ExitStatus.OK;
                    case STALE:
                        return removeStale(pidfile, state);
                    case UNKNOWN:
                        throw new StopFailureException("Cannot stop: " + state.detail() + ".", null);
                    default:
                        break;
                }
                long pid = state.holder();
                // Take the handle (it records the process's start time), then check again that this pid still
                // holds the lock: a pid reused in between can then never be signalled.
                Optional<ProcessHandle> handle = ProcessHandle.of(pid);
                stat = ProcessTable.stat(pid);
                if (handle.isEmpty() || !stillHolds(pidfile, pid)) {
                    // Someone else's stop got there first, and the daemon may have removed its pidfile while it
                    // still exits: wait on the lock of the very file it held (the watch keeps it open).
                    Duration timeout = schedule.steps().get(0).timeout();
                    if (!watch.awaitRelease(timeout) || !awaitGone(stat, timeout)) {
                        throw new StopFailureException("Process " + pid + " is exiting but did not exit within "
                                + seconds(timeout) + ".", null);
                    }
                    System.out.println("stopped (pid " + pid + ", already asked to stop)");
                    return ExitStatus.OK;
                }
                boolean exited = false;
                for (StopSchedule.Step step : schedule.steps()) {
                    if (watch == null) {
                        watch = PidFile.watch(pidfile); // the previous wait timed out, which closed the last one
                        if (watch.state().status() != PidFileState.Status.RUNNING || watch.state().holder() != pid) {
                            // it released its pidfile between two steps: it is exiting, or gone
                            exited = awaitExit(handle.get(), step.timeout());
                            break;
                        }
                    }
                    send(handle.get(), step.signal(), pidfile);
                    exited = watch.awaitRelease(step.timeout()) && awaitGone(stat, step.timeout());
                    if (exited) {
                        break;
                    }
                    watch.close();
                    watch = null;
                }
                if (!exited && stillHolds(pidfile, pid)) {
                    throw new StopFailureException("Process " + pid + " did not exit within " + describe(schedule)
                            + "; pidfile " + pidfile + " left in place." + (schedule.endsInKill() ? ""
                            : " Use 'force-stop' (or 'stop --force') to send SIGKILL after the timeout."), null);
                }
                stopped = pid;
            } finally {
                if (watch != null) {
                    watch.close();
                }
            }
            PidFile.removeIfStale(pidfile);
            String leftovers = "";
            if (stat.isPresent() && stat.get().group() == stat.get().session() && context().endProcessGroupOnStop()) {
                leftovers = endGroup(stat.get(), schedule);
            }
            System.out.println("stopped (pid " + stopped + ")" + leftovers);
            return ExitStatus.OK;
        } catch (AccessDeniedException e) {
            throw new DaemonEnvironmentException("Cannot stop: permission denied on pidfile " + pidfile
                    + ". Run stop as the daemon's user or as root.", ExitStatus.PRIVILEGE, e);
        } catch (IOException e) {
            throw new StopFailureException("Cannot stop: reading pidfile " + pidfile + " failed: " + e + ".", e);
        }
    }

    /**
     * Waits, once the daemon's lock is free, for the process itself to be gone (a zombie, being reaped, or no
     * process with its start time). The kernel releases the lock as it closes the exiting process's files, a
     * moment before it becomes a zombie, and on a busy machine that moment can last milliseconds; {@code stop}
     * returns only after it. Nearly always one read of {@code /proc/PID/stat}. Nothing signals the end of that
     * last step for a process that is not our child, so it is waited for by reading again after a pause that
     * starts at 50 µs and doubles, up to 5 ms (the JDK's own {@code onExit()} sleeps 300 ms first for a process
     * that is not its child).
     *
     * @param before the process's stat, read before it was signalled; empty when it could not be read
     */
    private static boolean awaitGone(Optional<ProcessTable.Stat> before, Duration timeout) {
        if (before.isEmpty()) {
            return true;
        }
        Duration bounded = timeout.compareTo(Duration.ofSeconds(60)) > 0 ? Duration.ofSeconds(60) : timeout;
        long deadline = System.nanoTime() + bounded.toNanos();
        long pause = TimeUnit.MICROSECONDS.toNanos(50);
        while (true) {
            Optional<ProcessTable.Stat> now = ProcessTable.stat(before.get().pid());
            if (now.isEmpty() || now.get().exited() || now.get().startTicks() != before.get().startTicks()) {
                return true;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            LockSupport.parkNanos(Math.min(pause, remaining));
            pause = Math.min(pause * 2, TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /**
     * Waits for a process whose pidfile is gone (so there is no lock left to block on) to exit; the JDK polls
     * {@code /proc} for a process that is not its child, which is acceptable on this rare path.
     */
    private static boolean awaitExit(ProcessHandle process, Duration timeout) {
        try {
            process.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            Optional<ProcessTable.Stat> stat = ProcessTable.stat(process.pid());
            return stat.isEmpty() || stat.get().exited();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int removeStale(Path pidfile, PidFileState state) throws IOException {
        PidFileState removed = PidFile.removeIfStale(pidfile);
        if (removed.status() == PidFileState.Status.RUNNING) {
            throw new StopFailureException("Cannot stop: a daemon (pid " + removed.holder() + ") took " + pidfile
                    + " while stop looked at it. Run stop again.", null);
        }
        System.out.println("not running; " + (removed.status() == PidFileState.Status.STALE ? "removed stale pidfile "
                + pidfile + " (" + state.staleReason() + ")" : "pidfile " + pidfile + " is gone"));
        return ExitStatus.OK;
    }

    private static boolean stillHolds(Path pidfile, long pid) throws IOException {
        PidFileState now = PidFile.inspect(pidfile);
        return now.status() == PidFileState.Status.RUNNING && now.holder() == pid;
    }

    /** Sends one step's signal; before a KILL, asks for a thread dump and waits for it to reach the stderr log. */
    private void send(ProcessHandle holder, String signal, Path pidfile) {
        long pid = holder.pid();
        boolean sent;
        if (signal.equals("TERM")) {
            sent = ProcessControl.terminate(holder);
        } else if (signal.equals("KILL")) {
            if (ThreadDump.request(pid, paths().stderr(), Duration.ofSeconds(2))) {
                System.out.println("thread dump of pid " + pid + " written to " + paths().stderr());
            }
            sent = ProcessControl.kill(holder);
        } else {
            try {
                ProcessControl.signal(pid, signal);
                sent = true;
            } catch (IOException e) {
                sent = false;
            }
        }
        if (!sent && holder.isAlive()) {
            throw new DaemonEnvironmentException("Cannot send SIG" + signal + " to process " + pid + " (holder of "
                    + pidfile + "): permission denied. Run stop as the daemon's user or as root.",
                    ExitStatus.PRIVILEGE, null);
        }
    }

    /**
     * Ends what is left of the daemon's process group (the processes it started), signalling only members of that
     * group in the daemon's own session, with the schedule's signals; returns a note for the operator.
     */
    private static String endGroup(ProcessTable.Stat daemon, StopSchedule schedule) {
        List<ProcessHandle> members = ProcessTable.groupMembers(daemon.group(), daemon.session(), daemon.pid());
        if (members.isEmpty()) {
            return "";
        }
        int count = members.size();
        for (StopSchedule.Step step : schedule.steps()) {
            for (ProcessHandle member : members) {
                if (step.signal().equals("KILL")) {
                    ProcessControl.kill(member);
                } else {
                    ProcessControl.terminate(member);
                }
            }
            try {
                CompletableFuture.allOf(members.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                        .get(step.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | ExecutionException e) {
                // some are still running: next step
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            members.removeIf(m -> !m.isAlive());
            if (members.isEmpty()) {
                break;
            }
        }
        return "; ended " + (count - members.size()) + " process(es) it had started"
                + (members.isEmpty() ? "" : ", " + members.size() + " still running: " + members.stream()
                .map(m -> Long.toString(m.pid())).collect(Collectors.joining(" ")));
    }

    private static String describe(StopSchedule schedule) {
        StringBuilder text = new StringBuilder();
        for (StopSchedule.Step step : schedule.steps()) {
            text.append(text.length() == 0 ? "" : ", then ").append(seconds(step.timeout())).append(" after SIG")
                    .append(step.signal());
        }
        return text.toString();
    }

    private int status(boolean json) {
        PidFileState state = inspect(paths().pidfile(), "status");
        int exit;
        String text;
        switch (state.status()) {
            case RUNNING:
                exit = ExitStatus.OK;
                text = "running with pid " + state.holder()
                        + (state.stopping() ? " (stopping)" : state.ready() ? "" : " (starting)");
                break;
            case STALE:
                exit = ExitStatus.FAILURE;
                text = "not running; stale pidfile " + state.path() + " (" + state.staleReason() + ")";
                break;
            case ABSENT:
                exit = ExitStatus.NOT_RUNNING;
                text = "not running";
                break;
            default:
                exit = ExitStatus.STATUS_UNKNOWN;
                text = "cannot tell: " + state.detail();
                break;
        }
        Optional<Instant> started = Optional.empty();
        Optional<Duration> uptime = Optional.empty();
        if (state.status() == PidFileState.Status.RUNNING) {
            Optional<ProcessTable.Stat> st = ProcessTable.stat(state.holder());
            if (st.isPresent()) {
                try {
                    String up = Files.readString(Path.of("/proc/uptime"));
                    double seconds = Double.parseDouble(up.substring(0, up.indexOf(' ')));
                    // /proc reports start times in USER_HZ ticks, which Linux fixes at 100 a second
                    uptime = Optional.of(Duration.ofMillis(Math.round((seconds - st.get().startTicks() / 100.0) * 1000)));
                    started = Optional.of(Instant.now().minus(uptime.get()).truncatedTo(ChronoUnit.SECONDS));
                } catch (IOException | RuntimeException e) {
                    uptime = Optional.empty();
                }
            }
        }
        if (json) {
            StringBuilder object = new StringBuilder("{");
            field(object, "pidfile", state.path().toString());
            field(object, "status", state.status() == PidFileState.Status.RUNNING ? "running"
                    : state.status() == PidFileState.Status.STALE ? "stale"
                    : state.status() == PidFileState.Status.ABSENT ? "not running" : "unknown");
            object.append(",\"exit_status\":").append(exit);
            if (state.status() == PidFileState.Status.RUNNING) {
                object.append(",\"pid\":").append(state.holder());
                field(object, "state", state.stopping() ? "stopping" : state.ready() ? "ready" : "starting");
                if (started.isPresent()) {
                    field(object, "started_at", started.get().toString());
                    object.append(",\"uptime_seconds\":").append(uptime.get().toMillis() / 1000.0);
                }
            } else if (!state.recorded().isEmpty()) {
                field(object, "recorded", state.recorded());
            }
            if (!state.detail().isEmpty()) {
                field(object, "detail", state.detail());
            }
            System.out.println(object.append('}'));
        } else {
            System.out.println(text + (uptime.isPresent() ? ", up " + humanDuration(uptime.get()) : "")
                    + (state.status() == PidFileState.Status.RUNNING ? ", pidfile " + state.path() : ""));
        }
        return exit;
    }

    private static void field(StringBuilder object, String name, String value) {
        object.append(object.length() > 1 ? "," : "").append('"').append(name).append("\":\"");
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                object.append('\\').append(c);
            } else if (c < 0x20) {
                object.append(String.format("\\u%04x", (int) c));
            } else {
                object.append(c);
            }
        }
        object.append('"');
    }

    private static String humanDuration(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + "s" : s < 3600 ? (s / 60) + "m" + (s % 60) + "s"
                : s < 86400 ? (s / 3600) + "h" + (s % 3600 / 60) + "m" : (s / 86400) + "d" + (s % 86400 / 3600) + "h";
    }

    private static PidFileState awaitStarted(Path pidfile, Duration timeout) {
        try {
            return PidFile.awaitStarted(pidfile, timeout);
        } catch (IOException e) {
            throw new DaemonEnvironmentException("Cannot start: reading pidfile " + pidfile + " failed: " + e + ".",
                    e instanceof AccessDeniedException ? ExitStatus.PRIVILEGE : ExitStatus.FAILURE, e);
        }
    }

    private static PidFileState inspect(Path pidfile, String action) {
        try {
            return PidFile.inspect(pidfile);
        } catch (IOException e) {
            throw new DaemonEnvironmentException("Cannot " + action + ": reading pidfile " + pidfile + " failed: "
                    + e + ".", e instanceof AccessDeniedException ? ExitStatus.PRIVILEGE : ExitStatus.FAILURE, e);
        }
    }

    /** Checks, before detaching, everything that would otherwise fail unseen in the daemon. */
    private static void preflight(Paths paths) {
        Path directory = paths.pidfile().getParent();
        if (!Files.isDirectory(directory)) {
            throw new DaemonEnvironmentException("Cannot start: directory " + directory + (Files.exists(directory)
                    ? " is not a directory" : " does not exist") + " (for pidfile " + paths.pidfile()
                    + "). Create it, or set another pidfile path.", ExitStatus.FAILURE, null);
        }
        if (!Files.isWritable(directory)) {
            throw new DaemonEnvironmentException("Cannot start: directory " + directory + " is not writable (for"
                    + " pidfile " + paths.pidfile() + "). Fix its permissions, or run as its owner.",
                    ExitStatus.PRIVILEGE, null);
        }
        if (Files.exists(paths.pidfile()) && !Files.isWritable(paths.pidfile())) {
            throw new DaemonEnvironmentException("Cannot start: pidfile " + paths.pidfile() + " is not writable."
                    + " Fix its permissions, or run as its owner.", ExitStatus.PRIVILEGE, null);
        }
        openForAppend(paths.stdout(), "standard output log");
        openForAppend(paths.stderr(), "standard error log");
        if (!Files.isReadable(paths.stdin())) {
            throw new DaemonEnvironmentException("Cannot start: standard input " + paths.stdin() + (Files.exists(
                    paths.stdin()) ? " is not readable" : " does not exist") + ". Fix it, or set another stdin path.",
                    Files.exists(paths.stdin()) ? ExitStatus.PRIVILEGE : ExitStatus.FAILURE, null);
        }
    }

    private static void openForAppend(Path log, String what) {
        try {
            // opening a FIFO for writing blocks until something reads it: refuse it rather than hang
            if ((((Integer) Files.getAttribute(log, "unix:mode")) & 0170000) == 0010000) {
                throw new DaemonEnvironmentException("Cannot start: " + what + " " + log + " is a FIFO; writing to it"
                        + " would block until something reads it. Use a regular file (or /dev/null).",
                        ExitStatus.FAILURE, null);
            }
        } catch (IOException | RuntimeException notThereOrUnknown) {
            if (notThereOrUnknown instanceof DaemonEnvironmentException) {
                throw (DaemonEnvironmentException) notThereOrUnknown;
            }
            // absent (created below) or unreadable (the open below says why)
        }
        try {
            Files.newOutputStream(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close(); // creates it
        } catch (AccessDeniedException e) {
            throw new DaemonEnvironmentException("Cannot start: " + what + " " + log + " is not writable"
                    + " (permission denied). Fix its permissions, or run as its owner.", ExitStatus.PRIVILEGE, e);
        } catch (NoSuchFileException e) {
            throw new DaemonEnvironmentException("Cannot start: directory " + log.getParent() + " does not exist"
                    + " (for " + what + " " + log + "). Create it, or set another path.", ExitStatus.FAILURE, e);
        } catch (FileSystemException e) {
            throw new DaemonEnvironmentException("Cannot start: cannot open " + what + " " + log + ": "
                    + (e.getReason() == null ? e.toString() : e.getReason()) + ". Set another path.",
                    ExitStatus.FAILURE, e);
        } catch (IOException e) {
            throw new DaemonEnvironmentException("Cannot start: cannot open " + what + " " + log + ": " + e + ".",
                    ExitStatus.FAILURE, e);
        }
    }

    private Paths paths() {
        // plain calls, no method references: each lambda costs a class spun at run time on the command path
        return new Paths(resolve(app.stdinPath(), "stdinPath"), resolve(app.stdoutPath(), "stdoutPath"),
                resolve(app.stderrPath(), "stderrPath"), resolve(app.pidfilePath(), "pidfilePath"));
    }

    private static Path resolve(Path path, String name) {
        if (path == null) {
            throw new NullPointerException("DaemonApp." + name + "() returned null");
        }
        return launchDirectory().resolve(path).normalize();
    }

    private static String programName() {
        try {
            return JavaCommand.current(launchDirectory()).programName();
        } catch (RuntimeException e) {
            return "daemon";
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String describeExit(int status) {
        if (status > 128 && status < 128 + 65) {
            int signal = status - 128;
            String name = switch (signal) {
                case 1 -> "SIGHUP";
                case 2 -> "SIGINT";
                case 6 -> "SIGABRT";
                case 9 -> "SIGKILL";
                case 11 -> "SIGSEGV";
                case 15 -> "SIGTERM";
                default -> "signal " + signal;
            };
            return "was killed by " + name + " (exit status " + status + ")";
        }
        return "exited with status " + status;
    }

    /** Ends {@code text} with a period unless it already ends a sentence. */
    private static String sentence(String text) {
        return text.endsWith(".") || text.endsWith("!") || text.endsWith("?") ? text : text + ".";
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** The app's paths, resolved against the launch directory. */
    private record Paths(Path stdin, Path stdout, Path stderr, Path pidfile) {
    }

    /** What the daemon wrote to its stderr log during a failed start. */
    private record Tail(List<String> lines) {
        static Tail of(Path log, long from) {
            try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
                long start = Math.max(from, file.length() - TAIL_BYTES);
                byte[] bytes = new byte[(int) Math.max(0, file.length() - start)];
                file.seek(start);
                file.readFully(bytes);
                List<String> lines = new ArrayList<>(List.of(new String(bytes, StandardCharsets.UTF_8).split("\n")));
                lines.removeIf(String::isBlank);
                return new Tail(lines);
            } catch (IOException e) {
                return new Tail(List.of());
            }
        }

        String cause() {
            for (int i = lines.size() - 1; i >= 0; i--) {
                if (lines.get(i).startsWith(AppLifecycle.CAUSE_PREFIX)) {
                    return ": " + lines.get(i).substring(AppLifecycle.CAUSE_PREFIX.length());
                }
            }
            return "";
        }

        String lines(Path log) {
            if (lines.isEmpty()) {
                return " Nothing was written to " + log + ".";
            }
            StringBuilder text = new StringBuilder(" Last lines of ").append(log).append(':');
            for (String line : lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size())) {
                text.append(System.lineSeparator()).append("    ").append(line);
            }
            return text.toString();
        }
    }

    /**
     * What the launcher told this process on its command line; read once, and the properties cleared, so that
     * nothing the app starts or reads later can inherit them.
     */
    private static final class Launch {
        static final long SHELL_PID;
        static final Path DIRECTORY;

        static {
            String shell = System.getProperty(DaemonLauncher.PARENT_PROPERTY);
            String directory = System.getProperty(LAUNCH_DIRECTORY_PROPERTY);
            System.clearProperty(DaemonLauncher.PARENT_PROPERTY);
            System.clearProperty(LAUNCH_DIRECTORY_PROPERTY);
            long pid = 0;
            try {
                pid = shell == null ? 0 : Long.parseLong(shell);
            } catch (NumberFormatException e) {
                pid = 0;
            }
            SHELL_PID = pid;
            DIRECTORY = directory != null && Path.of(directory).isAbsolute() ? Path.of(directory)
                    : Path.of("").toAbsolutePath();
        }

        /** {@link #reportReady()} as a {@code Runnable}, without a lambda (see {@code AppLifecycle.Handler}). */
        static final Runnable REPORT_READY = new Runnable() {
            @Override
            public void run() {
                reportReady();
            }
        };

        private Launch() {
        }

        /**
         * Tells the shell waiting in {@code start} that the daemon is ready: SIGTERM to it, and only to it. A daemon
         * that dropped privileges after {@code init()} may no longer signal the shell (still root) with TERM; it
         * sends CONT instead, which any process of the session may send, through the native calls it already
         * loaded to drop privileges.
         */
        static void reportReady() {
            Optional<ProcessHandle> parent = ProcessHandle.current().parent();
            if (SHELL_PID > 1 && parent.isPresent() && parent.get().pid() == SHELL_PID
                    && !parent.get().destroy() && parent.get().isAlive()) {
                Posix.get().signal(SHELL_PID, "CONT");
            }
        }
    }
}
