// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.UndeclaredThrowableException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.daemonrunner.internal.launch.LogFiles;
import org.daemonrunner.internal.launch.Relaunch;
import org.daemonrunner.internal.posix.Posix;
import org.daemonrunner.internal.posix.PosixException;
import org.daemonrunner.internal.proc.ProcessTable;

/**
 * The daemon's standard streams, shared by a {@code DaemonApp}'s lifecycle and a wrapped program: reopening the
 * log files, and the one line that names a failure and its root cause.
 */
public final class DaemonStreams {
    /** Descriptor 2 itself, unbuffered; see {@link #onDescriptor2}. */
    private static final FileOutputStream STDERR = new FileOutputStream(FileDescriptor.err);

    private DaemonStreams() {
    }

    /**
     * Points standard output and error at their paths again, so that after logrotate renamed the files, all
     * output (the JVM's own too) goes to the new ones. Loads jnr-posix on first use. Says how it went in one line
     * on stderr, which {@code reopen-logs} reads back: {@link Relaunch#LOGS_REOPENED} (in the new file), or
     * {@link Relaunch#LOGS_NOT_REOPENED} and why, in words ({@code PosixException}'s message says all of it). As
     * root, refuses a log on a way another user could change ({@link LogFiles#unsafeForRoot}).
     */
    static void reopen(Path stdout, Path stderr) {
        synchronized (System.class) {
            System.out.flush();
            System.err.flush();
            for (Path log : new Path[] {stdout, stderr}) {
                Optional<String> unsafe = LogFiles.unsafeForRoot(log);
                if (unsafe.isPresent()) {
                    onDescriptor2(Relaunch.logsNotReopened(ProcessTable.selfPid()) + " " + stdout + " and " + stderr
                            + ": " + log + " would be opened by root, and " + unsafe.get() + "; put the logs in a"
                            + " directory only root can write, or run the daemon as its own user");
                    return;
                }
            }
            try {
                Posix posix = Posix.get();
                posix.redirect(1, stdout);
                posix.redirect(2, stderr);
            } catch (PosixException e) {
                onDescriptor2(Relaunch.logsNotReopened(ProcessTable.selfPid()) + " " + stdout + " and " + stderr + ": "
                        + e.getMessage());
                return;
            } catch (RuntimeException | LinkageError e) {
                onDescriptor2(Relaunch.logsNotReopened(ProcessTable.selfPid()) + " " + stdout + " and " + stderr + ": "
                        + e);
                return;
            }
            onDescriptor2(Relaunch.logsReopened(ProcessTable.selfPid()) + " " + stdout + " and " + stderr);
        }
    }

    /**
     * Writes one of daemonrunner's own lines, saying {@code text}, to descriptor 2, after what {@code System.err}
     * holds: a program (or its logging set-up) that replaced {@code System.err} does not take it into its own file.
     * In a daemon {@code start} relaunched, the line names its pid ({@code daemonrunner: pid 4242: init() failed:
     * ...}, {@link Relaunch#daemonLine}): its {@code start} reads back only its own daemon's lines from a stderr log
     * that other daemons may write to too. In the foreground ({@code run}), where the supervisor names the
     * process, it is {@code daemonrunner: init() failed: ...}.
     */
    public static void say(String text) {
        System.err.flush();
        onDescriptor2(Relaunch.isDaemon() ? Relaunch.daemonLine(ProcessTable.selfPid(), text)
                : Relaunch.CAUSE_PREFIX + text);
    }

    /**
     * Writes {@code line} to descriptor 2, where {@code reopen-logs} reads it, whatever {@code System.err} is now (a
     * program may have replaced it with {@code System.setErr}, as logging set-ups do). The stream is never closed:
     * that would close descriptor 2.
     */
    private static void onDescriptor2(String line) {
        try {
            STDERR.write((line + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // descriptor 2 cannot be written: reopen-logs says that it saw no line, after its wait
        }
    }

    /**
     * Names {@code e}, the causes between it and its root cause, and the root cause: Spring's
     * {@code ApplicationContextException} wraps the {@code PortInUseException} that names the port, which wraps
     * the {@code BindException} the kernel's error became. A cause whose text its wrapper's message already
     * holds, or that only wraps its own cause ({@code new X(cause)}), is not repeated. Reflection's wrappers
     * ({@code InvocationTargetException}, as a launcher such as Spring Boot's {@code JarLauncher} throws from its
     * {@code main}) are looked through.
     */
    public static String describe(Throwable e) {
        while ((e instanceof InvocationTargetException || e instanceof UndeclaredThrowableException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        StringBuilder text = new StringBuilder(e.toString());
        Throwable shown = e;
        int depth = 0;
        for (Throwable cause = e.getCause(); cause != null && cause != shown; cause = cause.getCause()) {
            boolean root = cause.getCause() == null || cause.getCause() == cause || ++depth == 32; // a cycle, say
            String message = String.valueOf(cause.getMessage());
            boolean repeated = String.valueOf(shown.getMessage()).contains(message)
                    || message.equals(String.valueOf(cause.getCause())); // a bare wrapper: new X(cause)
            if (root || !repeated) {
                text.append(root ? "; root cause: " : "; caused by: ").append(cause);
            }
            if (root) {
                break;
            }
            shown = cause;
        }
        return text.toString();
    }
}
