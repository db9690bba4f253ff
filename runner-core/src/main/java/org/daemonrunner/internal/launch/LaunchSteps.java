// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AccessMode;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.DaemonEnvironmentException;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.proc.Command;
import org.daemonrunner.internal.proc.FileAccess;
import org.daemonrunner.internal.proc.Signal;
import org.daemonrunner.internal.proc.UserAccount;

/**
 * {@code start}'s side of {@link DaemonContext}: its steps, in the order the context's Javadoc lists them, each a
 * method with its own error (python-daemon's {@code DaemonContext.open()}). {@link #prepare()} reads as that list.
 * Step 1 runs here, in the launcher, before anything detaches; steps 2 to 7 become the launch command that
 * {@link DaemonLauncher} runs (its shells are {@link LaunchScripts}); step 8
 * is the daemon's own ({@code AppLifecycle}).
 */
public final class LaunchSteps {
    private final DaemonContext context;
    private final DaemonPaths paths;
    private final UserAccount.Lookup users;
    private final Path launchDirectory;
    private final List<String> argv = new ArrayList<>();
    private Path workingDirectory;
    private UserAccount switchTo;
    private UserAccount dropTo;
    private boolean rootOpens;

    /**
     * The steps for {@code context}; nothing is checked or run yet.
     *
     * @param users the context's user, looked up at most once
     * @param launchDirectory what a relative working directory is resolved against
     */
    public LaunchSteps(DaemonContext context, DaemonPaths paths, UserAccount.Lookup users, Path launchDirectory) {
        this.context = context;
        this.paths = paths;
        this.users = users;
        this.launchDirectory = launchDirectory;
    }

    /**
     * The command that sets up the daemon's process and then runs what follows it (the JVM), and where it starts.
     *
     * @param argv the command, to which the JVM's command line is appended
     * @param workingDirectory the daemon's working directory
     * @param shellErrors where the standard error of the shells before {@link LaunchScripts#LOGS} goes: appended to
     *     the stderr log when the launcher's user is the daemon's, else this launcher's own (root opens nothing that
     *     the daemon's user could point elsewhere)
     */
    public record Launch(List<String> argv, Path workingDirectory, ProcessBuilder.Redirect shellErrors) {
    }

    /**
     * Runs step 1 and returns the command for steps 2 to 7.
     *
     * @throws DaemonEnvironmentException when a step finds the environment unfit, naming the path or user and
     *     what to do (exit status 4 for a permission problem, else 1)
     */
    public Launch prepare() {
        checkUser();            // 1. the user: only root may switch users
        checkFiles();           //    the pidfile's directory (the pidfile is given to the user), the logs and stdin
        checkWorkingDirectory();
        newSession();           // 2. setsid, then the first shell
        umask();                // 3.
        coreLimit();            // 4.
        workingDirectory();     // 5. (entered by the process builder, before setsid runs)
        switchUser();           // 6. setpriv, unless privileges are dropped after init(); then, as the user, the
                                //    shell that opens the logs and stdin
        defaultSignals();       // 7. the waiting shell, and the JVM with every signal at its default
        return new Launch(List.copyOf(argv), workingDirectory, switchTo != null ? ProcessBuilder.Redirect.INHERIT
                : ProcessBuilder.Redirect.appendTo(paths.stderr().toFile()));
    }

