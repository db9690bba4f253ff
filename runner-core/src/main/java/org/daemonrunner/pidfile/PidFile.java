package org.daemonrunner.pidfile;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.daemonrunner.process.ProcessTable;

/**
 * A pidfile whose lock is held for the whole life of the process that owns it.
 *
 * <p>The lock, not the file's content, is the truth: the kernel releases a POSIX record lock when its holder
 * dies, even by {@code SIGKILL}, so a file nobody holds is stale whatever it says. The content (the owner's
 * pid and a newline, as python-daemon writes it) is for people and other tools; it is never used to decide
 * whom to signal.
 *
 * <p>Locks on the file's first bytes carry the owner's state, so that other processes can read it from
 * {@code /proc/locks} without taking a lock themselves:
 * <table>
 *   <caption>Lock layout</caption>
 *   <tr><th>bytes</th><th>lock</th><th>held by</th><th>meaning</th></tr>
 *   <tr><td>0-1</td><td>write</td><td>the daemon, for its whole life</td><td>running (byte 0: alive; byte 1: a daemon, not a tool)</td></tr>
 *   <tr><td>2</td><td>write</td><td>the daemon, until {@code init()} has returned</td><td>starting</td></tr>
 *   <tr><td>3</td><td>write</td><td>the daemon, once {@code init()} has returned</td><td>ready</td></tr>
 *   <tr><td>4</td><td>write</td><td>the daemon</td><td>asked to stop, on its way out</td></tr>
 *   <tr><td>0</td><td>write</td><td>a tool, for a moment</td><td>removing a stale pidfile</td></tr>
 *   <tr><td>0</td><td>read</td><td>{@code stop} or {@code start}</td><td>waiting for the daemon to exit</td></tr>
 *   <tr><td>2</td><td>read</td><td>{@code start}</td><td>waiting for a starting daemon to be ready (or die)</td></tr>
 * </table>
 *
 * <p>An owner removes the file while still holding the lock, and whoever locks the file checks afterwards that
 * the file it locked is still the one at the path (it may have been removed while it waited), so two owners can
 * never each believe they own the path. The owner never opens the file a second time: closing any descriptor
 * of the file would drop its POSIX lock.
 *
 * <p>Finding the holder needs Linux's {@code /proc/locks} and {@code /proc/PID/fd}. The process the file names
 * is asked first, through the locks {@code /proc/PID/fdinfo} lists for its descriptor of the file, which is
 * cheaper than reading {@code /proc/locks} (see {@link LockTable}); the content only says whom to ask first,
 * and the kernel's answer decides.
 */
public final class PidFile implements AutoCloseable {
    static final long LIFE = 0;
    static final long DAEMON = 1;
    static final long STARTING = 2;
    static final long READY = 3;
    static final long STOPPING = 4;

    private static final int MAX_RECORDED = 64;
    private static final int MAX_ATTEMPTS = 16;

    /**
     * The pidfiles this JVM holds. Opening and closing a held file again in this process would drop its POSIX
     * lock, so the operations below answer from here instead for a file this JVM holds.
     */
    private static final Map<FileKey, PidFile> HELD = new ConcurrentHashMap<>();

    private final Path path;
    private final FileChannel channel;
    private final String previous;
    private final FileKey key;
    private final FileLock starting;
    private volatile boolean removalArranged;

    private PidFile(Path path, FileChannel channel, String previous, FileKey key, FileLock starting) {
        this.path = path;
        this.channel = channel;
        this.previous = previous;
        this.key = key;
        this.starting = starting;
    }

    /** Returns the pidfile this JVM holds at {@code path}, if it holds one. */
    private static PidFile heldHere(Path path) {
        if (HELD.isEmpty()) {
            return null;
        }
        try {
            return HELD.get(FileKey.of(path));
        } catch (IOException e) {
            return null;
        }
    }

    private static PidFileState runningHere(Path path) {
        return new PidFileState(path, PidFileState.Status.RUNNING, ProcessHandle.current().pid(), false, false,
                Long.toString(ProcessHandle.current().pid()), "");
    }

