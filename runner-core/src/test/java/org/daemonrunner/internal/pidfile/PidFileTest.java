// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.pidfile;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.daemonrunner.it.Await.await;
import static org.junit.jupiter.api.condition.OS.LINUX;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeoutException;
import org.daemonrunner.internal.pidfile.PidFileState.Status;
import org.daemonrunner.internal.proc.UserAccount;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@EnabledOnOs(LINUX)
class PidFileTest {
    private static final Duration STARTUP = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Path pidfile;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void setUp() {
        pidfile = dir.resolve("app.pid");
    }

    @AfterEach
    void killEveryProcessThisTestStarted() throws InterruptedException {
        for (Process process : started) {
            process.destroyForcibly(); // SIGKILL to this exact pid
            process.waitFor(10, SECONDS);
        }
        started.clear();
    }

    // --- acquire, writePid, close -------------------------------------------------------------------------------

    @Test
    void acquireCreatesTheFileAndWritesNothingYet() throws IOException {
        assertThat(pidfile).doesNotExist();

        try (PidFile locked = PidFile.acquire(pidfile, Duration.ZERO)) {
            assertThat(pidfile).isRegularFile().isEmptyFile();
            assertThat(locked.path()).isEqualTo(pidfile);
            assertThat(locked.previousContent()).isEmpty();
        }
    }

    @Test
    void writePidWritesThePidAndANewline() throws IOException {
        try (PidFile locked = PidFile.acquire(pidfile, Duration.ZERO)) {
            locked.writePid(4242);

            assertThat(Files.readString(pidfile, US_ASCII)).isEqualTo("4242\n");
        }
    }

    @Test
    void writePidReplacesALongerPreviousContent() throws IOException {
        Files.writeString(pidfile, "123456789\nsomething else\n");

        try (PidFile locked = PidFile.acquire(pidfile, Duration.ZERO)) {
            locked.writePid(7);

            assertThat(Files.readString(pidfile, US_ASCII)).startsWith("7\n").doesNotContain("something else");
        }
    }

