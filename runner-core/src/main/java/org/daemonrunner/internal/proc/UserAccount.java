// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.daemonrunner.DaemonContext;

/**
 * A user the daemon runs as, with its group and supplementary groups, looked up through {@code getent} (so
 * NSS sources such as LDAP count) without native code.
 *
 * @param name the login name
 * @param uid the user id
 * @param gid the group id the daemon runs with
 * @param groups the supplementary group ids, or null for the user's groups from the group database
 */
public record UserAccount(String name, int uid, int gid, List<Integer> groups) {

    /**
     * Looks up the context's user, group and supplementary groups: the one lookup of the launcher and the daemon.
     *
     * @throws IllegalArgumentException when the user or a group does not exist, naming it
     * @throws IOException when {@code getent} cannot be run
     * @throws java.util.NoSuchElementException when the context names no user
     */
    public static UserAccount of(DaemonContext context) throws IOException {
        return lookup(context.user().orElseThrow(), context.group().orElse(null),
                context.supplementaryGroups().orElse(null));
    }

    /**
     * Looks up {@code user}, and {@code group} (null: the user's primary group) and {@code supplementary}
     * (null: the user's groups).
     *
     * @throws IllegalArgumentException when the user or a group does not exist, naming it
     * @throws IOException when {@code getent} cannot be run
     */
    private static UserAccount lookup(String user, String group, List<String> supplementary) throws IOException {
        String[] passwd = getent("passwd", user, "user");
        int gid = group == null ? Integer.parseInt(passwd[3]) : Integer.parseInt(getent("group", group, "group")[2]);
        List<Integer> groups = null;
        if (supplementary != null) {
            groups = new ArrayList<>();
            for (String name : supplementary) {
                groups.add(Integer.parseInt(getent("group", name, "group")[2]));
            }
        }
        return new UserAccount(passwd[0], Integer.parseInt(passwd[2]), gid, groups);
    }

    /** Returns the effective user id of this process, read from {@code /proc/self}, or -1 if it cannot be read. */
    public static int currentUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Returns the {@code setpriv} command that switches to this account before running the rest. */
    public List<String> setprivPrefix() {
        List<String> prefix = new ArrayList<>(List.of(Command.tool("setpriv"), "--reuid=" + uid, "--regid=" + gid));
        if (groups == null) {
            prefix.add("--init-groups");
        } else if (groups.isEmpty()) {
            prefix.add("--clear-groups");
        } else {
            StringBuilder list = new StringBuilder("--groups=");
            for (int i = 0; i < groups.size(); i++) {
                list.append(i == 0 ? "" : ",").append(groups.get(i));
            }
            prefix.add(list.toString());
        }
        return prefix;
    }

    /**
     * Returns the group ids the daemon runs with: its group, and its supplementary groups (those given, else the
     * user's groups in the group database, as {@code setpriv --init-groups} sets them, read through
     * {@code getent initgroups}).
     *
     * @throws IOException when {@code getent} cannot be run or fails
     */
    public Set<Integer> groupIds() throws IOException {
        Set<Integer> ids = new LinkedHashSet<>(List.of(gid));
        if (groups != null) {
            ids.addAll(groups);
            return ids;
        }
        Command.Result result = Command.run("getent", "initgroups", name);
        if (result.exit() != 0) {
            throw new IOException("getent initgroups " + name + " failed (status " + result.exit() + "): "
                    + result.output());
        }
        String[] fields = result.output().trim().split("\\s+"); // NAME GID...
        for (int i = 1; i < fields.length; i++) {
            ids.add(Integer.parseInt(fields[i]));
        }
        return ids;
    }

    private static String[] getent(String database, String key, String what) throws IOException {
        Command.Result result = Command.run("getent", database, key);
        String out = result.output();
        String[] fields = out.split(":", -1);
        if (result.exit() != 0 || fields.length < (database.equals("passwd") ? 7 : 3)) {
            throw new IllegalArgumentException("no such " + what + " '" + key + "'");
        }
        return fields;
    }

    /** The context's account, looked up at most once (each lookup runs {@code getent}): one per action. */
    public static final class Lookup {
        private final DaemonContext context;
        private UserAccount account;

        /** A lookup of {@code context}'s user; nothing is looked up yet. */
        public Lookup(DaemonContext context) {
            this.context = context;
        }

        /**
         * Returns the account, looking it up the first time.
         *
         * @throws IllegalArgumentException when the user or a group does not exist, naming it
         * @throws IOException when {@code getent} cannot be run
         */
        public UserAccount get() throws IOException {
            if (account == null) {
                account = of(context);
            }
            return account;
        }
    }
}
