// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.runner;

import static org.daemonrunner.internal.runner.Wording.describeExit;
import static org.daemonrunner.internal.runner.Wording.seconds;
import static org.daemonrunner.internal.runner.Wording.sentence;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.daemonrunner.Action;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.StartFailureException;
import org.daemonrunner.internal.daemon.AppLifecycle;
import org.daemonrunner.internal.launch.DaemonLauncher;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.launch.JavaCommand;
import org.daemonrunner.internal.launch.LaunchSteps;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.pidfile.PidFile;
import org.daemonrunner.internal.pidfile.PidFileState;
import org.daemonrunner.internal.proc.IoFailure;
import org.daemonrunner.internal.proc.LogFile;
import org.daemonrunner.internal.proc.ProcessTable;

/**
 * {@code start} and {@code run}: relaunches the app as a detached daemon and returns once it is ready, or runs it
 * in this process (in the foreground, or as the relaunched daemon itself).
 */
public final class StartAction {
    private final Target target;
    private final Console console;
    private boolean jvmFilesChecked;

    /** The action for {@code target}, writing to {@code console}. */
    public StartAction(Target target, Console console) {
        this.target = target;
        this.console = console;
    }

    /** In the daemon {@code start} relaunched: runs the app to its end, holding the pidfile, and reports readiness. */
    public int runAsDaemon() {
        DaemonPaths paths = target.paths();
        return new AppLifecycle(target.app(), target.context(), true, target.readyAfterInit(), paths)
                .run(paths.pidfile(), target.pidfileTimeout(), Relaunch.REPORT_READY);
    }

    /**
     * {@code run}: the app in the foreground of this process, holding the pidfile.
     *
     * @throws AppMethodFailure when one of the app's answers that it or a later {@code stop} needs is bad, before
     *     anything runs ({@link Target#checkAppAnswers()})
     */
    public int foreground() {
        target.checkAppAnswers();
        DaemonPaths paths = target.paths();
        return new AppLifecycle(target.app(), target.context(), false, target.readyAfterInit(), paths)
                .run(paths.pidfile(), target.pidfileTimeout(), null);
    }

    /**
     * {@code start}: returns once the daemon is ready (0), or at once if one is already running (0).
     *
     * @throws StartFailureException when the daemon failed before it was ready, with its cause
     * @throws DaemonEnvironmentException when the environment was found unfit before detaching
     * @throws AppMethodFailure when one of the app's answers that the daemon or a later {@code stop} needs is bad,
     *     before anything is launched ({@link Target#checkAppAnswers()})
     */
    public int start() {
        return start("");
    }

    /**
     * Returns the command that runs the daemon; {@code restart} asks before it stops anything.
     *
     * @throws StartFailureException when this JVM's command line cannot be run again, saying why
     */
    JavaCommand command() {
        try {
            return target.javaCommand();
        } catch (JavaCommand.Unpassable e) { // the message says it all: no cause to log
            throw new StartFailureException("Cannot start: " + e.getMessage() + ".", null);
        } catch (RuntimeException e) {
            throw new StartFailureException("Cannot start: " + e.getMessage()
                    + ". Start the program with the java launcher, or use 'run' under a supervisor (systemd).", e);
        }
    }

    /**
     * Refuses a daemon whose user cannot read what its JVM needs ({@link LaunchSteps#unreadableByUser}), before
     * anything is launched; {@code restart} asks before it stops anything. Asked once per action.
     *
     * @throws DaemonEnvironmentException (status 4) naming the file, the directory or file that blocks it, and
     *     what to do
     * @throws StartFailureException as {@link #command()} does
     */
    void checkJvmFiles(Action action) {
        if (jvmFilesChecked) {
            return;
        }
        Optional<String> denied = new LaunchSteps(target.context(), target.paths(), target.users(),
                target.launchDirectory()).unreadableByUser(command());
        jvmFilesChecked = true;
        if (denied.isPresent()) {
            throw new DaemonEnvironmentException(Wording.cannot(action) + ": " + denied.get(), ExitStatus.PRIVILEGE,
                    null);
        }
    }

