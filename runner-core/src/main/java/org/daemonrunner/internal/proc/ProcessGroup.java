// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.daemonrunner.StopSchedule;

/** What is left of a daemon's process group once the daemon has exited: the processes it started. */
public final class ProcessGroup {
    private ProcessGroup() {
    }

    /**
     * Ends what is left of the daemon's process group, signalling only members of that group in the daemon's own
     * session (never the session's leader: see {@link ProcessTable#groupMembers}), with the schedule's signals (KILL as KILL, any other as TERM); returns a note for the operator, empty
     * when nothing was left.
     *
     * @param daemon the daemon's stat, read before it was stopped
     */
    public static String end(ProcessTable.Stat daemon, StopSchedule schedule) {
        List<ProcessHandle> members = ProcessTable.groupMembers(daemon.group(), daemon.session(), daemon.pid());
        if (members.isEmpty()) {
            return "";
        }
        int count = members.size();
        for (StopSchedule.Step step : schedule.steps()) {
            for (ProcessHandle member : members) {
                if (step.signal().equals(Signal.KILL.name())) {
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
        StringBuilder note = new StringBuilder("; ended ").append(count - members.size())
                .append(" process(es) it had started");
        if (!members.isEmpty()) {
            note.append(", ").append(members.size()).append(" still running:");
            for (ProcessHandle member : members) {
                note.append(' ').append(member.pid());
            }
        }
        return note.toString();
    }
}
