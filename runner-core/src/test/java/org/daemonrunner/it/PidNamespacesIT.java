// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Await.await;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.probe;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.daemonrunner.internal.proc.UserAccount;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Commands run in another pid namespace than the daemon's, as in a sidecar container or a {@code docker exec} that
 * shares the pidfile's volume: {@code /proc/locks} lists only the locks of processes in the reader's namespace, and a
 * daemon that is a namespace's first process is pid 1 there. No command may call the daemon stale, claim to have
 * removed its pidfile, or signal pid 1.
 */
class PidNamespacesIT extends ProbeTest {
    private static final List<String> NEW_PID_NAMESPACE = List.of("unshare", "--pid", "--fork", "--kill-child",
            "--mount-proc");

    @BeforeEach
    void needsPidNamespaces() {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "a new pid namespace (unshare --pid) needs root");
        Command.Result probe = Command.of(List.of("unshare", "--pid", "--fork", "--kill-child", "--mount-proc", "true"))
                .run(Duration.ofSeconds(10));
        Assumptions.assumeTrue(probe.exit() == 0, "unshare --pid does not work here: " + probe);
    }

    /**
     * The probe's {@code action}, run in a new pid namespace, with its files in the test directory; a shell is that
     * namespace's pid 1, as a container's init would be, since {@code start} refuses to be it.
     */
    private Command.Result inNewNamespace(String action) {
        List<String> command = new ArrayList<>(NEW_PID_NAMESPACE);
        command.addAll(List.of("sh", "-c", "\"$@\"; exit $?", "sh"));
        command.addAll(probe(action, "--dir", dir.toString()));
        return daemons.run(command);
    }

    @Test
    void aDaemonWhoseLockCannotBeSeenFromAnotherPidNamespaceIsNeverCalledStaleNorItsPidfileRemoved() throws Exception {
        long pid = startProbe();
        String content = Files.readString(pidfile);
        Command.Result status = assertExit(inNewNamespace("status"), 4);
        assertThat(status.out() + status.err()).contains("is held by a process that cannot be seen from here");
        for (String action : new String[] {"stop", "force-stop", "restart", "reload", "start"}) {
            // stop used to say "not running; removed stale pidfile" (exit 0), start "replacing stale pidfile"
            Command.Result result = assertExit(inNewNamespace(action), 1, action);
            assertThat(result.err()).as(action).contains("cannot be seen from here", "run this command in the daemon's"
                    + " pid namespace").doesNotContain("removed stale", "replacing stale");
        }
        assertThat(Files.readString(pidfile)).isEqualTo(content);
        assertThat(assertExit(probeRun("status"), 0).out()).startsWith("running with pid " + pid);
        assertThat(events()).as("one daemon ran init()").containsOnlyOnce("init ");
    }

    @Test
    void aDaemonThatIsPidOneOfItsNamespaceIsToldRunningThereButNeverSignalledFromInside() throws Exception {
        List<String> run = new ArrayList<>(NEW_PID_NAMESPACE);
        run.addAll(probe("run", "--dir", dir.toString()));
        Command.Running namespace = daemons.spawn(Command.of(run).in(dir).output(dir.resolve("run.out"),
                dir.resolve("run.err")));
        await("the daemon, pid 1 of its namespace, holding its pidfile", Duration.ofSeconds(20),
                () -> Daemons.readOrEmpty(pidfile).equals("1\n") && events().contains("run "));
        long daemon = Long.parseLong(Files.readString(Path.of("/proc", Long.toString(namespace.pid()), "task",
                Long.toString(namespace.pid()), "children")).strip());
        List<String> enter = List.of("nsenter", "--target", Long.toString(daemon), "--pid", "--mount");
        List<String> status = new ArrayList<>(enter);
        status.addAll(probe("status", "--dir", dir.toString()));
        assertThat(assertExit(daemons.run(status), 0).out()).startsWith("running with pid 1,");
        for (String action : new String[] {"stop", "force-stop", "reload", "reopen-logs", "restart"}) {
            List<String> command = new ArrayList<>(enter);
            command.addAll(probe(action, "--dir", dir.toString()));
            // stop used to fail after 16 attempts, saying the pidfile "was replaced 16 times"
            assertThat(assertExit(daemons.run(command), 1, action).err()).as(action)
                    .contains("is pid 1 of this pid namespace", "daemonrunner never signals pid 1", "Nothing was sent");
        }
        assertThat(events()).as("nothing reached the daemon").doesNotContain("reload", "stop");
        // from the host's namespace it has its own pid, and stops as any daemon does
        assertThat(assertExit(probeRun("stop"), 0).out()).isEqualTo("stopped (pid " + daemon + ")\n");
        assertExit(namespace.finish(Duration.ofSeconds(30)), 0);
    }
}
