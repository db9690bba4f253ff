// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.proc;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** Whether another user may reach a file, told from its owner, group and mode bits as the kernel tells it. */
@EnabledOnOs(OS.LINUX)
class FileAccessTest {
    private static final int OTHER_UID = 65534;

    @TempDir
    Path dir;
    String ownerGroup;
    int fileGid;

    @BeforeEach
    void setUp() throws IOException {
        chmod(dir, "rwxr-xr-x");
        PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class);
        ownerGroup = attributes.owner().getName() + ":" + attributes.group().getName();
        fileGid = (Integer) Files.getAttribute(dir, "unix:gid");
    }

    private static Path chmod(Path path, String permissions) throws IOException {
        return Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
    }

    /** Another user, in no group of the test's files unless {@code groups} says so; no lookup needed. */
    private static FileAccess other(List<Integer> groups) {
        return new FileAccess(new UserAccount("someone", OTHER_UID, 54321, groups));
    }

    @Test
    void aFileReadableByOthersInSearchableDirectoriesCanBeRead() throws IOException {
        Path jar = chmod(Files.createFile(dir.resolve("a.jar")), "rw-r--r--");
        assertThat(other(List.of()).denial(jar, FileAccess.READ, FileAccess.READ | FileAccess.EXECUTE)).isEmpty();
    }

    @Test
    void aDirectoryOnTheWayThatOthersCannotSearchIsNamedWithItsModeAndOwner() throws IOException {
        Path secret = Files.createDirectory(dir.resolve("secret"));
        Path jar = chmod(Files.createFile(secret.resolve("a.jar")), "rw-r--r--");
        chmod(secret, "rwx------");
        assertThat(other(List.of()).denial(jar, FileAccess.READ, FileAccess.READ))
                .contains(secret + " is drwx------ " + ownerGroup);
    }

    @Test
    void theFileItselfIsNamedWhenItsBitsRefuseIt() throws IOException {
        Path jar = chmod(Files.createFile(dir.resolve("a.jar")), "rw-------");
        assertThat(other(List.of()).denial(jar, FileAccess.READ, FileAccess.READ))
                .contains(jar + " is -rw------- " + ownerGroup);
        Path java = chmod(Files.createFile(dir.resolve("java")), "rwxr--r--");
        assertThat(other(List.of()).denial(java, FileAccess.EXECUTE, FileAccess.EXECUTE))
                .contains(java + " is -rwxr--r-- " + ownerGroup);
    }

    @Test
    void theGroupBitsCountForAMemberOfTheFilesGroupOnly() throws IOException {
        Path jar = chmod(Files.createFile(dir.resolve("a.jar")), "rw-r-----");
        assertThat(other(List.of(fileGid)).denial(jar, FileAccess.READ, FileAccess.READ)).isEmpty();
        assertThat(other(List.of()).denial(jar, FileAccess.READ, FileAccess.READ)).isPresent();
        FileAccess primary = new FileAccess(new UserAccount("someone", OTHER_UID, fileGid, List.of()));
        assertThat(primary.denial(jar, FileAccess.READ, FileAccess.READ)).isEmpty();
    }

    @Test
    void aSymbolicLinkIsFollowedToWhereItsTargetLives() throws IOException {
        Path secret = Files.createDirectory(dir.resolve("secret"));
        Path jar = chmod(Files.createFile(secret.resolve("a.jar")), "rw-r--r--");
        chmod(secret, "rwx--x---");
        Path link = Files.createSymbolicLink(dir.resolve("link.jar"), jar);
        assertThat(other(List.of()).denial(link, FileAccess.READ, FileAccess.READ))
                .contains(secret + " is drwx--x--- " + ownerGroup);
    }

    @Test
    void aMissingFileIsNotRefused() {
        assertThat(other(List.of()).denial(dir.resolve("missing.jar"), FileAccess.READ, FileAccess.READ)).isEmpty();
    }
}