    /**
     * {@code start}; {@code earlier} is empty on the first attempt, else what became of it: its daemon gave way to
     * another, which then let go of the pidfile without a daemon left running ({@link #gaveWay}).
     */
    private int start(String earlier) {
        target.checkAppAnswers();
        DaemonPaths paths = target.paths();
        DaemonContext context = target.context();
        if (context.chrootDirectory().isPresent()) {
            throw new StartFailureException("Cannot start: chroot to " + context.chrootDirectory().get()
                    + " is not supported. The daemon is a new JVM, so the chroot would need the JDK, every class-path"
                    + " entry and /proc at the same paths inside it. Confine the daemon with systemd's RootDirectory="
                    + " or a container instead, and remove the chroot setting.", null);
        }
        String stay = reasonNotToDetach(context.detach());
        if (stay != null) {
            console.err().println(Relaunch.CAUSE_PREFIX + "not detaching: " + stay + "; running in the foreground,"
                    + " as 'run' does");
            return foreground();
        }
        if (ProcessHandle.current().pid() == 1) {
            throw new StartFailureException("Cannot start: this process is pid 1, the init of its PID namespace (a"
                    + " container's command, say). A detached daemon would outlive it only until start returned: the"
                    + " kernel ends every process of a namespace whose init exits. Make 'run' the container's command"
                    + " instead: it runs the daemon in the foreground, as the container's main process.", null);
        }
        PidFileState state = awaitStarted(paths.pidfile(), target.startTimeout());
        Duration wait = target.startTimeout();
        switch (state.status()) {
            case RUNNING:
                if (!state.stopping()) {
                    return alreadyRunning(state);
                }
                console.out().println("waiting for pid " + state.holder() + " to finish stopping");
                wait = wait.plus(target.pidfileTimeout());
                break;
            case UNKNOWN:
                throw new StartFailureException("Cannot start: " + state.detail() + ".", null);
            case STALE:
                if (state.isBlocked()) { // another program's lock: no daemon could take the file, however long it waits
                    throw new StartFailureException("Cannot start: " + Wording.staleFile(state, "") + ". Nothing was"
                            + " started.", null);
                }
                refuseToReplace(paths.pidfile());
                break;
            default:
                break;
        }
        JavaCommand command = command();
        checkJvmFiles(Action.START);
        LaunchSteps.Launch launch = new LaunchSteps(context, paths, target.users(), target.launchDirectory()).prepare();
        if (state.status() == PidFileState.Status.STALE) { // said once every check passed: the daemon replaces it
            console.out().println("replacing stale pidfile " + paths.pidfile() + " (" + state.staleReason() + ")");
        }
        long errorLogSize = LogFile.size(paths.stderr());
        long outputLogSize = LogFile.size(paths.stdout());
        DaemonLauncher.Outcome outcome;
        try {
            outcome = DaemonLauncher.launch(launch, command, command.daemonOptions(target.launchDirectory()), wait,
                    target.stopTimeout(), paths.pidfile(), interrupted(wait));
        } catch (IOException e) {
            // what the launch shells printed (to the stderr log) says why they could not report
            LogTail said = LogTail.of(paths.stderr(), errorLogSize);
            removeUnheld(paths.pidfile());
            throw new StartFailureException("Cannot start: launching " + command.java() + " failed: "
                    + e.getMessage() + "." + (said.isEmpty() ? " They printed nothing to " + paths.stderr() + "."
                    : said.lines(paths.stderr())), e);
        }
        if (outcome instanceof DaemonLauncher.Ready) {
            console.out().println("started with pid " + outcome.pid());
            return ExitStatus.OK;
        }
        LogTail tail = LogTail.of(paths.stderr(), errorLogSize);
        String evidence = FailedStart.evidence(tail, paths, outputLogSize, launch.workingDirectory(), outcome.pid());
        if (outcome instanceof DaemonLauncher.Exited exited) {
            if (exited.status() == Relaunch.EXIT_LOCK_HELD) {
                // another start won the race, or the daemon we waited for is still stopping
                long winner = tail.gaveWayTo(exited.pid());
                PidFileState now = awaitStarted(paths.pidfile(), target.startTimeout());
                if (now.status() == PidFileState.Status.RUNNING && !now.stopping()) {
                    return alreadyRunning(now);
                }
                if (now.status() == PidFileState.Status.RUNNING) {
                    throw new StartFailureException("Cannot start: pid " + now.holder() + " still holds "
                            + paths.pidfile() + " and is still stopping after " + seconds(target.pidfileTimeout())
                            + ". Wait for it, or stop it with 'stop'.", null);
                }
                // The daemon it gave way to failed, or was stopped, before it was ready (or exited at once after):
                // its cause is its own start's to tell, and lines of the log without a pid may be its (or a third's)
                String gaveWay = gaveWay(exited.pid(), winner, paths.pidfile());
                if (earlier.isEmpty()) {
                    return start(gaveWay); // try again, once
                }
                removeUnheld(paths.pidfile());
                throw new StartFailureException("Cannot start: " + gaveWay + " (its own start reports why). Its first"
                        + " attempt went the same way: " + earlier + ". Nothing of this start is running: start again."
                        + endLeftovers(exited.session(), exited.pid()) + evidence, null);
            }
            removeUnheld(paths.pidfile());
            throw new StartFailureException("Daemon (pid " + exited.pid() + ") " + describeExit(exited.status())
                    + " before it was ready" + sentence(tail.cause(exited.pid()))
                    + endLeftovers(exited.session(), exited.pid()) + evidence, null);
        }
        if (outcome instanceof DaemonLauncher.Lost lost) {
            if (lost.exited()) {
                removeUnheld(paths.pidfile());
            }
            throw new StartFailureException("Cannot start: lost track of the daemon's launch: " + lost.why() + ". "
                    + (lost.exited() ? "Daemon (pid " + lost.pid() + ") has exited before it was ready (its exit status"
                    + " is unknown: the shell that would have reported it is gone)" + sentence(tail.cause(lost.pid()))
                    + endLeftovers(lost.session(), lost.pid())
                    : "The daemon's pid was not known yet: see 'status', and stop it with 'stop' if it runs.")
                    + evidence, null);
        }
        DaemonLauncher.TimedOut timedOut = (DaemonLauncher.TimedOut) outcome;
        if (timedOut.exited()) {
            removeUnheld(paths.pidfile());
        }
        throw new StartFailureException("Daemon (pid " + timedOut.pid() + ") did not become ready within "
                + seconds(wait) + "; " + FailedStart.afterTimeout(timedOut, paths.pidfile())
                + sentence(tail.cause(timedOut.pid()))
                + (timedOut.exited() ? endLeftovers(timedOut.session(), timedOut.pid()) : "") + evidence, null);
    }

