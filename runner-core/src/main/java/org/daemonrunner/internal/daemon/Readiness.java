// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.daemon;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.daemonrunner.internal.launch.DaemonPaths;

/**
 * When a wrapped program counts as ready ({@code --ready}): its {@code main} has returned, this process listens on
 * a TCP port, or a file was created or modified since the daemon was set up (a marker left by an earlier run, as it
 * was, does not count; it is left in place).
 *
 * @param kind {@code main-returned}, {@code port} or {@code file}
 * @param port the port, for {@code port}
 * @param file the file, absolute, for {@code file}
 */
public record Readiness(String kind, int port, Path file) {
    /** The default: the program's {@code main} has returned. */
    public static final String MAIN_RETURNED = "main-returned";
    private static final long MAX_POLL_MILLIS = 20;
    /** How many looks after this process's sockets changed also read the TCP table. */
    private static final int LOOKS_AFTER_CHANGE = 3;
    /** How often the TCP table is read when this process's sockets did not change. */
    private static final long TABLE_MILLIS = 250;

    /**
     * Parses {@code main-returned}, {@code port:N} or {@code file:PATH} (relative to {@code base}).
     *
     * @throws IllegalArgumentException saying what is accepted
     */
    public static Readiness parse(String text, Path base) {
        if (text.equals(MAIN_RETURNED)) {
            return new Readiness(MAIN_RETURNED, 0, null);
        }
        if (text.startsWith("port:")) {
            try {
                int port = Integer.parseInt(text.substring(5));
                if (port > 0 && port < 65536) {
                    return new Readiness("port", port, null);
                }
            } catch (NumberFormatException e) {
                // said below
            }
        } else if (text.startsWith("file:") && text.length() > 5) {
            return new Readiness("file", 0, DaemonPaths.absolute(base, Path.of(text.substring(5))));
        }
        throw new IllegalArgumentException("Not a readiness condition: '" + text
                + "' (write main-returned, port:N with N in 1-65535, or file:PATH)");
    }

    /** The condition as {@link #parse} reads it, the file absolute. */
    @Override
    public String toString() {
        return kind.equals("port") ? "port:" + port : kind.equals("file") ? "file:" + file : kind;
    }

    /**
     * The ready marker as it is now, before the program runs: null when there is none (or the condition is not a
     * file). Taken before the program's {@code main} is called, so that a marker left by an earlier run is told from
     * one the program writes.
     */
    Marker markerBefore() {
        return kind.equals("file") ? Marker.of(file) : null;
    }

    /**
     * Whether the ready marker exists and was created or modified since {@code before} was taken: its modification
     * time or its identity (device and inode) changed. Not a comparison with a clock: a file system's timestamps may
     * be coarser than a clock's (ext4 and tmpfs take the kernel's tick; others whole seconds), and a marker written
     * just after the launch could then seem older than it. A marker rewritten within the same timestamp tick as the
     * earlier one looks unchanged (only a file system with whole-second timestamps makes that likely).
     */
    boolean markerIsNew(Marker before) {
        Marker now = Marker.of(file);
        return now != null && (before == null || !now.equals(before));
    }

