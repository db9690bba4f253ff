// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.daemonrunner.StopSchedule;

/** What is left of a daemon's process group once the daemon has exited: the processes it started. */
public final class ProcessGroup {
    private ProcessGroup() {
    }

    /**
     * Ends what is left of the daemon's process group, signalling only members of that group in the daemon's own
     * session (never the session's leader: see {@link ProcessTable#groupMembers}), with the schedule's signals (KILL
     * as KILL, any other as TERM); returns a note for the operator, empty when nothing was left.
     *
     * @param daemon the daemon's stat, read before it was stopped
     */
    public static String end(ProcessTable.Stat daemon, StopSchedule schedule) {
        return end(daemon.group(), daemon.session(), daemon.pid(), schedule);
    }

    /**
     * Ends what is left of process group {@code group} of session {@code session}, but {@code except} and the
     * session's leader, as {@link #end(ProcessTable.Stat, StopSchedule)} does: for a failed {@code start}, whose
     * daemon is gone.
     */
    public static String end(long group, long session, long except, StopSchedule schedule) {
        List<ProcessHandle> handles = ProcessTable.groupMembers(group, session, except);
        if (handles.isEmpty()) {
            return "";
        }
        int count = handles.size();
        List<ProcessTable.Stat> members = new ArrayList<>(count);
        for (ProcessHandle handle : handles) {
            Optional<ProcessTable.Stat> stat = ProcessTable.stat(handle.pid());
            if (stat.isPresent()) {
                members.add(stat.get());
            }
        }
        for (StopSchedule.Step step : schedule.steps()) {
            for (ProcessHandle member : handles) {
                if (!isAmong(member.pid(), members)) {
                    continue; // exited (a zombie is not signalled again, nor waited for)
                }
                if (step.signal().equals(Signal.KILL.name())) {
                    ProcessControl.kill(member);
                } else {
                    ProcessControl.terminate(member);
                }
            }
            if (ProcessTable.awaitExited(members, step.timeout())) {
                break;
            }
        }
        StringBuilder note = new StringBuilder("; ended ").append(count - members.size())
                .append(" process(es) it had started");
        if (!members.isEmpty()) {
            note.append(", ").append(members.size()).append(" still running:");
            for (ProcessTable.Stat member : members) {
                note.append(' ').append(member.pid());
            }
        }
        return note.toString();
    }

    private static boolean isAmong(long pid, List<ProcessTable.Stat> members) {
        for (ProcessTable.Stat member : members) {
            if (member.pid() == pid) {
                return true;
            }
        }
        return false;
    }
}