    /**
     * {@code its daemon, pid M, gave way to pid W, which held pidfile P, and has exited since}: what became of an
     * attempt whose daemon {@code daemon} lost the race to {@code winner} (0 when its line did not name it), once no
     * daemon holds the pidfile any more.
     */
    private static String gaveWay(long daemon, long winner, Path pidfile) {
        return "its daemon, pid " + daemon + ", gave way to " + (winner > 1 ? "pid " + winner + ", which held pidfile "
                + pidfile + ", and " + (ProcessTable.isLive(winner) ? "has let go of it since" : "has exited since")
                : "the daemon that held pidfile " + pidfile + ", which has let go of it since");
    }

    /**
     * After a failed start whose daemon is gone, ends what it left running in its process group, unless the app's
     * context keeps the daemon's children on a stop ({@code endProcessGroupOnStop(false)}); the sentence that says so.
     */
    private String endLeftovers(long session, long pid) {
        return target.context().endProcessGroupOnStop() ? FailedStart.endLeftovers(session, pid, target.stopSchedule())
                : "";
    }

    /** Refuses a stale file that is not one a daemon could have left: it is never replaced (nor removed). */
    private static void refuseToReplace(Path pidfile) {
        Optional<String> notAPidfile;
        try {
            notAPidfile = PidFile.notAPidfile(pidfile);
        } catch (IOException e) {
            return; // the daemon reads it again under the lock, and refuses it then
        }
        if (notAPidfile.isPresent()) {
            throw new StartFailureException("Cannot start: " + pidfile + " was left as it is: " + notAPidfile.get()
                    + ". Check the pidfile's path; if it is a stale pidfile, remove it.", null);
        }
    }