    @Test
    void acquireTakesOverAStaleFileAndReportsWhatItRecorded() throws IOException {
        Files.writeString(pidfile, "4194305\n");

        try (PidFile locked = PidFile.acquire(pidfile, Duration.ZERO)) {
            assertThat(locked.previousContent()).isEqualTo("4194305");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc\n", "server.port=8080\n", "-1", "0", "+12", "123abc"})
    void aFileNoDaemonCouldHaveLeftIsNeitherTakenOverNorRemovedAndStaysAsItWas(String content) throws IOException {
        Files.writeString(pidfile, content, US_ASCII);

        assertThatThrownBy(() -> PidFile.acquire(pidfile, Duration.ZERO)).isInstanceOf(IOException.class)
                .hasMessageContaining("was left as it is: it records '" + content.strip() + "', not a pid");
        PidFileState kept = PidFile.removeIfStale(pidfile);

        assertThat(kept.status()).isEqualTo(Status.STALE);
        assertThat(kept.detail()).startsWith("it records '" + content.strip() + "', not a pid");
        assertThat(PidFile.notAPidfile(pidfile)).contains(kept.detail());
        assertThat(Files.readString(pidfile, US_ASCII)).isEqualTo(content);
    }

    @Test
    void aFileLongerThanAnyPidfileIsKeptWhateverItsFirstLine() throws IOException {
        Files.writeString(pidfile, "4242\n" + "#".repeat(1100), US_ASCII);

        assertThat(PidFile.removeIfStale(pidfile).detail()).isEqualTo("it is 1105 bytes long, which no pidfile is");
        assertThat(pidfile).exists();
    }

    @Test
    void closeRemovesTheFile() throws IOException {
        PidFile locked = PidFile.acquire(pidfile, Duration.ZERO);
        locked.writePid(4242);

        locked.close();

        assertThat(pidfile).doesNotExist();
        locked.close(); // a second close does nothing
        assertThat(pidfile).doesNotExist();
    }

    @Test
    void closeDoesNotRemoveAFileThatReplacedOurs() throws IOException {
        PidFile locked = PidFile.acquire(pidfile, Duration.ZERO);
        Files.delete(pidfile);
        Files.writeString(pidfile, "someone else's\n");

        locked.close();

        assertThat(pidfile).hasContent("someone else's");
    }

    @Test
    void aFailedSecondAcquireInTheSameJvmKeepsTheFirstLock() throws IOException {
        try (PidFile locked = PidFile.acquire(pidfile, Duration.ZERO)) {
            assertThat(locked.path()).isEqualTo(pidfile);
            assertThat(kernelLocksOn(pidfile)).isNotEmpty();

            assertThatThrownBy(() -> PidFile.acquire(pidfile, Duration.ZERO)).isInstanceOf(IOException.class);

            assertThat(kernelLocksOn(pidfile)).as("the first PidFile's POSIX lock").isNotEmpty();
        }
    }

    @Test
    void inspectFromTheHoldingJvmReportsRunningAndKeepsTheLock() throws IOException {
        try (PidFile locked = PidFile.acquire(pidfile, Duration.ZERO)) {
            locked.writePid(ProcessHandle.current().pid());

            PidFileState state = PidFile.inspect(pidfile);

            assertThat(kernelLocksOn(pidfile)).as("this JVM's POSIX lock after inspect").isNotEmpty();
            assertThat(state.status()).isEqualTo(Status.RUNNING);
            assertThat(state.holder()).isEqualTo(ProcessHandle.current().pid());
        }
    }

    // --- inspect and removeIfStale without a holder -------------------------------------------------------------

    @Test
    void inspectOfAMissingFileIsAbsent() throws IOException {
        PidFileState state = PidFile.inspect(pidfile);

        assertThat(state.status()).isEqualTo(Status.ABSENT);
        assertThat(state.path()).isEqualTo(pidfile);
        assertThat(state.runningPid()).isEmpty();
    }

    @Test
    void removeIfStaleOfAMissingFileIsAbsent() throws IOException {
        assertThat(PidFile.removeIfStale(pidfile).status()).isEqualTo(Status.ABSENT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "123abc", "99999999999", "0", "-1", "1", "1\n", "  42 \n", "x\n1\n"})
    void inspectOfAnUnlockedFileIsStaleWhateverItRecords(String content) throws IOException {
        Files.writeString(pidfile, content, US_ASCII);

        PidFileState state = PidFile.inspect(pidfile);

        assertThat(state.status()).isEqualTo(Status.STALE).isNotEqualTo(Status.RUNNING);
        assertThat(state.holder()).isZero();
        assertThat(state.runningPid()).isEmpty();
        assertThat(state.recorded()).isEqualTo(content.lines().findFirst().orElse("").strip());
        assertThat(state.staleReason()).isNotEmpty();
        assertThat(Files.readString(pidfile, US_ASCII)).as("inspect must not change the file").isEqualTo(content);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "\n\n", "\0\0\0\0", "99999999999", "1", "4242\n"})
    void removeIfStaleRemovesAnUnlockedFileADaemonCouldHaveLeft(String content) throws IOException {
        Files.writeString(pidfile, content, US_ASCII);

        PidFileState removed = PidFile.removeIfStale(pidfile);

        assertThat(removed.status()).isEqualTo(Status.STALE);
        assertThat(removed.detail()).isEmpty();
        assertThat(pidfile).doesNotExist();
    }

    @Test
    @Timeout(30)
    void inspectOfAnUnlockedFileRecordingTheLivePidOfAnUnrelatedProcessIsStale() throws IOException {
        Process sleep = startSleep();
        Files.writeString(pidfile, sleep.pid() + "\n");

        PidFileState state = PidFile.inspect(pidfile);

        assertThat(state.status()).isEqualTo(Status.STALE);
        assertThat(state.runningPid()).isEmpty();
        assertThat(state.recorded()).isEqualTo(Long.toString(sleep.pid()));
        assertThat(sleep.isAlive()).isTrue();
    }

    @Test
    void inspectOfAnUnlockedFileRecordingThisJvmsPidIsStale() throws IOException {
        Files.writeString(pidfile, ProcessHandle.current().pid() + "\n");

        assertThat(PidFile.inspect(pidfile).status()).isEqualTo(Status.STALE);
    }

    @Test
    @Timeout(30)
    void removeIfStaleRemovesAFileRecordingALiveUnrelatedProcessWithoutTouchingTheProcess() throws IOException {
        Process sleep = startSleep();
        Files.writeString(pidfile, sleep.pid() + "\n");

        PidFileState removed = PidFile.removeIfStale(pidfile);

        assertThat(removed.status()).isEqualTo(Status.STALE);
        assertThat(pidfile).doesNotExist();
        assertThat(sleep.isAlive()).as("the unrelated process must not be signalled").isTrue();
    }

    @Test
    @Timeout(30)
    void staleReasonDoesNotClaimThatALiveProcessIsNotRunning() throws IOException {
        Process sleep = startSleep();
        Files.writeString(pidfile, sleep.pid() + "\n");

        PidFileState state = PidFile.inspect(pidfile);

        assertThat(state.status()).isEqualTo(Status.STALE);
        assertThat(sleep.isAlive()).isTrue();
        assertThat(state.staleReason()).doesNotContain("process " + sleep.pid() + " is not running");
    }

    @Test
    void staleReasonSaysWhatTheFileRecorded() throws IOException {
        Files.writeString(pidfile, "");
        assertThat(PidFile.inspect(pidfile).staleReason()).isEqualTo("it is empty");
        Files.writeString(pidfile, "123abc\n");
        assertThat(PidFile.inspect(pidfile).staleReason()).contains("'123abc'").contains("not a pid");
        Files.writeString(pidfile, "99999999\n");
        assertThat(PidFile.inspect(pidfile).staleReason()).isEqualTo("process 99999999 is not running");
    }

    // --- another process holds the lock -------------------------------------------------------------------------

    @Test
    @Timeout(30)
    void inspectShowsRunningWithTheHoldersPidWhileAnotherProcessHoldsTheLock() throws IOException {
        Process holder = startLockHolder();

        PidFileState state = PidFile.inspect(pidfile);

        assertThat(state.status()).isEqualTo(Status.RUNNING);
        assertThat(state.holder()).isEqualTo(holder.pid());
        assertThat(state.runningPid()).hasValue(holder.pid());
        assertThat(state.ready()).isTrue();
        assertThat(state.stopping()).isFalse();
        assertThat(state.recorded()).isEqualTo(Long.toString(holder.pid()));
        assertThat(PidFile.inspect(pidfile).status()).as("inspect takes no lock").isEqualTo(Status.RUNNING);
    }

    @Test
    @Timeout(30)
    void theRecordedHolderIsConfirmedFromTheLocksOfItsOwnDescriptor() throws IOException {
        Process holder = startLockHolder();

        Optional<PidFileState> found = Inspection.heldByRecordedPid(pidfile, FileKey.of(pidfile),
                Inspection.Content.read(pidfile));

        assertThat(found).as("pid %d's fdinfo shows its locks on %s", holder.pid(), pidfile).isPresent();
        PidFileState state = found.get();
        assertThat(state.status()).isEqualTo(Status.RUNNING);
        assertThat(state.holder()).isEqualTo(holder.pid());
        assertThat(state.ready()).isTrue();
        assertThat(state.stopping()).isFalse();
        Process other = startSleep();
        assertThat(Inspection.heldByRecordedPid(pidfile, FileKey.of(pidfile),
                new Inspection.Content(Long.toString(other.pid()))))
                .as("a recorded pid now given to another live process (a reused pid) is not the holder").isEmpty();
        Files.writeString(pidfile, other.pid() + "\n"); // the holder's file now names the other process
        assertThat(PidFile.inspect(pidfile).holder()).as("the kernel's lock decides, not the content")
                .isEqualTo(holder.pid());
    }

    @Test
    @Timeout(30)
    void aRecordedPidThatHasTheFileOpenWithoutItsLockIsNotTakenForTheHolder() throws IOException {
        Process holder = startLockHolder();
        String self = Long.toString(ProcessHandle.current().pid());

        try (FileChannel open = FileChannel.open(pidfile, StandardOpenOption.READ)) {
            Files.writeString(pidfile, self + "\n"); // the content now names this JVM, which has the file open
            assertThat(Inspection.heldByRecordedPid(pidfile, FileKey.of(pidfile), Inspection.Content.read(pidfile))).isEmpty();
            assertThat(Inspection.heldByRecordedPid(pidfile, FileKey.of(pidfile), new Inspection.Content("1"))).isEmpty();
            assertThat(Inspection.heldByRecordedPid(pidfile, FileKey.of(pidfile),
                    new Inspection.Content("+" + holder.pid()))).isEmpty();

            PidFileState state = PidFile.inspect(pidfile);

            assertThat(state.status()).isEqualTo(Status.RUNNING);
            assertThat(state.holder()).as("the lock's holder, not the pid the file names").isEqualTo(holder.pid());
            assertThat(state.recorded()).isEqualTo(self);
        }
    }

    @Test
    @Timeout(30)
    void acquireFailsWhileAnotherLiveProcessHoldsTheLock() throws IOException {
        Process holder = startLockHolder();

        PidFileLockedException e = catchThrowableOfType(PidFileLockedException.class,
                () -> PidFile.acquire(pidfile, Duration.ZERO));

        assertThat(e).as("acquire while pid %d holds the lock", holder.pid()).isNotNull();
        assertThat(e.state().status()).isEqualTo(Status.RUNNING);
        assertThat(e.state().holder()).isEqualTo(holder.pid());
        assertThat(e.path()).isEqualTo(pidfile);
        assertThat(e).hasMessageContaining(Long.toString(holder.pid()));
        assertThat(Files.readString(pidfile, US_ASCII)).as("a failed acquire must not touch the content")
                .isEqualTo(holder.pid() + "\n");
        assertThat(PidFile.inspect(pidfile).holder()).as("the holder keeps its lock").isEqualTo(holder.pid());
    }

    @Test
    @Timeout(30)
    void acquireDoesNotWaitForARunningDaemonThatIsNotStopping() throws IOException {
        Process holder = startLockHolder();
        long begin = System.nanoTime();

        assertThatThrownBy(() -> PidFile.acquire(pidfile, Duration.ofSeconds(10)))
                .isInstanceOf(PidFileLockedException.class)
                .hasMessageContaining(Long.toString(holder.pid()));
        assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    @Timeout(30)
    void removeIfStaleLeavesAFileThatAnotherProcessHolds() throws IOException {
        Process holder = startLockHolder();

        PidFileState state = PidFile.removeIfStale(pidfile);

        assertThat(state.status()).isEqualTo(Status.RUNNING);
        assertThat(state.holder()).isEqualTo(holder.pid());
        assertThat(pidfile).exists();
        assertThat(PidFile.inspect(pidfile).holder()).isEqualTo(holder.pid());
    }

    @Test
    @Timeout(30)
    void afterTheHolderIsKilledTheFileIsStaleAndAcquireTakesItOver() throws Exception {
        Process holder = startLockHolder();
        long pid = holder.pid();

        killAndWait(holder);

        PidFileState state = PidFile.inspect(pidfile);
        assertThat(state.status()).isEqualTo(Status.STALE);
        assertThat(state.recorded()).isEqualTo(Long.toString(pid));
        try (PidFile locked = PidFile.acquire(pidfile, Duration.ZERO)) {
            assertThat(locked.previousContent()).isEqualTo(Long.toString(pid));
            locked.writePid(ProcessHandle.current().pid());
            assertThat(Files.readString(pidfile, US_ASCII)).isEqualTo(ProcessHandle.current().pid() + "\n");
        }
        assertThat(pidfile).doesNotExist();
    }

    @Test
    @Timeout(30)
    void awaitReleaseReturnsFalseAfterItsTimeoutWhileTheHolderLives() throws Exception {
        Process holder = startLockHolder();

        try (PidFileWatch watch = PidFile.watch(pidfile)) {
            assertThat(watch.state().status()).isEqualTo(Status.RUNNING);
            assertThat(watch.state().holder()).isEqualTo(holder.pid());
            long begin = System.nanoTime();

            boolean released = watch.awaitRelease(Duration.ofMillis(300));

            Duration waited = Duration.ofNanos(System.nanoTime() - begin);
            assertThat(released).isFalse();
            assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(250)).isLessThan(Duration.ofSeconds(5));
        }
        assertThat(holder.isAlive()).isTrue();
        assertThat(PidFile.inspect(pidfile).holder()).as("the holder keeps its lock").isEqualTo(holder.pid());
    }

    @Test
    @Timeout(30)
    void awaitReleaseIsWokenByTheHoldersDeathLongBeforeItsTimeout() throws Exception {
        Process holder = startLockHolder();
        long self = ProcessHandle.current().pid();

        try (PidFileWatch watch = PidFile.watch(pidfile)) {
            assertThat(watch.state().holder()).isEqualTo(holder.pid());
            FutureTask<Boolean> release = new FutureTask<>(() -> watch.awaitRelease(Duration.ofSeconds(25)));
            Thread waiter = new Thread(release, "awaitRelease");
            waiter.setDaemon(true);
            waiter.start();
            await("this JVM (pid " + self + ") to be blocked on the pidfile lock in /proc/locks",
                    Duration.ofSeconds(10), () -> isBlockedOnALock(self));
            assertThat(release.isDone()).as("awaitRelease returned while the holder lives").isFalse();

            long killedAt = System.nanoTime();
            holder.destroyForcibly();
            boolean released = release.get(10, SECONDS); // a loaded machine may take seconds to tear a JVM down

            assertThat(released).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(10));
        }
    }