    /**
     * Takes the pidfile's lifetime lock for this process, creating the file if needed.
     *
     * <p>A stale file (nobody holds its lock) is taken over. A file held by a daemon that is stopping, or
     * by a tool for a moment, is waited for, up to {@code waitForRelease}, waking the moment the lock is released.
     *
     * @param path the pidfile; its directory must exist
     * @param waitForRelease how long to wait for a stopping daemon to exit
     * @return the pidfile, locked by this process; nothing is written to it yet
     * @throws PidFileLockedException when a running daemon holds the lock, or it was not released in time
     * @throws IOException when the file cannot be opened or locked (the message names the path)
     */
    public static PidFile acquire(Path path, Duration waitForRelease) throws IOException {
        Objects.requireNonNull(path, "path");
        long deadline = deadline(waitForRelease);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            if (heldHere(path) != null) {
                throw new PidFileLockedException(runningHere(path), "this process already holds pidfile " + path);
            }
            FileChannel channel = open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            boolean keep = false;
            try {
                FileLock lock = tryLock(channel, LIFE, 2, false);
                if (lock == null) {
                    PidFileState state = inspect(path);
                    if (state.status() == PidFileState.Status.RUNNING && !state.stopping()) {
                        throw new PidFileLockedException(state, "already running with pid " + state.holder());
                    }
                    lock = lockBefore(channel, LIFE, 2, false, deadline);
                    if (lock == null) {
                        state = inspect(path);
                        throw new PidFileLockedException(state, "pidfile " + path + " is still locked"
                                + (state.status() == PidFileState.Status.RUNNING ? " by pid " + state.holder() : "")
                                + " after waiting " + waitForRelease.toMillis() + " ms for it to be released");
                    }
                }
                if (!isStillAt(path)) {
                    continue; // the file we locked was removed by its previous owner while we waited
                }
                String previous = readRecorded(channel);
                // blocking: a start waiting for readiness may hold a shared lock on this byte for a moment
                FileLock starting = channel.lock(STARTING, 1, false);
                PidFile pidfile = new PidFile(path, channel, previous, FileKey.of(path), starting);
                HELD.put(pidfile.key, pidfile);
                keep = true;
                return pidfile;
            } finally {
                if (!keep) {
                    channel.close();
                }
            }
        }
        throw new IOException("Cannot lock pidfile " + path + ": it was replaced " + MAX_ATTEMPTS
                + " times while we tried. Is another program removing it?");
    }

    /** Returns the pidfile's path. */
    public Path path() {
        return path;
    }

    /**
     * Returns what the file recorded before this process took it over (a stale pid), or an empty string.
     */
    public String previousContent() {
        return previous;
    }

    /**
     * Writes {@code pid} and a newline into the file, through the locked descriptor, replacing what was there;
     * a second line records the process's start time (clock ticks after boot) and the boot id.
     *
     * @throws IOException when the write fails
     */
    public void writePid(long pid) throws IOException {
        channel.truncate(0);
        // the second line lets anyone check that the pid still names this very process (python-daemon's
        // readers and systemd read only the first)
        Optional<ProcessTable.Stat> stat = ProcessTable.stat(pid);
        String identity = stat.isPresent() ? "start=" + stat.get().startTicks() + " boot=" + ProcessTable.bootId() : "";
        ByteBuffer bytes = ByteBuffer.wrap((pid + "\n" + (identity.isEmpty() ? "" : identity + "\n"))
                .getBytes(StandardCharsets.US_ASCII));
        long position = 0;
        while (bytes.hasRemaining()) {
            position += channel.write(bytes, position);
        }
    }

    /** Records, for other processes to see, that this daemon is ready, and wakes those waiting for it. */
    public void markReady() throws IOException {
        tryLock(channel, READY, 1, false);
        starting.release();
    }

    /** Records, for other processes to see, that this daemon is stopping. */
    public void markStopping() throws IOException {
        tryLock(channel, STOPPING, 1, false);
    }

    /**
     * Arranges for the file to be removed when this JVM exits, after every shutdown hook has run, while the
     * lock is still held (the kernel releases it only when the process is gone) — if the file at the path is
     * still the one this process locked. Call it when the exit is decided (a stop was requested, {@code run()}
     * returned), not earlier: a file someone removed and another daemon re-created at the path must not go.
     *
     * @return whether the removal was arranged
     */
    public boolean removeOnExit() {
        if (!isOurs()) {
            return false;
        }
        removalArranged = true;
        new File(path.toString()).deleteOnExit();
        return true;
    }

    /**
     * Removes the file at shutdown, if {@link #removeOnExit()} was never called (the app called
     * {@code System.exit} itself) and the file at the path is still ours. This runs as a shutdown hook, alongside
     * the app's own; the usual path is {@link #removeOnExit()}, which removes the file after them.
     */
    public void removeAtShutdownUnlessArranged() {
        Thread hook = new Thread("daemonrunner-pidfile") {
            @Override
            public void run() {
                if (!removalArranged && isOurs()) {
                    try {
                        Files.deleteIfExists(path);
                    } catch (IOException e) {
                        // a stale pidfile is harmless: the next start or stop replaces or removes it
                    }
                }
            }
        };
        Runtime.getRuntime().addShutdownHook(hook);
    }

    private boolean isOurs() {
        try {
            return key.equals(FileKey.of(path));
        } catch (IOException e) {
            return false; // gone, or not ours to look at: nothing to remove
        }
    }

    /**
     * Removes the file and releases the lock. A daemon does not call this: it keeps the lock until it exits.
     */
    @Override
    public void close() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        try {
            if (isStillAt(path)) {
                Files.deleteIfExists(path);
            }
        } finally {
            HELD.remove(key, this);
            channel.close();
        }
    }

    /**
     * Finds out, without taking any lock, whether a daemon holds the pidfile. In the JVM that holds it, the
     * answer comes from memory (reading the file would drop the lock).
     *
     * @throws IOException when the pidfile's attributes cannot be read for another reason than its absence
     */
    public static PidFileState inspect(Path path) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return PidFileState.absent(path);
        }
        if (!attributes.isRegularFile()) {
            return notAPidfile(path, attributes);
        }
        if (heldHere(path) != null) {
            return runningHere(path);
        }
        if (!LockTable.isAvailable()) {
            return PidFileState.unknown(path, "/proc/locks cannot be read, so the holder of " + path
                    + " cannot be found (daemonrunner needs Linux's /proc)");
        }
        for (int attempt = 0; attempt < 3; attempt++) {
            FileKey key;
            try {
                key = FileKey.of(path);
            } catch (NoSuchFileException e) {
                return PidFileState.absent(path);
            }
            PidFileState state = inspect(path, key);
            if (state != null) {
                return state;
            }
        }
        return PidFileState.unknown(path, "the lock on " + path + " is held, but its holder could not be confirmed"
                + " (it does not have the file open, or /proc/PID/fd cannot be read)");
    }

    private static PidFileState notAPidfile(Path path, BasicFileAttributes attributes) {
        return PidFileState.unknown(path, "pidfile " + path + " is "
                + (attributes.isSymbolicLink() ? "a symbolic link" : attributes.isDirectory() ? "a directory"
                : attributes.isOther() ? "a FIFO, socket or device" : "not a regular file")
                + ", not a pidfile; remove it or choose another pidfile path");
    }

    /**
     * Returns UNKNOWN when something other than a regular file is at {@code path}, else null. Checked before
     * opening it for reading: opening a FIFO blocks until someone writes to it.
     */
    private static PidFileState checkRegular(Path path) throws IOException {
        try {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? null : notAPidfile(path, a);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * Reads the lock table for the file with identity {@code key}; returns null when the answer was not
     * consistent (the holder does not have the file open: it changed while we looked).
     */
    private static PidFileState inspect(Path path, FileKey key) throws IOException {
        if (!ProcessTable.procIsOurs()) {
            return PidFileState.unknown(path, "/proc belongs to another pid namespace than this process (a new pid"
                    + " namespace without its own /proc, as after 'unshare --pid' without '--mount-proc'), so the pids"
                    + " it shows are not the ones a signal from here would reach; run this in the daemon's"
                    + " namespace, or mount a /proc for this one");
        }
        Content content = Content.read(path);
        String recorded = content.recorded;
        PidFileState named = heldByRecordedPid(path, key, content);
        if (named != null) {
            return named;
        }
        LockTable.Match match = LockTable.locksOn(key);
        List<LockTable.Entry> locks = match.entries();
        LockTable.Entry life = null;
        for (LockTable.Entry e : locks) {
            if (e.write() && e.covers(LIFE)) {
                life = e;
                break;
            }
        }
        boolean daemon = life != null && holds(locks, life.pid(), DAEMON);
        if (!daemon) {
            // Nobody holds it, or a tool holds byte 0 for a moment to remove it: either way no daemon owns it.
            return new PidFileState(path, PidFileState.Status.STALE, 0, false, false, recorded, "");
        }
        long holder = life.pid();
        FileKey.Open open = key.openBy(holder);
        // An exact device match may be trusted when /proc/PID/fd is not ours to read; an inode-only match
        // (overlayfs, btrfs report another device in stat) needs the holder to be seen with the file open.
        if (holder <= 1 || open == FileKey.Open.NO || (open == FileKey.Open.UNKNOWN && !match.exactDevice())) {
            return null;
        }
        if (recorded.equals(Long.toString(holder)) && !sameStart(content.identity, holder)) {
            return null; // the holder's pid names a process that started at another time: look again
        }
        boolean ready = holds(locks, holder, READY);
        boolean stopping = holds(locks, holder, STOPPING);
        return new PidFileState(path, PidFileState.Status.RUNNING, holder, ready, stopping, recorded, "");
    }

    /**
     * The fast path of {@link #inspect(Path, FileKey)}: asks the process the file records whether it holds the
     * daemon's lock, from the locks the kernel lists for its descriptor of the file. Returns RUNNING if it does and
     * its start time matches the one recorded, else null (no pid recorded, another holder, none, or its
     * descriptors are not ours to read): then only the whole lock table can tell.
     */
    static PidFileState heldByRecordedPid(Path path, FileKey key, Content content) {
        String recorded = content.recorded;
        long pid = PidFileState.parsePid(recorded);
        // the start time first: a pid reused by another process is then never looked at further
        if (pid <= 1 || !sameStart(content.identity, pid)) {
            return null;
        }
        List<LockTable.Entry> locks = LockTable.heldThrough(pid, key, path.getFileName().toString());
        if (!holds(locks, pid, LIFE) || !holds(locks, pid, DAEMON)) {
            return null;
        }
        return new PidFileState(path, PidFileState.Status.RUNNING, pid, holds(locks, pid, READY),
                holds(locks, pid, STOPPING), recorded, "");
    }

    private static boolean holds(List<LockTable.Entry> locks, long pid, long offset) {
        for (LockTable.Entry e : locks) {
            if (e.pid() == pid && e.write() && e.covers(offset)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the start time and boot id the pidfile records (if any) are those of process {@code pid}. */
    private static boolean sameStart(String identity, long pid) {
        int space = identity.indexOf(" boot=");
        if (!identity.startsWith("start=") || space < 0) {
            return true; // nothing recorded (an older pidfile): the lock and the open file are the check
        }
        String ticks = identity.substring("start=".length(), space);
        String recordedBoot = identity.substring(space + " boot=".length()).trim();
        String boot = ProcessTable.bootId();
        Optional<ProcessTable.Stat> stat = ProcessTable.stat(pid);
        return stat.isPresent() && Long.toString(stat.get().startTicks()).equals(ticks)
                && (boot.isEmpty() || boot.equals(recordedBoot));
    }

    /**
     * When this process runs as root, refuses a pidfile, or a pidfile directory, that another user could
     * replace: world-writable, or owned by a user other than root and {@code trustedUid} (the daemon's user).
     *
     * @param trustedUid the uid of the daemon's configured user, or -1
     * @throws IOException naming the path, its owner or mode, and what to do
     */
    public static void checkSafe(Path path, int trustedUid) throws IOException {
        if (ProcessTable.currentUid() != 0) {
            return;
        }
        Path directory = path.toAbsolutePath().getParent();
        for (Path p : List.of(directory, path)) {
            Map<String, Object> a;
            try {
                a = Files.readAttributes(p, "unix:uid,mode", LinkOption.NOFOLLOW_LINKS);
            } catch (FileSystemException e) {
                continue; // missing, or not a directory: the action itself says so, with what to do
            }
            if (p == path && Files.isSymbolicLink(p)) {
                throw new IOException("refusing pidfile " + p + ": it is a symbolic link, which could point at any"
                        + " file. Remove it, or choose another pidfile path");
            }
            int uid = (Integer) a.get("uid");
            int mode = (Integer) a.get("mode");
            String what = p == directory ? "pidfile directory " + p : "pidfile " + p;
            if ((mode & 0002) != 0) {
                throw new IOException("refusing " + what + ": it is world-writable (mode "
                        + String.format("%04o", mode & 07777) + "), so any user could replace the pidfile. Use a"
                        + " directory only root (or the daemon's user) can write, e.g. /run/NAME");
            }
            if (uid != 0 && uid != trustedUid) {
                throw new IOException("refusing " + what + ": it is owned by uid " + uid + ", neither root nor the"
                        + " daemon's user. Give it to root (or the daemon's user), or use another path");
            }
        }
    }

    /**
     * Waits while a daemon holding the pidfile is still starting, up to {@code timeout}, waking the moment it is
     * ready or gone; returns what the pidfile says then.
     *
     * @throws IOException when the pidfile cannot be read
     */
    public static PidFileState awaitStarted(Path path, Duration timeout) throws IOException {
        long deadline = deadline(timeout);
        PidFileState state = inspect(path);
        for (int round = 0; round < MAX_ATTEMPTS && isStarting(state) && System.nanoTime() < deadline; round++) {
            FileChannel channel;
            try {
                channel = open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return PidFileState.absent(path);
            }
            try (channel) {
                // Granted when the daemon releases its "starting" byte (ready) or dies. If it has not taken that byte
                // yet, this is granted at once and the next round waits again.
                FileLock lock = lockBefore(channel, STARTING, 1, true, deadline);
                if (lock != null) {
                    lock.release();
                }
            }
            state = inspect(path);
        }
        return state;
    }

    private static boolean isStarting(PidFileState state) {
        return state.status() == PidFileState.Status.RUNNING && !state.ready() && !state.stopping();
    }

    /**
     * Removes the pidfile if no daemon holds it, taking the lock for the moment of the removal.
     *
     * @return the state of the file that was removed ({@code STALE}), or the state found if it was not removed
     * @throws IOException when the file exists but cannot be opened, locked or removed
     */
    public static PidFileState removeIfStale(Path path) throws IOException {
        if (heldHere(path) != null) {
            return runningHere(path);
        }
        FileChannel channel;
        try {
            channel = open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            return PidFileState.absent(path);
        }
        try (channel) {
            if (tryLock(channel, LIFE, 1, false) == null) {
                return inspect(path);
            }
            if (!isStillAt(path)) {
                return PidFileState.absent(path);
            }
            String recorded = readRecorded(channel);
            Files.delete(path);
            return new PidFileState(path, PidFileState.Status.STALE, 0, false, false, recorded, "");
        }
    }

    /**
     * Opens the pidfile to watch its daemon: the returned watch keeps the file open, so that it can wait for the
     * lock to be released even after the daemon has removed the file.
     *
     * @throws IOException when the pidfile exists but cannot be opened, or this process holds it
     */
    public static Watch watch(Path path) throws IOException {
        if (heldHere(path) != null) {
            throw new IOException("this process holds pidfile " + path + "; it cannot wait for itself");
        }
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            PidFileState odd = checkRegular(path);
            if (odd != null) {
                return new Watch(odd, null);
            }
            FileChannel channel;
            try {
                channel = open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return new Watch(PidFileState.absent(path), null);
            }
            FileKey key = keyIfStillAt(path);
            if (key != null) {
                PidFileState state = FileKey.canInspectDescriptors() ? inspect(path, key) : inspect(path);
                if (state != null) {
                    return new Watch(state, channel);
                }
            }
            channel.close();
        }
        throw new IOException("Cannot open pidfile " + path + ": it was replaced " + MAX_ATTEMPTS
                + " times while we tried. Is another program removing it?");
    }

    /** An open pidfile and what it said when opened; see {@link #watch(Path)}. */
    public static final class Watch implements AutoCloseable {
        private final PidFileState state;
        private final FileChannel channel;

        private Watch(PidFileState state, FileChannel channel) {
            this.state = state;
            this.channel = channel;
        }

        /** Returns what the pidfile said when it was opened. */
        public PidFileState state() {
            return state;
        }

        /**
         * Waits until the daemon that held the lock has exited (the kernel releases its lock as it exits),
         * blocking on the lock rather than polling.
         *
         * @return true once the lock is free; false if it was still held after {@code timeout} (the watch is
         *     then closed: call this once)
         * @throws IOException when waiting fails
         */
        public boolean awaitRelease(Duration timeout) throws IOException {
            if (channel == null) {
                return true;
            }
            FileLock lock = lockBefore(channel, LIFE, 1, true, deadline(timeout));
            if (lock == null) {
                return false;
            }
            lock.release();
            return true;
        }

        @Override
        public void close() throws IOException {
            if (channel != null) {
                channel.close();
            }
        }
    }

    private static FileChannel open(Path path, OpenOption... options) throws IOException {
        Set<OpenOption> withNoFollow = new HashSet<>(Arrays.asList(options));
        withNoFollow.add(LinkOption.NOFOLLOW_LINKS);
        try {
            return FileChannel.open(path, withNoFollow);
        } catch (IOException e) {
            // O_NOFOLLOW fails with ELOOP, which the JDK reports as a plain IOException
            if (!(e instanceof NoSuchFileException) && Files.isSymbolicLink(path)) {
                throw new FileSystemException(path.toString(), null,
                        "refusing to open a pidfile that is a symbolic link; remove it or choose another path");
            }
            throw e;
        }
    }

    private static FileLock tryLock(FileChannel channel, long position, long size, boolean shared)
            throws IOException {
        try {
            return channel.tryLock(position, size, shared);
        } catch (OverlappingFileLockException e) {
            throw new IOException("this JVM already holds a lock on the pidfile", e);
        }
    }

    /** Returns the {@code System.nanoTime()} deadline {@code timeout} from now, saturating (no overflow). */
    static long deadline(Duration timeout) {
        long max = Long.MAX_VALUE / 4; // about 73 years: far enough, and no overflow when added to nanoTime()
        long nanos = timeout.compareTo(Duration.ofNanos(max)) > 0 ? max : Math.max(0, timeout.toNanos());
        return System.nanoTime() + nanos;
    }

    /**
     * Blocks on a lock until it is granted or the deadline passes; a timer closes the channel at the deadline,
     * which ends the blocked call. Returns null on timeout (the channel is then closed).
     */
    static FileLock lockBefore(FileChannel channel, long position, long size, boolean shared, long deadline)
            throws IOException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return tryLock(channel, position, size, shared);
        }
        AtomicBoolean settled = new AtomicBoolean();
        Thread timer = new Thread("daemonrunner-lock-timeout") {
            @Override
            public void run() {
                try {
                    TimeUnit.NANOSECONDS.sleep(remaining);
                } catch (InterruptedException e) {
                    return; // the lock was granted
                }
                if (settled.compareAndSet(false, true)) {
                    try {
                        channel.close();
                    } catch (IOException ignored) {
                        // closing is how we end the wait; nothing else to do
                    }
                }
            }
        };
        timer.setDaemon(true);
        timer.start();
        try {
            FileLock lock = channel.lock(position, size, shared);
            boolean mine = settled.compareAndSet(false, true);
            timer.interrupt();
            return mine ? lock : null;
        } catch (ClosedChannelException closed) {
            // AsynchronousCloseException while blocked, or ClosedChannelException if the timer was first
            if (settled.get()) {
                return null;
            }
            throw closed;
        } catch (OverlappingFileLockException e) {
            throw new IOException("this JVM already holds a lock on the pidfile", e);
        }
    }

    private static boolean isStillAt(Path path) throws IOException {
        return !FileKey.canInspectDescriptors() || keyIfStillAt(path) != null;
    }

    /** Returns the identity of the file at {@code path} if this process has it open, else null. */
    private static FileKey keyIfStillAt(Path path) throws IOException {
        try {
            FileKey key = FileKey.of(path);
            return key.openBy(0) == FileKey.Open.YES ? key : null;
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static String readRecorded(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(MAX_RECORDED);
        long position = 0;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                break;
            }
            position += n;
        }
        return firstLine(buffer.array(), buffer.position());
    }

    /**
     * What a pidfile says, read once: its first line (the pid, at most {@value #MAX_RECORDED} bytes of it) and
     * its second ({@code start=TICKS boot=ID}, or empty).
     */
    static final class Content {
        final String recorded;
        final String identity;

        Content(String recorded, String identity) {
            this.recorded = recorded;
            this.identity = identity;
        }

        /** Reads the file's first bytes (not following a symbolic link); empty lines if it cannot be read. */
        static Content read(Path path) {
            byte[] bytes;
            try (InputStream in = Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes(256);
            } catch (IOException e) {
                return new Content("", "");
            }
            int end = 0;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            String identity = "";
            if (end < bytes.length) {
                int next = end + 1;
                while (next < bytes.length && bytes[next] != '\n') {
                    next++;
                }
                identity = new String(bytes, end + 1, next - end - 1, StandardCharsets.US_ASCII);
            }
            return new Content(firstLine(bytes, Math.min(bytes.length, MAX_RECORDED)), identity);
        }
    }

    private static String firstLine(byte[] bytes, int length) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < length && bytes[i] != '\n'; i++) {
            int c = bytes[i] & 0xff;
            line.append(c >= 0x20 && c < 0x7f ? (char) c : '?');
        }
        return line.toString().strip();
    }
}