    /**
     * Step 1, for the daemon's JVM, asked before {@link #prepare()} (and by {@code restart} before it stops
     * anything): whether the user the JVM starts as can read what it needs ({@link JvmFiles}), told from mode bits
     * (a few {@code stat} calls per file), without switching users. Returns what it cannot read, why and what to
     * do, as {@code user nobody cannot read P (class path of the daemon's JVM): /root is drwx------ root:root.
     * Give the user access, or put the jars where it can read them.}; empty when it can, and without looking
     * when the JVM starts as this process's user or as root (no user, {@code dropPrivilegesAfterInit}, a launcher
     * that is not root) or when the user is not known ({@link #prepare()} says why).
     */
    public Optional<String> unreadableByUser(JavaCommand command) {
        if (context.user().isEmpty() || context.dropPrivilegesAfterInit() || UserAccount.currentUid() != 0) {
            return Optional.empty();
        }
        UserAccount account;
        try {
            account = users.get();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        if (account.uid() == 0) {
            return Optional.empty();
        }
        Optional<String> denied = JvmFiles.firstDenied(command, directory(), new FileAccess(account));
        return denied.isPresent() ? Optional.of("user " + account.name() + " cannot " + denied.get()) : denied;
    }

    /** Step 1: checks, before detaching, everything that would otherwise fail unseen in the daemon. */
    private void checkFiles() {
        Path pidfile = paths.pidfile();
        Path directory = pidfile.getParent();
        if (!Files.isDirectory(directory)) {
            throw new DaemonEnvironmentException("Cannot start: " + missingDirectory(directory, pidfile),
                    ExitStatus.FAILURE, null);
        }
        if (!Files.isWritable(directory) && isOnReadOnlyFileSystem(directory)) {
            // asked only when it is not writable: the file store is found by reading the mount table
            throw new DaemonEnvironmentException("Cannot start: directory " + directory + " is on a read-only file"
                    + " system (for pidfile " + pidfile + "). Set a pidfile path on a writable file system (such as"
                    + " /run/NAME), or mount it read-write.", ExitStatus.FAILURE, null);
        }
        if (!Files.isWritable(directory)) {
            throw new DaemonEnvironmentException("Cannot start: directory " + directory + " is not writable (for"
                    + " pidfile " + pidfile + "). Fix its permissions, or run as its owner.", ExitStatus.PRIVILEGE, null);
        }
        if (Files.exists(pidfile) && !Files.isWritable(pidfile)) {
            throw new DaemonEnvironmentException("Cannot start: pidfile " + pidfile + " is not writable."
                    + " Fix its permissions, or run as its owner.", ExitStatus.PRIVILEGE, null);
        }
        rootOpens = switchTo == null && UserAccount.currentUid() == 0;
        refuseSharedFiles();
        checkStdin();           // before anything is made; as root, no path another user could change
        checkLog(paths.stdout(), "standard output log");
        checkLog(paths.stderr(), "standard error log");
        if (switchTo != null) {
            givePidfileTo(switchTo); // last: a refused log leaves no pidfile behind
        }
    }

    /** Step 1 for stdin ({@link LogFiles#checkStdin}): opened by the daemon's user, or by root. */
    private void checkStdin() {
        LogFiles.checkStdin(paths.stdin(), switchTo, rootOpens, dropTo);
    }

    /**
     * Step 1: a log that is the pidfile would be deleted with it by {@code stop} (and would make the pidfile more
     * than a pid); a stdin that is the pidfile or a log (a regular file; {@code /dev/null} is shared freely) would
     * have the daemon read what it writes. Both refused, naming the two paths.
     */
    private void refuseSharedFiles() {
        Path pidfile = paths.pidfile();
        for (Path log : List.of(paths.stdout(), paths.stderr())) {
            if (LogFiles.isSameFile(log, pidfile)) {
                throw new DaemonEnvironmentException("Cannot start: " + (log == paths.stdout() ? "standard output"
                        : "standard error") + " log " + log + " is the pidfile " + pidfile + ": the pidfile must hold"
                        + " the pid alone, and stop deletes it, which would delete the log too. Set another path for"
                        + " one of them.", ExitStatus.FAILURE, null);
            }
        }
        Path stdin = paths.stdin();
        for (Path other : List.of(pidfile, paths.stdout(), paths.stderr())) {
            if (!Files.isRegularFile(stdin) && Files.exists(stdin)) {
                break; // a device or other special file: /dev/null as stdin and as a log is the usual setting
            }
            if (LogFiles.isSameFile(stdin, other)) {
                throw new DaemonEnvironmentException("Cannot start: standard input " + stdin + " is also the "
                        + (other == pidfile ? "pidfile" : other == paths.stdout() ? "standard output log"
                        : "standard error log") + " " + other + ": the daemon would read what is written there."
                        + " Set another stdin path (such as /dev/null).", ExitStatus.FAILURE, null);
            }
        }
    }

    /**
     * What is wrong when the pidfile's directory is missing: {@code directory D does not exist (for pidfile P).
     * Create it, or set another pidfile path.}, for {@code start} and {@code run} alike.
     */
    public static String missingDirectory(Path directory, Path pidfile) {
        return "directory " + directory + (Files.exists(directory) ? " is not a directory" : " does not exist")
                + " (for pidfile " + pidfile + "). Create it, or set another pidfile path.";
    }

    /**
     * Whether the kernel refuses writes to {@code directory} with EROFS: asked of {@code access(W_OK)} itself, which
     * tells a read-only bind mount (systemd's {@code ReadOnlyPaths=}, a container's {@code :ro}) from the writable
     * mount of the same device that the file store's mount table entry names; the file store when the reason is in
     * words this cannot read (another locale).
     */
    private static boolean isOnReadOnlyFileSystem(Path directory) {
        try {
            directory.getFileSystem().provider().checkAccess(directory, AccessMode.WRITE);
            return false;
        } catch (AccessDeniedException | NoSuchFileException e) {
            return false; // the writability check that follows says what is wrong
        } catch (FileSystemException e) {
            if ("Read-only file system".equalsIgnoreCase(e.getReason())) {
                return true;
            }
        } catch (IOException e) {
            // asked of the file store below
        }
        try {
            return Files.getFileStore(directory).isReadOnly();
        } catch (IOException e) {
            return false; // the writability check that follows says what is wrong
        }
    }

    /**
     * Step 1 for a log: as the daemon's user when it switches before its JVM starts (that user's shell opens it),
     * else opened here to append, created if missing; root (a daemon that stays root, or drops privileges only
     * after init) refuses a path that another user could change.
     */
    private void checkLog(Path log, String what) {
        if (switchTo != null) {
            LogFiles.prepareForUser(log, what, switchTo, context.umask());
            return;
        }
        if (rootOpens) {
            LogFiles.requireOnlyRootCanChange(log, what, dropTo);
        }
        LogFiles.openForAppend(log, what, context.umask());
    }

    /** Step 1: the working directory must exist. */
    private void checkWorkingDirectory() {
        Path directory = directory();
        if (!Files.isDirectory(directory)) {
            throw new DaemonEnvironmentException("Cannot start: working directory " + directory + " does not exist."
                    + " Create it, or set another one.", ExitStatus.FAILURE, null);
        }
    }

    private Path directory() {
        return DaemonPaths.absolute(launchDirectory, context.workingDirectory());
    }

    /**
     * Step 1: the user must exist, and only root may start a daemon as another user; when the switch happens
     * before the JVM starts, the pidfile is given to that user, and the logs are opened as that user.
     */
    private void checkUser() {
        if (context.user().isEmpty()) {
            return;
        }
        UserAccount account;
        try {
            account = users.get();
        } catch (IllegalArgumentException e) {
            throw new DaemonEnvironmentException("Cannot start: " + e.getMessage() + ". Create it, or set"
                    + " another user.", ExitStatus.FAILURE, e);
        } catch (IOException e) {
            throw new DaemonEnvironmentException("Cannot start: looking up user " + context.user().get()
                    + " failed: " + e.getMessage() + ".", ExitStatus.FAILURE, e);
        }
        int uid = UserAccount.currentUid();
        if (uid == account.uid()) {
            return;
        }
        if (uid != 0) {
            throw new DaemonEnvironmentException("Cannot start as user " + account.name() + ": only root can"
                    + " switch users, and this runs as uid " + uid + ". Start it as root, or as "
                    + account.name() + ".", ExitStatus.PRIVILEGE, null);
        }
        if (context.dropPrivilegesAfterInit()) {
            dropTo = account;
        } else {
            switchTo = account;
        }
    }

    /** Creates the pidfile and gives it to the daemon's user. */
    private void givePidfileTo(UserAccount account) {
        Path current = paths.pidfile();
        try {
            if (!Files.exists(current, LinkOption.NOFOLLOW_LINKS)) {
                Files.createFile(current);
            }
            chown(current, account);
        } catch (IOException e) {
            throw new DaemonEnvironmentException("Cannot start: giving " + current + " to user " + account.name()
                    + " failed: " + e + ".", ExitStatus.FAILURE, e);
        }
    }

    /** Gives {@code file} (not a link it may be) to {@code account}'s user and primary group. */
    static void chown(Path file, UserAccount account) throws IOException {
        UserPrincipalLookupService users = file.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS);
        view.setOwner(users.lookupPrincipalByName(Integer.toString(account.uid())));
        view.setGroup(users.lookupPrincipalByGroupName(Integer.toString(account.gid())));
    }