    @Test
    void watchOfAMissingFileIsAbsentAndAwaitReleaseReturnsAtOnce() throws IOException {
        try (PidFileWatch watch = PidFile.watch(pidfile)) {
            assertThat(watch.state().status()).isEqualTo(Status.ABSENT);
            assertThat(watch.awaitRelease(Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    @Timeout(30)
    void watchOfAStaleFileIsStaleAndAwaitReleaseReturnsAtOnce() throws IOException {
        Files.writeString(pidfile, "4242\n");

        try (PidFileWatch watch = PidFile.watch(pidfile)) {
            assertThat(watch.state().status()).isEqualTo(Status.STALE);
            long begin = System.nanoTime();
            assertThat(watch.awaitRelease(Duration.ofSeconds(5))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - begin)).isLessThan(Duration.ofSeconds(1));
        }
        assertThat(pidfile).as("watching must not remove the file").exists();
    }

    // --- things at the path that are not pidfiles ---------------------------------------------------------------

    @Test
    void acquireRefusesASymbolicLinkAndInspectCannotTell() throws IOException {
        Path target = dir.resolve("target.txt");
        Files.writeString(target, "precious\n");
        Files.createSymbolicLink(pidfile, target);

        assertThatThrownBy(() -> PidFile.acquire(pidfile, Duration.ZERO))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("symbolic link");
        assertThat(target).hasContent("precious");
        assertThat(Files.isSymbolicLink(pidfile)).isTrue();

        PidFileState state = PidFile.inspect(pidfile);
        assertThat(state.status()).isEqualTo(Status.UNKNOWN);
        assertThat(state.detail()).contains("symbolic link").contains(pidfile.toString());
    }

    @Test
    void acquireExplainsASymbolicLinkNamingThePathAndWhatToDo() throws IOException {
        Files.createSymbolicLink(pidfile, dir.resolve("target.txt"));

        assertThatThrownBy(() -> PidFile.acquire(pidfile, Duration.ZERO))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(pidfile.toString())
                .hasMessageContaining("refusing to open a pidfile that is a symbolic link")
                .hasMessageContaining("remove it or choose another path");
        assertThatThrownBy(() -> PidFile.removeIfStale(pidfile))
                .hasMessageContaining(pidfile.toString())
                .hasMessageContaining("refusing to open a pidfile that is a symbolic link");
    }

    @Test
    void acquireRefusesADanglingSymbolicLinkWithoutCreatingItsTarget() throws IOException {
        Path target = dir.resolve("nowhere.pid");
        Files.createSymbolicLink(pidfile, target);

        assertThatThrownBy(() -> PidFile.acquire(pidfile, Duration.ZERO))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("symbolic link");
        assertThat(target).doesNotExist();
        assertThat(PidFile.inspect(pidfile).status()).isEqualTo(Status.UNKNOWN);
    }

    @Test
    void removeIfStaleRefusesASymbolicLink() throws IOException {
        Path target = dir.resolve("target.txt");
        Files.writeString(target, "precious\n");
        Files.createSymbolicLink(pidfile, target);

        assertThatThrownBy(() -> PidFile.removeIfStale(pidfile)).isInstanceOf(IOException.class)
                .hasMessageContaining("symbolic link");
        assertThat(Files.isSymbolicLink(pidfile)).isTrue();
        assertThat(target).hasContent("precious");
    }

    @Test
    void inspectOfADirectoryCannotTell() throws IOException {
        Files.createDirectory(pidfile);

        PidFileState state = PidFile.inspect(pidfile);

        assertThat(state.status()).isEqualTo(Status.UNKNOWN);
        assertThat(state.detail()).contains("directory").contains(pidfile.toString());
        assertThatThrownBy(() -> PidFile.acquire(pidfile, Duration.ZERO)).isInstanceOf(IOException.class);
        assertThat(pidfile).isDirectory();
    }

    // --- helpers -------------------------------------------------------------------------------------------------

    /** Starts {@link LockHolder} on {@link #pidfile} in a child JVM and waits until it says it holds the lock. */
    // --- checkSafe (as root) ------------------------------------------------------------------------------------

    @Test
    void asRootAPidfileUnderASymlinkedDirectoryIsJudgedByTheDirectoryItLeadsTo() throws IOException {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "only root checks the pidfile's path (CI runs as root)");
        Path real = Files.createDirectory(dir.resolve("run"));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path link = Files.createSymbolicLink(dir.resolve("var-run"), real); // as Debian's /var/run -> /run

        PidFile.checkSafe(link.resolve("app.pid"), -1);

        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path toOpen = Files.createSymbolicLink(dir.resolve("to-open"), open);
        assertThatThrownBy(() -> PidFile.checkSafe(toOpen.resolve("app.pid"), -1)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("refusing pidfile directory " + open + " (where " + toOpen + " leads): it is"
                        + " world-writable (mode 0777)");
        Path file = Files.createFile(real.resolve("app.pid"));
        Files.setOwner(file, file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("65534"));
        assertThatThrownBy(() -> PidFile.checkSafe(link.resolve("app.pid"), -1)).isInstanceOf(IOException.class)
                .hasMessageStartingWith("refusing pidfile " + link.resolve("app.pid") + ": it is owned by uid 65534")
                .hasMessageContaining("if the daemon runs as uid 65534, set that user (DaemonContext.user;"
                        + " daemonrunner.jar: --user NAME, as start had it)");
    }

    private Process startLockHolder() throws IOException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        Path stderr = dir.resolve("holder-" + started.size() + ".err");
        Process process = new ProcessBuilder(java, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                "-cp", System.getProperty("java.class.path"), LockHolder.class.getName(), pidfile.toString())
                .redirectError(stderr.toFile())
                .start();
        started.add(process);
        BufferedReader stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8));
        FutureTask<String> firstLine = new FutureTask<>(stdout::readLine);
        Thread reader = new Thread(firstLine, "LockHolder stdout");
        reader.setDaemon(true);
        reader.start();
        String line;
        try {
            line = firstLine.get(STARTUP.toSeconds(), SECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("LockHolder (pid " + process.pid() + ") did not print 'locked' within "
                    + STARTUP.toSeconds() + " s; stderr: " + read(stderr), e);
        } catch (ExecutionException e) {
            throw new UncheckedIOException("reading LockHolder's stdout failed", (IOException) e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for LockHolder", e);
        }
        assertThat(line).as("LockHolder (pid %d) first line; stderr: %s", process.pid(), read(stderr))
                .isEqualTo("locked");
        return process;
    }

    private Process startSleep() throws IOException {
        Process process = new ProcessBuilder("sleep", "60").start();
        started.add(process);
        return process;
    }

    private static void killAndWait(Process process) throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(10, SECONDS)).as("pid %d exited after SIGKILL", process.pid()).isTrue();
    }

    /** Whether {@code pid} waits for a lock: {@code /proc/locks} shows it as "N: -> POSIX ...". */
    private static boolean isBlockedOnALock(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc/locks")).stream()
                    .map(line -> line.trim().split("\\s+"))
                    .anyMatch(f -> f.length > 5 && f[1].equals("->") && Arrays.asList(f).contains(Long.toString(pid)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The kernel's POSIX locks on {@code file}, read from /proc/locks without opening the file. */
    private static List<LockTable.Entry> kernelLocksOn(Path file) throws IOException {
        return LockTable.locksOn(FileKey.of(file)).entries();
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(none)";
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