    /**
     * A file's modification time and identity.
     *
     * @param modified its modification time
     * @param key its device and inode, or null where the file system has none
     */
    record Marker(FileTime modified, Object key) {
        /** The file's, or null when it does not exist (or cannot be read). */
        static Marker of(Path file) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                return new Marker(attributes.lastModifiedTime(), attributes.fileKey());
            } catch (IOException e) {
                return null;
            }
        }
    }

    /**
     * What of the condition had not happened yet, {@code markerBefore} being the marker as it was before the program
     * ran ({@link #markerBefore()}), and, with {@code advice}, what to do when it never will: the line a timed-out
     * {@code start} quotes.
     */
    String notYet(Marker markerBefore, boolean advice) {
        switch (kind) {
            case MAIN_RETURNED:
                return "its main() had not returned yet (--ready main-returned, the default)" + (!advice ? ""
                        : ". A main that blocks while the program serves (Quarkus, Jetty's server.join(), Netty's"
                        + " closeFuture().sync()) never returns: give --ready port:N or --ready file:PATH");
            case "port":
                return "this JVM was not listening on TCP port " + port + " yet (--ready port:" + port + ")"
                        + (!advice ? "" : "; it listens on " + inWords(listeningPorts()) + ". If it never listens"
                        + " on " + port + ", check the port the program was told to use, or give --ready port: the one"
                        + " it uses");
            default:
                Path directory = file.getParent();
                if (markerBefore != null && !markerIsNew(markerBefore)) {
                    return file + " was not created or modified since this daemon was launched (--ready"
                            + " file:PATH): it exists, last modified " + markerBefore.modified() + ", before the launch"
                            + (!advice ? "" : "; a marker left by an earlier run does not count, and is left in place."
                            + " If the program writes its marker only when the file is missing, delete it before start"
                            + " (or have the program delete it when it stops)");
                }
                return file + " did not exist yet (--ready file:PATH)" + (Files.isDirectory(directory)
                        ? "" : ", nor did its directory " + directory + (!advice ? "" : ". If the program does not"
                        + " create that directory, create it, or give a --ready file: path in a directory that exists"));
        }
    }

    /** {@code TCP port 8081 only}, {@code TCP ports 8081 and 9090 only}, {@code no TCP port}: for the timeout's line. */
    private static String inWords(SortedSet<Integer> listening) {
        List<String> ports = new ArrayList<>();
        for (int port : listening) {
            ports.add(Integer.toString(port));
        }
        int last = ports.size() - 1;
        return last < 0 ? "no TCP port" : last == 0 ? "TCP port " + ports.get(0) + " only"
                : "TCP ports " + String.join(", ", ports.subList(0, last)) + " and " + ports.get(last) + " only";
    }

    /**
     * Waits until the port listens or the file is new since {@code before} (for {@code main-returned}, {@code ProgramMain} reports
     * when {@code main} returns), or {@code failed} says {@code main} failed or a stop began, and returns whether the
     * condition holds.
     *
     * <p>For {@code port}: the kernel tells no one when a socket starts listening, and the table that says so,
     * {@code /proc/self/net/tcp}, costs the kernel a walk of its whole TCP hash table on every read (about 5 ms of
     * CPU on a machine with 24 GiB, more with more memory: read every 20 ms, it took a third of a core from the
     * program's start). So this process's own sockets are listed ({@code /proc/self/fd}, cheap) with a pause from
     * 1 ms doubling to {@value #MAX_POLL_MILLIS} ms, and the table is read only when that list changed (a server
     * makes, binds and listens to a socket within microseconds), on the next {@value #LOOKS_AFTER_CHANGE} looks after
     * that, and every {@value #TABLE_MILLIS} ms for a socket that listens long after it was made.
     */
    boolean await(MainFailure failed, Marker before) throws InterruptedException {
        if (!kind.equals("port")) {
            return awaitFile(failed, before);
        }
        long pause = 1;
        Set<String> seen = Set.of();
        int looksLeft = 0;
        long lastTable = System.nanoTime();
        while (!failed.happened()) {
            Set<String> sockets = socketInodes();
            if (!sockets.equals(seen)) {
                seen = sockets;
                looksLeft = LOOKS_AFTER_CHANGE + 1;
            }
            long now = System.nanoTime();
            if (!sockets.isEmpty() && (looksLeft > 0 || now - lastTable >= TimeUnit.MILLISECONDS.toNanos(TABLE_MILLIS))) {
                looksLeft = Math.max(0, looksLeft - 1);
                lastTable = now;
                if (isListening(port, sockets)) {
                    return true;
                }
            }
            TimeUnit.MILLISECONDS.sleep(pause);
            pause = Math.min(MAX_POLL_MILLIS, pause * 2);
        }
        return false;
    }

    /** Records that the program's {@code main} ended by an exception, so that readiness is never reported. */
    interface MainFailure {
        boolean happened();
    }

    private boolean awaitFile(MainFailure failed, Marker before) throws InterruptedException {
        Path directory = file.getParent();
        try (WatchService watch = directory.getFileSystem().newWatchService()) {
            directory.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            while (!failed.happened()) {
                if (markerIsNew(before)) {
                    return true;
                }
                WatchKey key = watch.poll(MAX_POLL_MILLIS, TimeUnit.MILLISECONDS); // wakes at once on a change
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
            }
            return false;
        } catch (IOException | ClosedWatchServiceException e) {
            // no watch on this directory (it does not exist yet, say): look every MAX_POLL_MILLIS
            while (!failed.happened()) {
                if (markerIsNew(before)) {
                    return true;
                }
                TimeUnit.MILLISECONDS.sleep(MAX_POLL_MILLIS);
            }
            return false;
        }
    }

    /**
     * Whether this process has a TCP socket listening on {@code port}: a {@code LISTEN} (0A) line of
     * {@code /proc/self/net/tcp} or {@code tcp6} for the port, whose inode is one of this process's sockets.
     */
    static boolean isListening(int port) {
        Set<String> sockets = socketInodes();
        return !sockets.isEmpty() && isListening(port, sockets);
    }

    /** {@link #isListening(int)}, with this process's socket inodes already listed. */
    private static boolean isListening(int port, Set<String> sockets) {
        return !listening(port, sockets).isEmpty();
    }

    /**
     * The TCP ports this process listens on, in order, read as {@link #isListening(int)} reads them: for the failure
     * that says which ports a JVM listens on when it does not on the one {@code --ready port:N} waits for.
     */
    static SortedSet<Integer> listeningPorts() {
        Set<String> sockets = socketInodes();
        return sockets.isEmpty() ? new TreeSet<>() : listening(0, sockets);
    }

    /**
     * The ports of this process's {@code sockets} that listen: only {@code port} (found first in {@code tcp6}, and
     * then {@code tcp} is not read), or every one when {@code port} is 0.
     */
    private static SortedSet<Integer> listening(int port, Set<String> sockets) {
        SortedSet<Integer> ports = new TreeSet<>();
        // tcp6 first: a JVM's sockets are IPv6 ones wherever IPv6 is on, listed there even when bound to an IPv4
        // address; each table read costs the kernel a walk of its TCP hash table
        for (String table : List.of("/proc/self/net/tcp6", "/proc/self/net/tcp")) {
            List<String> lines;
            try {
                lines = Files.readAllLines(Path.of(table));
            } catch (IOException e) {
                continue; // no IPv6, say
            }
            for (int i = 1; i < lines.size(); i++) {
                List<String> f = fields(lines.get(i));
                if (f.size() > 9 && f.get(3).equals("0A") && sockets.contains(f.get(9))) {
                    // the local address, ADDRESS:PORT in hex; no String.format, no regex: this runs in the daemon's
                    // start-up, where each costs milliseconds
                    String local = f.get(1);
                    int listens = Integer.parseInt(local.substring(local.lastIndexOf(':') + 1), 16);
                    if (port == 0 || listens == port) {
                        ports.add(listens);
                    }
                }
            }
            if (port != 0 && !ports.isEmpty()) {
                return ports;
            }
        }
        return ports;
    }

    /** The space-separated fields of a {@code /proc/net/tcp} line. */
    private static List<String> fields(String line) {
        List<String> fields = new ArrayList<>(12);
        int start = -1;
        for (int i = 0; i <= line.length(); i++) {
            boolean space = i == line.length() || line.charAt(i) == ' ';
            if (space && start >= 0) {
                fields.add(line.substring(start, i));
                start = -1;
            } else if (!space && start < 0) {
                start = i;
            }
        }
        return fields;
    }

    private static Set<String> socketInodes() {
        Set<String> inodes = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring(8, target.length() - 1));
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            // none seen
        }
        return inodes;
    }
}