    /**
     * What {@code start} says when it is ended (SIGTERM, SIGINT: Ctrl-C) while it waits for readiness: what it
     * leaves behind, and that the daemon stops itself at the deadline if it is not ready then (it knows when).
     */
    private LongConsumer interrupted(Duration wait) {
        String by = wait.compareTo(Duration.ofHours(12)) < 0
                ? "by " + Wording.clock(LocalTime.now().plus(wait)) + " (its start timeout of "
                + seconds(wait) + ")" : "within its start timeout of " + seconds(wait);
        return new InterruptedNote(console.err(), by);
    }

    /** What an interrupted {@code start} says of the daemon it leaves; a named class, not a lambda spun at each start. */
    private static final class InterruptedNote implements LongConsumer {
        private final PrintStream err;
        private final String by;

        InterruptedNote(PrintStream err, String by) {
            this.err = err;
            this.by = by;
        }

        @Override
        public void accept(long pid) {
            err.println("start was interrupted while it waited for " + (pid > 1 ? "pid " + pid : "the daemon (its pid"
                    + " was not known yet)") + " to become ready: the daemon was not stopped and is still starting;"
                    + " unless it is ready " + by + ", it stops itself then. See it with 'status'; stop it with 'stop'.");
            err.flush();
        }
    }

    /**
     * A daemon holds the pidfile and is not stopping, after {@code start} waited up to its start timeout for it to
     * be ready: {@code already running} (0) if it is ready; if it is still starting, a failure saying since when.
     *
     * @throws StartFailureException when the daemon is still not ready
     */
    private int alreadyRunning(PidFileState state) {
        long pid = state.holder();
        if (!state.ready()) {
            Optional<Duration> uptime = StatusAction.uptime(pid);
            String since = uptime.map(up -> " since " + Wording.clock(LocalTime.now().minus(up)) + " ("
                    + Wording.humanDuration(up) + " ago)").orElse("");
            throw new StartFailureException("Cannot start: pid " + pid + " holds pidfile " + state.path() + " and has"
                    + " been starting" + since + ", not ready after a wait of " + seconds(target.startTimeout())
                    + ". See it with 'status'; wait for it, or stop it with 'stop' (it is sent SIGTERM) and start again.",
                    null);
        }
        console.out().println("already running with pid " + pid);
        return ExitStatus.OK;
    }

    /**
     * After a failed start whose daemon is gone, removes the pidfile if no daemon holds it: with a user to run as,
     * {@code start} made the file for that user, and a daemon that died before it locked the file (a JVM that could
     * not start) left it behind, owned by that user, for every later command to find.
     */
    private static void removeUnheld(Path pidfile) {
        try {
            PidFile.removeIfStale(pidfile);
        } catch (IOException e) {
            // left as a stale file, which the next start replaces and stop removes
        }
    }

    /**
     * Decides whether {@code start} detaches: always, unless the app asked not to, or opted in to python-daemon's
     * rule (not when the parent is init or standard input is a socket, as under inetd). Returns why it does not
     * detach, or null when it does.
     */
    static String reasonNotToDetach(DaemonContext.Detach detach) {
        if (detach == DaemonContext.Detach.ALWAYS) {
            return null;
        }
        if (detach == DaemonContext.Detach.NEVER) {
            return "the app's DaemonContext says Detach.NEVER";
        }
        // Under systemd every ExecStart= has pid 1 as its parent; there (INVOCATION_ID is set) start is for
        // Type=forking and must detach: Type=simple and Type=notify units use run.
        if (System.getenv("INVOCATION_ID") != null) {
            return null;
        }
        if (stdinIsSocket()) {
            return "standard input is a socket (Detach.AUTO, python-daemon's rule for inetd)";
        }
        Optional<ProcessHandle> parent = ProcessHandle.current().parent();
        if (parent.isPresent() && parent.get().pid() == 1) {
            return "the parent process is init, pid 1 (Detach.AUTO, python-daemon's rule)";
        }
        return null;
    }

    private static boolean stdinIsSocket() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString().startsWith("socket:");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static PidFileState awaitStarted(Path pidfile, Duration timeout) {
        try {
            return PidFile.awaitStarted(pidfile, timeout);
        } catch (IOException e) {
            throw new DaemonEnvironmentException("Cannot start: reading pidfile " + pidfile + " failed: "
                    + IoFailure.reason(e) + ".",
                    e instanceof AccessDeniedException ? ExitStatus.PRIVILEGE : ExitStatus.FAILURE, e);
        }
    }
}
