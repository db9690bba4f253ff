// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.daemonrunner.internal.proc.FileAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files the daemon's JVM reads before it runs the app, told from its command line. */
class JvmFilesTest {
    private static final int READ = FileAccess.READ;
    private static final int SEARCH = FileAccess.EXECUTE;

    @TempDir
    Path dir;

    private List<JvmFiles.Needed> of(String... arguments) {
        return JvmFiles.of(JavaCommand.parse("/opt/jdk/bin/java", List.of(arguments), dir), dir);
    }

    @Test
    void theJavaExecutableTheLastClassPathAndTheModulePathAreNeeded() {
        assertThat(of("-cp", "old.jar", "-javaagent:agent.jar=x", "--class-path", "a.jar:classes", "-p", "mods.jar",
                "com.example.Main", "-cp", "arg.jar")).containsExactly(
                new JvmFiles.Needed(Path.of("/opt/jdk/bin/java"), "the daemon's java", SEARCH, SEARCH),
                new JvmFiles.Needed(dir.resolve("agent.jar"), "agent of the daemon's JVM", READ, READ | SEARCH),
                new JvmFiles.Needed(dir.resolve("a.jar"), "class path of the daemon's JVM", READ, SEARCH),
                new JvmFiles.Needed(dir.resolve("classes"), "class path of the daemon's JVM", READ, SEARCH),
                new JvmFiles.Needed(dir.resolve("mods.jar"), "module path of the daemon's JVM", READ, READ | SEARCH));
    }

    @Test
    void theJarFileIsNeededAndTheClassPathIsNotUsed() {
        assertThat(of("-cp", "a.jar", "-jar", "app.jar", "-cp", "b.jar")).extracting(JvmFiles.Needed::path)
                .containsExactly(Path.of("/opt/jdk/bin/java"), dir.resolve("app.jar"));
    }

    @Test
    void theJarFilesManifestClassPathIsNeededAndTheManifestsOfItsJarsToo() throws IOException {
        Path lib = Files.createDirectory(dir.resolve("lib"));
        jar(dir.resolve("app.jar"), "lib/dep.jar lib/my%20classes/ ../outside.jar");
        jar(lib.resolve("dep.jar"), "more.jar dep.jar"); // relative to lib/; and itself, which is read once
        String what = "Class-Path of %s's manifest";
        assertThat(of("-jar", "app.jar")).containsExactly(
                new JvmFiles.Needed(Path.of("/opt/jdk/bin/java"), "the daemon's java", SEARCH, SEARCH),
                new JvmFiles.Needed(dir.resolve("app.jar"), "the -jar file of the daemon's JVM", READ, READ | SEARCH),
                new JvmFiles.Needed(lib.resolve("dep.jar"), String.format(what, "app.jar"), READ, SEARCH),
                new JvmFiles.Needed(lib.resolve("more.jar"), String.format(what, "dep.jar"), READ, SEARCH),
                new JvmFiles.Needed(lib.resolve("dep.jar"), String.format(what, "dep.jar"), READ, SEARCH),
                new JvmFiles.Needed(lib.resolve("my classes"), String.format(what, "app.jar"), READ, SEARCH),
                new JvmFiles.Needed(dir.getParent().resolve("outside.jar"), String.format(what, "app.jar"), READ,
                        SEARCH));
    }

    @Test
    void theManifestClassPathIsResolvedFromTheJarsRealDirectoryAsTheJvmDoes() throws IOException {
        Path inner = Files.createDirectories(dir.resolve("deep/inner"));
        Files.createSymbolicLink(dir.resolve("l"), Path.of("deep/inner"));
        jar(inner.resolve("app.jar"), "../dep.jar"); // the JVM opens l/app.jar as deep/inner/app.jar: deep/dep.jar
        assertThat(of("-jar", "l/app.jar")).extracting(JvmFiles.Needed::path).containsExactly(
                Path.of("/opt/jdk/bin/java"), dir.resolve("l/app.jar"), dir.toRealPath().resolve("deep/dep.jar"));
    }

    private static void jar(Path path, String classPath) throws IOException {
        java.util.jar.Manifest manifest = new java.util.jar.Manifest();
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(java.util.jar.Attributes.Name.CLASS_PATH, classPath);
        try (java.util.jar.JarOutputStream out = new java.util.jar.JarOutputStream(Files.newOutputStream(path),
                manifest)) {
            out.flush();
        }
    }

    @Test
    void aWildcardEntryNeedsItsDirectoryListedAndEachJarInItRead() throws IOException {
        Path lib = Files.createDirectory(dir.resolve("lib"));
        Files.createFile(lib.resolve("x.jar"));
        Files.createFile(lib.resolve("notes.txt"));
        assertThat(of("-cp", "lib/*", "Main")).containsExactly(
                new JvmFiles.Needed(Path.of("/opt/jdk/bin/java"), "the daemon's java", SEARCH, SEARCH),
                new JvmFiles.Needed(lib, "class path of the daemon's JVM", READ | SEARCH, READ | SEARCH),
                new JvmFiles.Needed(lib.resolve("x.jar"), "class path of the daemon's JVM", READ, READ | SEARCH));
    }
}