    /**
     * Step 2: a new session ({@code setsid}: no controlling terminal). When this process has signals ignored (see
     * {@code SigIgn}), every signal is reset to its default first ({@code env --default-signal}): a shell cannot
     * trap a signal that was ignored when it started, and the daemon would inherit it. Then the first shell,
     * {@link LaunchScripts#SETUP}.
     */
    private void newSession() {
        argv.add(Command.tool("setsid"));
        Set<Signal> ignored = Signal.ignoredInThisProcess();
        if (!ignored.isEmpty()) {
            requireEnvDefaultSignal("this process has " + names(ignored) + " ignored (as under nohup, or when its"
                    + " caller ignores them), and the daemon would inherit that");
            argv.addAll(List.of(Command.tool("env"), "--default-signal"));
        }
        argv.addAll(List.of("/bin/sh", "-c", LaunchScripts.SETUP, "daemonrunner"));
    }

    /** Step 3: the umask, set by {@link LaunchScripts#SETUP}. */
    private void umask() {
        argv.add("0" + Integer.toOctalString(context.umask()));
    }

    /** Step 4: the core-file limit, set by {@link LaunchScripts#SETUP} ({@code -}: left as it is). */
    private void coreLimit() {
        argv.add(context.preventCoreDumps() ? "0" : "-");
    }

