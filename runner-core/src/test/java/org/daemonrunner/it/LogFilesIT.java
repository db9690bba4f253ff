// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.daemonrunner.it.Await.await;
import static org.daemonrunner.it.Daemons.assertExit;
import static org.daemonrunner.it.Daemons.isGone;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.daemonrunner.internal.proc.UserAccount;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The daemon's logs when root starts it, as another user or as root: root never creates, appends to or gives away
 * a file through a path another user could point elsewhere (Tomcat's CVE-2016-1240 pattern).
 */
class LogFilesIT extends ProbeTest {
    private Path usersDirectory;
    private Path rootsDirectory;

    @BeforeEach
    void directories() throws IOException {
        Assumptions.assumeTrue(UserAccount.currentUid() == 0, "needs root (CI runs as root)");
        usersDirectory = Files.createDirectory(dir.resolve("r13"));
        rootsDirectory = Files.createDirectory(dir.resolve("root-only"));
    }

    private List<String> probeForNobody(String... args) throws IOException {
        String classPath = Daemons.classPathForNobody(dir); // also makes dir and everything in it 755/644
        UserPrincipal nobody = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
        Files.setOwner(usersDirectory, nobody);
        Path events = dir.resolve("events.log");
        if (!Files.exists(events)) {
            Files.writeString(events, "");
        }
        Files.setPosixFilePermissions(events, PosixFilePermissions.fromString("rw-rw-rw-"));
        List<String> command = new ArrayList<>(List.of(Daemons.JAVA, "-cp", classPath, ProbeApp.class.getName()));
        command.addAll(List.of(args));
        command.addAll(List.of("--dir", dir.toString(), "--user", "nobody"));
        return command;
    }

    /** A symbolic link in {@code usersDirectory}, as its owner could make it. */
    private Path linkByTheUser(String name, Path target) throws IOException {
        Path link = Files.createSymbolicLink(usersDirectory.resolve(name), target);
        Files.getFileAttributeView(link, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .setOwner(dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        return link;
    }

    @Test
    void aLogLinkedByTheDaemonsUserToAFileOfRootsIsNeitherCreatedNorAppendedTo() throws IOException {
        Path secret = Files.writeString(rootsDirectory.resolve("secret"), "root's own\n");
        List<String> base = probeForNobody("start");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path toCreate = rootsDirectory.resolve("new");
        Path linkToNew = linkByTheUser("x.out", toCreate);
        Path linkToSecret = linkByTheUser("y.out", secret);
        Path linkedDirectory = linkByTheUser("sub", rootsDirectory);

        for (Path log : List.of(linkToNew, linkToSecret, linkedDirectory.resolve("z.out"))) {
            for (String stream : List.of("--stdout", "--stderr")) {
                List<String> command = new ArrayList<>(base);
                command.addAll(List.of(stream, log.toString()));
                Command.Result start = assertExit(daemons.run(command), 4, stream + " " + log);
                assertThat(start.err().strip()).as(stream + " " + log).startsWith("Cannot start: user nobody cannot "
                        + (log == linkToSecret ? "write" : "create") + " standard " + (stream.equals("--stdout")
                        ? "output" : "error") + " log " + log + ": ").endsWith(". The daemon opens its logs as its"
                        + " user: give the user access, or set another path.");
            }
        }
        assertThat(toCreate).as("made by root through the user's link").doesNotExist();
        assertThat(rootsDirectory.resolve("z.out")).as("made by root through the user's link").doesNotExist();
        assertThat(Files.readString(secret)).isEqualTo("root's own\n");
        assertThat(Files.getOwner(secret).getName()).isEqualTo("root");
        assertThat(pidfile).as("nothing made for nobody").doesNotExist();
        assertThat(events()).isEmpty();
    }

    @Test
    void aLogInTheUsersOwnDirectoryIsMadeByTheUserAndWorks() throws IOException {
        Path out = usersDirectory.resolve("own.out");
        Path err = usersDirectory.resolve("own.err");
        List<String> command = probeForNobody("start");
        command.addAll(List.of("--stdout", out.toString(), "--stderr", err.toString()));
        long pid = assertExit(daemons.run(command), 0).startedPid();
        await("the daemon's first line", Duration.ofSeconds(10),
                () -> Daemons.readOrEmpty(out).contains("probe " + pid + " started"));
        assertThat(Files.getOwner(out, LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo("nobody");
        assertThat(Files.getOwner(err, LinkOption.NOFOLLOW_LINKS).getName()).isEqualTo("nobody");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-r--r--");
        assertExit(daemons.run(probeForNobody("stop")), 0);
        assertThat(isGone(pid)).isTrue();
    }

    @Test
    void withDropAfterInitALogInADirectoryTheUserCanWriteIsRefused() throws IOException {
        Path out = usersDirectory.resolve("x.out");
        List<String> command = probeForNobody("start", "--drop-after-init");
        command.addAll(List.of("--stdout", out.toString()));
        Command.Result start = assertExit(daemons.run(command), 4);
        assertThat(start.err().strip()).isEqualTo("Cannot start: standard output log " + out + " is opened by root"
                + " (the daemon drops privileges to nobody only after init), and directory " + usersDirectory
                + " is writable by nobody, who could point it at any file with a symbolic link. Put the log in a"
                + " directory only root can write, or switch users before the JVM starts.");
        assertThat(out).doesNotExist();
        assertThat(events()).isEmpty();
    }

    @Test
    void aDaemonThatStaysRootRefusesALogOrStdinInADirectoryAnotherUserCanWriteAndFollowsNoLinkThere()
            throws IOException {
        Path secret = Files.writeString(rootsDirectory.resolve("secret"), "root's own\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Files.setOwner(usersDirectory, nobody());
        Path link = linkByTheUser("x.out", secret);
        String changeable = " is opened by root, and directory " + usersDirectory + " is writable by nobody, who"
                + " could point it at any file with a symbolic link";

        Command.Result start = assertExit(daemons.run(Daemons.probe("start", "--dir", dir.toString(), "--stdout",
                link.toString())), 4);
        Command.Result wrapped = assertExit(daemons.run(Wrapped.wrapper("--pidfile", pidfile.toString(), "--stdout",
                dir.resolve("w.out").toString(), "--stdin", link.toString(), "start", "--", "-cp", dir.toString(),
                "NoSuchMain")), 4);

        assertThat(start.err().strip()).isEqualTo("Cannot start: standard output log " + link + changeable + ". Put the"
                + " log in a directory only root can write, or run the daemon as its own user (--user;"
                + " DaemonContext.Builder.user), who then opens it.");
        assertThat(wrapped.err().strip()).isEqualTo("Cannot start: standard input " + link + changeable + " (a FIFO"
                + " that would hang start, a device, a file only root may read). Put it in a directory only root can"
                + " write, or run the daemon as its own user (--user; DaemonContext.Builder.user), who then opens it.");
        assertThat(Files.readString(secret)).isEqualTo("root's own\n");
        assertThat(pidfile).doesNotExist();
        assertThat(events()).isEmpty();
    }

    @Test
    void aDaemonThatStaysRootReopensNoLogWhoseNameAnotherUserMadeAgainInAStickyDirectory() throws IOException {
        Path secret = Files.writeString(rootsDirectory.resolve("secret"), "root's own\n");
        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777); // as /tmp: a root-owned entry there is root's to rename
        Path out = Files.writeString(sticky.resolve("out.log"), "");
        Path err = Files.writeString(sticky.resolve("err.log"), "");
        String[] logs = {"--dir", dir.toString(), "--stdout", out.toString(), "--stderr", err.toString()};
        long pid = assertExit(daemons.run(Daemons.probe(with("start", logs))), 0).startedPid();
        Files.move(out, sticky.resolve("out.log.1")); // by root, as logrotate would
        Files.getFileAttributeView(Files.createSymbolicLink(out, secret), PosixFileAttributeView.class,
                LinkOption.NOFOLLOW_LINKS).setOwner(nobody()); // and the name made again by another user

        Command.Result reopen = assertExit(daemons.run(Daemons.probe(with("reopen-logs", logs))), 1);

        assertThat(reopen.err()).contains("Cannot reopen the logs of pid " + pid + ": it says \"pid " + pid
                + " cannot reopen the logs " + out + " and " + err + ": " + out + " would be opened by root, and"
                + " directory " + sticky + " is writable by every user, who could point it at any file with a"
                + " symbolic link; put the logs in a directory only root can write, or run the daemon as its own"
                + " user\".");
        assertExit(daemons.run(Daemons.probe(with("stop", logs))), 0);
        assertThat(isGone(pid)).isTrue();
        assertThat(Files.readString(secret)).isEqualTo("root's own\n");
    }

    private UserPrincipal nobody() throws IOException {
        return dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody");
    }

    private static String[] with(String action, String... options) {
        List<String> all = new ArrayList<>(List.of(action));
        all.addAll(List.of(options));
        return all.toArray(String[]::new);
    }
}