    /** Step 5: the working directory (checked in step 1): the process builder starts the command there. */
    private void workingDirectory() {
        workingDirectory = directory();
    }

    /**
     * Step 6: the user, group and supplementary groups, switched by {@code setpriv} before the JVM starts; then,
     * as that user, {@link LaunchScripts#LOGS}, which opens the logs and stdin.
     */
    private void switchUser() {
        if (switchTo != null) {
            argv.addAll(switchTo.setprivPrefix());
        }
        argv.addAll(List.of("/bin/sh", "-c", LaunchScripts.LOGS, "daemonrunner", paths.stdout().toString(),
                paths.stderr().toString(), paths.stdin().toString()));
    }

    /**
     * Step 7: the waiting shell, {@link LaunchScripts#WAIT}, as the daemon's user, which starts the JVM with every signal at
     * its default again: a shell's background job starts with SIGINT and SIGQUIT ignored (HotSpot takes QUIT back
     * for its thread dumps; INT would stay ignored). Where {@code env} cannot reset signals (busybox), the daemon
     * keeps SIGINT ignored, unless the app handles SIGINT, which then fails the start.
     */
    private void defaultSignals() {
        argv.addAll(List.of("/bin/sh", "-c", LaunchScripts.WAIT, "daemonrunner"));
        if (Command.envResetsSignals()) {
            argv.addAll(List.of(Command.tool("env"), "--default-signal"));
        } else if (context.signalHandlers().containsKey(Signal.INT.name())) {
            requireEnvDefaultSignal("the app handles SIGINT, which a shell's background job starts with ignored");
        }
        // else (busybox): the daemon starts with SIGINT ignored, which nothing of it uses
    }

    /** Step 2 or 7 needs {@code env --default-signal}: fails before detaching when this system's env lacks it. */
    private static void requireEnvDefaultSignal(String why) {
        if (!Command.envResetsSignals()) {
            throw new DaemonEnvironmentException("Cannot start: " + why + ". Resetting signals needs 'env"
                    + " --default-signal' (GNU coreutils 8.31 or later), and " + Command.tool("env") + " here does not"
                    + " have it (busybox's env?). Install GNU coreutils, or start it from a process that does not"
                    + " ignore signals.", ExitStatus.FAILURE, null);
        }
    }

    private static String names(Set<Signal> signals) {
        StringBuilder text = new StringBuilder();
        for (Signal signal : signals) {
            text.append(text.length() == 0 ? "" : ", ").append(signal.fullName());
        }
        return text.toString();
    }
}
