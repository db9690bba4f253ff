// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaCommandTest {
    private static final String JAVA = "/usr/lib/jvm/java-17/bin/java";
    private static final Path BASE = Path.of("/srv/app");

    private static JavaCommand parse(String... arguments) {
        return JavaCommand.parse(JAVA, List.of(arguments), BASE);
    }

    @Test
    void keepsTheJavaExecutableAsGiven() {
        assertThat(parse("Main").java()).isEqualTo(JAVA);
    }

    @Test
    void makesRelativeClassPathEntriesAbsoluteAgainstTheBase() {
        JavaCommand command = parse("-cp", "classes:lib/a.jar:../shared/b.jar", "com.example.Main");

        assertThat(command.jvmOptions()).containsExactly("-cp", // no /srv/app here: its .. is left to the kernel
                "/srv/app/classes:/srv/app/lib/a.jar:/srv/app/../shared/b.jar");
        assertThat(command.mainAndArguments()).containsExactly("com.example.Main");
    }

    @Test
    void keepsAbsoluteClassPathEntriesAsTheyAre() {
        JavaCommand command = parse("-cp", "/opt/lib/a.jar:rel.jar:/opt/classes", "com.example.Main");

        assertThat(command.jvmOptions()).containsExactly("-cp", "/opt/lib/a.jar:/srv/app/rel.jar:/opt/classes");
    }

    @Test
    void makesWildcardClassPathEntriesAbsoluteKeepingTheWildcard() {
        JavaCommand command = parse("-cp", "*:lib/*:/opt/lib/*", "com.example.Main");

        assertThat(command.jvmOptions()).containsExactly("-cp", "/srv/app/*:/srv/app/lib/*:/opt/lib/*");
    }

    @Test
    void treatsTheClasspathSpellingLikeCp() {
        JavaCommand command = parse("-classpath", "lib/a.jar", "com.example.Main");

        assertThat(command.jvmOptions()).containsExactly("-classpath", "/srv/app/lib/a.jar");
        assertThat(command.mainAndArguments()).containsExactly("com.example.Main");
    }

    @Test
    void treatsTheLongClassPathOptionWithASeparateValueLikeCp() {
        JavaCommand command = parse("--class-path", "lib/a.jar:b", "com.example.Main");

        assertThat(command.jvmOptions()).containsExactly("--class-path", "/srv/app/lib/a.jar:/srv/app/b");
    }

    @Test
    void rewritesTheLongClassPathOptionWithAnEqualsSign() {
        JavaCommand command = parse("--class-path=lib/a.jar:/opt/b.jar:*", "com.example.Main");

        assertThat(command.jvmOptions()).containsExactly("--class-path=/srv/app/lib/a.jar:/opt/b.jar:/srv/app/*");
        assertThat(command.mainAndArguments()).containsExactly("com.example.Main");
    }

    @Test
    void makesModulePathEntriesAbsolute() {
        JavaCommand command = parse("-p", "mods", "--module-path=more:/opt/mods", "-m", "app/com.example.Main");

        assertThat(command.jvmOptions()).containsExactly("-p", "/srv/app/mods",
                "--module-path=/srv/app/more:/opt/mods");
    }

    @Test
    void makesClassDataArchivesAbsoluteSoThatTheDaemonReadsTheSameOnes() {
        JavaCommand command = parse("-XX:SharedArchiveFile=cds/app.jsa", "-XX:SharedArchiveFile=/opt/base.jsa:top.jsa",
                "-XX:AOTCache=app.aot", "-jar", "app.jar");

        assertThat(command.jvmOptions()).containsExactly("-XX:SharedArchiveFile=/srv/app/cds/app.jsa",
                "-XX:SharedArchiveFile=/opt/base.jsa:/srv/app/top.jsa", "-XX:AOTCache=/srv/app/app.aot");
    }

    @Test
    void theDaemonReadsItsOwnArchiveWhenThereIsOne(@TempDir Path dir) throws IOException {
        Files.createFile(dir.resolve("app-daemon.jsa"));
        Files.createFile(dir.resolve("app-daemon.aot"));

        JavaCommand command = JavaCommand.parse(JAVA, List.of("-XX:SharedArchiveFile=app.jsa", "-XX:AOTCache=app.aot",
                "-XX:SharedArchiveFile=other.jsa", "-jar", "app.jar"), dir);

        assertThat(command.jvmOptions()).containsExactly("-XX:SharedArchiveFile=" + dir.resolve("app-daemon.jsa"),
                "-XX:AOTCache=" + dir.resolve("app-daemon.aot"), "-XX:SharedArchiveFile=" + dir.resolve("other.jsa"));
    }

    @Test
    void withAutoCreateTheDaemonKeepsAnArchiveOfItsOwn() {
        JavaCommand command = parse("-XX:SharedArchiveFile=cds/app.jsa", "-XX:+AutoCreateSharedArchive", "-jar", "a.jar");

        assertThat(command.jvmOptions()).containsExactly("-XX:SharedArchiveFile=/srv/app/cds/app-daemon.jsa",
                "-XX:+AutoCreateSharedArchive");
    }

    @Test
    void autoCreateCountsOnlyAsAJvmOptionAndTheLastOneWins() {
        assertThat(parse("-XX:SharedArchiveFile=a.jsa", "-jar", "app.jar", "-XX:+AutoCreateSharedArchive").jvmOptions())
                .as("an app argument").containsExactly("-XX:SharedArchiveFile=/srv/app/a.jsa");
        assertThat(parse("-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=a.jsa", "-XX:-AutoCreateSharedArchive",
                "Main").jvmOptions()).as("turned off again").contains("-XX:SharedArchiveFile=/srv/app/a.jsa");
    }

    @Test
    void aModulePathBeforeAutoCreateDoesNotEndTheJvmOptions() {
        assertThat(parse("--module-path", "mods", "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=app.jsa",
                "-m", "x/y.Z").jvmOptions()).contains("-XX:SharedArchiveFile=/srv/app/app-daemon.jsa");
        assertThat(parse("--module-path=mods", "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=app.jsa",
                "-m", "x/y.Z").jvmOptions()).contains("-XX:SharedArchiveFile=/srv/app/app-daemon.jsa");
    }

    @Test
    void anEmptyClassPathEntryIsTheLaunchDirectoryAsTheJvmReadsIt() {
        assertThat(parse("-cp", "/opt/a.jar:", "Main").jvmOptions()).containsExactly("-cp", "/opt/a.jar:/srv/app");
        assertThat(parse("-cp", "::lib", "Main").jvmOptions()).containsExactly("-cp", "/srv/app:/srv/app:/srv/app/lib");
    }

    @Test
    void makesTheFilesTheJvmItselfReadsOrWritesAbsolute() {
        assertThat(parse("-XX:VMOptionsFile=conf/jvm.opts", "-XX:HeapDumpPath=dumps", "-XX:ErrorFile=logs/err_%p.log",
                "-XX:Flags=.hotspotrc", "-XX:LogFile=logs/vm.log", "-Xloggc:logs/gc.log", "-Xlog:gc*:file=logs/gc.log:time",
                "-Xlog:safepoint:safepoint.log", "-Xlog:gc:stdout", "-Xlog:gc", "-Xlog:disable",
                "-XX:StartFlightRecording:duration=60s,filename=rec/app.jfr,settings=profile",
                "-XX:StartFlightRecording=filename=app.jfr", "-XX:StartFlightRecording:settings=profile",
                "-XX:StartFlightRecording=filename=\"q.jfr\",duration=1s", "-Xlog:gc::uptime", "-Xlog:gc:stderr:uptime",
                "--patch-module", "java.base=patch:more",
                "--patch-module=jdk.net=p2", "-Dlog.file=logs/app.log", "Main", "data/in.txt").arguments(List.of()))
                .containsExactly("-XX:VMOptionsFile=/srv/app/conf/jvm.opts", "-XX:HeapDumpPath=/srv/app/dumps",
                        "-XX:ErrorFile=/srv/app/logs/err_%p.log", "-XX:Flags=/srv/app/.hotspotrc",
                        "-XX:LogFile=/srv/app/logs/vm.log", "-Xloggc:/srv/app/logs/gc.log",
                        "-Xlog:gc*:file=/srv/app/logs/gc.log:time", "-Xlog:safepoint:file=/srv/app/safepoint.log",
                        "-Xlog:gc:stdout", "-Xlog:gc", "-Xlog:disable",
                        "-XX:StartFlightRecording:duration=60s,filename=/srv/app/rec/app.jfr,settings=profile",
                        "-XX:StartFlightRecording=filename=/srv/app/app.jfr", "-XX:StartFlightRecording:settings=profile",
                        "-XX:StartFlightRecording=filename=\"/srv/app/q.jfr\",duration=1s", "-Xlog:gc::uptime",
                        "-Xlog:gc:stderr:uptime", "--patch-module",
                        "java.base=/srv/app/patch:/srv/app/more", "--patch-module=jdk.net=/srv/app/p2",
                        "-Dlog.file=logs/app.log", "Main", "data/in.txt");
    }

    @Test
    void aLaunchDirectoryWithTheOptionsOwnSeparatorsIsQuotedAndAnEmptyBootEntryStaysEmpty() {
        Path odd = Path.of("/srv/a:b,c=d");
        assertThat(JavaCommand.parse(JAVA, List.of("-Xlog:gc:gc.log", "-Xlog:gc:file=\"q:as.log\":uptime",
                "-XX:StartFlightRecording:filename=r.jfr", "-Xbootclasspath/a:boot.jar:", "-cp", ":x.jar", "Main"), odd)
                .jvmOptions()).containsExactly("-Xlog:gc:file=\"/srv/a:b,c=d/gc.log\"",
                        "-Xlog:gc:file=\"/srv/a:b,c=d/q:as.log\":uptime",
                        "-XX:StartFlightRecording:filename=\"/srv/a:b,c=d/r.jfr\"",
                        "-Xbootclasspath/a:/srv/a:b,c=d/boot.jar:", "-cp", "/srv/a:b,c=d:/srv/a:b,c=d/x.jar");
    }

    @Test
    void givesTheDaemonItsOwnFileForWhatTheJvmWrites() {
        JavaCommand command = parse("-XX:DumpLoadedClassList=train/app.classlist",
                "-XX:ArchiveClassesAtExit=/var/cache/app.jsa", "-XX:AOTCacheOutput=app", "-XX:AOTConfiguration=app.conf",
                "-XX:+UseSerialGC", "-cp", "app.jar", "Main");

        assertThat(command.jvmOptions()).containsExactly("-XX:DumpLoadedClassList=/srv/app/train/app-daemon.classlist",
                "-XX:ArchiveClassesAtExit=/var/cache/app-daemon.jsa", "-XX:AOTCacheOutput=/srv/app/app-daemon",
                "-XX:AOTConfiguration=/srv/app/app-daemon.conf", "-XX:+UseSerialGC", "-cp", "/srv/app/app.jar");
    }

    @Test
    void namesTheDaemonsOwnFileBeforeItsExtensionOnly() {
        assertThat(OptionPaths.daemonsOwn("/a.b/list")).isEqualTo("/a.b/list-daemon");
        assertThat(OptionPaths.daemonsOwn("/a/.hidden")).isEqualTo("/a/.hidden-daemon");
        assertThat(OptionPaths.daemonsOwn("/a/app.tar.jsa")).isEqualTo("/a/app.tar-daemon.jsa");
    }

    @Test
    void makesARelativeJarAbsoluteAndKeepsEverythingAfterItAsAppArguments() {
        JavaCommand command = parse("-Xmx64m", "-jar", "build/app.jar", "-cp", "x", "start",
                "-Ddaemonrunner.foo=1", "@notanargfile", "--class-path=y");

        assertThat(command.jvmOptions()).containsExactly("-Xmx64m");
        assertThat(command.mainAndArguments()).containsExactly("-jar", "/srv/app/build/app.jar", "-cp", "x",
                "start", "-Ddaemonrunner.foo=1", "@notanargfile", "--class-path=y");
    }

    @Test
    void keepsAnAbsoluteJarAsItIs() {
        JavaCommand command = parse("-jar", "/opt/app.jar", "stop");

        assertThat(command.mainAndArguments()).containsExactly("-jar", "/opt/app.jar", "stop");
    }

    @Test
    void namesAJarProgramByTheJarsFileName() {
        String name = parse("-jar", "build/libs/app.jar", "start").programName();

        assertThat(name).endsWith("app.jar").doesNotContain("build/libs").doesNotContain(BASE.toString());
    }

    @Test
    void namesAMainClassProgramByTheClassesSimpleName() {
        assertThat(parse("-cp", "x", "com.example.SleepyApp", "start").programName()).isEqualTo("SleepyApp");
        assertThat(parse("-cp", "x", "SleepyApp").programName()).isEqualTo("SleepyApp");
    }

    @Test
    void keepsAModuleAndClassWithSeparateValueAndItsArguments() {
        JavaCommand command = parse("-Xmx32m", "-m", "app/com.example.Main", "start", "-cp", "z");

        assertThat(command.jvmOptions()).containsExactly("-Xmx32m");
        assertThat(command.mainAndArguments()).containsExactly("-m", "app/com.example.Main", "start", "-cp", "z");
        assertThat(command.programName()).contains("app/com.example.Main");
    }

    @Test
    void keepsTheLongModuleOptionWithAnEqualsSignAndItsArguments() {
        JavaCommand command = parse("-p", "mods", "--module=app", "stop");

        assertThat(command.jvmOptions()).containsExactly("-p", "/srv/app/mods");
        assertThat(command.mainAndArguments()).containsExactly("--module=app", "stop");
        assertThat(command.programName()).isEqualTo("app");
    }

    @Test
    void keepsTheLongModuleOptionWithASeparateValue() {
        JavaCommand command = parse("--module", "app/com.example.Main", "run");

        assertThat(command.jvmOptions()).isEmpty();
        assertThat(command.mainAndArguments()).containsExactly("--module", "app/com.example.Main", "run");
    }

    @Test
    void makesAJavaAgentPathAbsoluteKeepingItsOptions() {
        JavaCommand command = parse("-javaagent:agents/rel.jar=opts,a=b", "-javaagent:plain.jar",
                "-javaagent:/opt/abs.jar=x", "com.example.Main");

        assertThat(command.jvmOptions()).containsExactly("-javaagent:/srv/app/agents/rel.jar=opts,a=b",
                "-javaagent:/srv/app/plain.jar", "-javaagent:/opt/abs.jar=x");
    }

    @Test
    void makesANativeAgentPathAbsoluteKeepingItsOptions() {
        JavaCommand command = parse("-agentpath:lib/agent.so=verbose", "-agentlib:jdwp=transport=dt_socket",
                "com.example.Main");

        assertThat(command.jvmOptions()).containsExactly("-agentpath:/srv/app/lib/agent.so=verbose",
                "-agentlib:jdwp=transport=dt_socket");
    }

    @Test
    void makesAnArgumentFileAbsolute() {
        JavaCommand command = parse("@conf/jvm.args", "@/etc/app.args", "com.example.Main", "@appfile");

        assertThat(command.jvmOptions()).containsExactly("@/srv/app/conf/jvm.args", "@/etc/app.args");
        assertThat(command.mainAndArguments()).containsExactly("com.example.Main", "@appfile");
    }

    @Test
    void dropsDaemonrunnersOwnPropertiesAndKeepsOtherOptionsInOrder() {
        JavaCommand command = parse("-Dfoo=bar", "-Ddaemonrunner.launchDirectory=/old", "-Xmx64m",
                "-Ddaemonrunner.daemon=true", "-Ddaemonrunnerish=kept", "-Dlog.file=logs/app.log",
                "-XX:+UseSerialGC", "com.example.Main", "-Ddaemonrunner.appArgument=kept");

        assertThat(command.jvmOptions()).containsExactly("-Dfoo=bar", "-Xmx64m", "-Ddaemonrunnerish=kept",
                "-Dlog.file=logs/app.log", "-XX:+UseSerialGC");
        assertThat(command.mainAndArguments()).containsExactly("com.example.Main",
                "-Ddaemonrunner.appArgument=kept");
    }

    @Test
    void doesNotMistakeTheValueOfAnOptionForTheMainClass() {
        JavaCommand command = parse("--add-opens", "java.base/java.lang=ALL-UNNAMED", "--add-exports",
                "java.base/sun.nio.ch=ALL-UNNAMED", "--add-modules", "jdk.unsupported", "--add-reads",
                "a=b", "--limit-modules", "java.base", "--patch-module", "java.base=patch",
                "--add-opens=java.base/java.io=ALL-UNNAMED", "com.example.Main", "start");

        assertThat(command.jvmOptions()).containsExactly("--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "--add-exports", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-modules", "jdk.unsupported",
                "--add-reads", "a=b", "--limit-modules", "java.base", "--patch-module", "java.base=/srv/app/patch",
                "--add-opens=java.base/java.io=ALL-UNNAMED");
        assertThat(command.mainAndArguments()).containsExactly("com.example.Main", "start");
        assertThat(command.programName()).isEqualTo("Main");
    }

    @Test
    void makesASourceFileMainAbsolute() {
        JavaCommand command = parse("--source", "17", "scripts/Hello.java", "start");

        assertThat(command.jvmOptions()).containsExactly("--source", "17");
        assertThat(command.mainAndArguments()).containsExactly("/srv/app/scripts/Hello.java", "start");
    }

    @Test
    void keepsAnArgumentFileThatHoldsTheMainClassInPlace() {
        JavaCommand command = parse("-Xmx64m", "@conf/java.args");

        assertThat(command.arguments(List.of("-Dx=1"))).containsExactly("-Dx=1", "-Xmx64m",
                "@/srv/app/conf/java.args");
        assertThat(command.programName()).isEqualTo("daemon");
    }

    @Test
    void rejectsACommandLineWithoutAMainClass() {
        assertThatThrownBy(() -> parse("-Xmx64m", "-cp", "lib/*", "-Dfoo=bar"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("names no main class")
                .hasMessageContaining("-Xmx64m");
    }

    @Test
    void rejectsAnEmptyCommandLine() {
        assertThatThrownBy(() -> parse()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsACommandLineThatEndsBeforeAnOptionsValue() {
        assertThatThrownBy(() -> parse("-cp")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-cp");
        assertThatThrownBy(() -> parse("-jar")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-jar");
        assertThatThrownBy(() -> parse("-m")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-m");
    }

    @Test
    void insertsExtraOptionsBeforeTheJvmOptionsAndTheMainClass() {
        JavaCommand command = parse("-Xmx64m", "-cp", "lib/*", "-Ddaemonrunner.launchDirectory=/old",
                "com.example.Main", "start");

        assertThat(command.arguments(List.of("-Ddaemonrunner.launchDirectory=/new", "-Dx=y")))
                .containsExactly("-Ddaemonrunner.launchDirectory=/new", "-Dx=y", "-Xmx64m", "-cp",
                        "/srv/app/lib/*", "com.example.Main", "start");
    }

    @Test
    void insertsExtraOptionsBeforeTheJar() {
        JavaCommand command = parse("-Xmx64m", "-jar", "app.jar", "stop");

        assertThat(command.arguments(List.of("-Dx=y")))
                .containsExactly("-Dx=y", "-Xmx64m", "-jar", "/srv/app/app.jar", "stop");
        assertThat(command.arguments(List.of())).containsExactly("-Xmx64m", "-jar", "/srv/app/app.jar", "stop");
    }

    @Test
    void returnsListsThatCannotBeChanged() {
        JavaCommand command = parse("-Xmx64m", "com.example.Main");

        assertThatThrownBy(() -> command.jvmOptions().add("x")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> command.mainAndArguments().add("x"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void onlyTheJavaLauncherCanBeRunAgain() {
        JavaCommand.requireJavaLauncher(JAVA);
        assertThatThrownBy(() -> JavaCommand.requireJavaLauncher("/opt/app/bin/app"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("this program runs from /opt/app/bin/app, a native launcher (as a jpackage app image has),"
                        + " not from the java launcher, so its command line cannot be run again as the daemon");
    }

    @Test
    void aModuleCommandGetsJdkUnsupportedForTheDaemonsSignalHandlers() {
        assertThat(parse("-p", "app.jar", "-m", "app/org.example.Main", "start").daemonOptions(BASE))
                .contains("--add-modules=jdk.unsupported");
        assertThat(parse("-p", "app.jar", "--module=app/org.example.Main", "start").daemonOptions(BASE))
                .contains("--add-modules=jdk.unsupported");
        assertThat(parse("--add-modules", "jdk.unsupported", "-p", "app.jar", "-m", "app/org.example.Main")
                .daemonOptions(BASE)).noneMatch(o -> o.startsWith("--add-modules"));
        assertThat(parse("-cp", "app.jar", "org.example.Main", "start").daemonOptions(BASE))
                .noneMatch(o -> o.startsWith("--add-modules"))
                .contains("-D" + Relaunch.LAUNCH_DIRECTORY_PROPERTY + "=" + BASE, "-XX:+DisplayVMOutputToStderr");
        String thisJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        if (Runtime.version().feature() >= 24) {
            assertThat(JavaCommand.parse(thisJava, List.of("-p", "app.jar", "-m", "app/org.example.Main"), BASE)
                    .daemonOptions(BASE)).contains("--enable-native-access=ALL-UNNAMED,app");
        }
    }

    /** A JDK's layout as far as the feature version goes: {@code bin/java} and a {@code release} file. */
    private static String jdk(Path dir, String javaVersion) throws IOException {
        Files.createDirectories(dir.resolve("bin"));
        Files.writeString(dir.resolve("release"), "IMPLEMENTOR=\"Test\"\nJAVA_VERSION=\"" + javaVersion + "\"\n");
        return Files.writeString(dir.resolve("bin/java"), "").toString();
    }

    @Test
    void theOptionsForNewerJvmsFollowTheDaemonsJavaNotTheLaunchers(@TempDir Path dir) throws IOException {
        String jdk17 = jdk(dir.resolve("jdk17"), "17.0.15");
        String jdk25 = jdk(dir.resolve("jdk25"), "25.0.3");
        assertThat(JavaCommand.parse(jdk17, List.of("-jar", "app.jar"), BASE).feature()).isEqualTo(17);
        assertThat(JavaCommand.parse(jdk17, List.of("-jar", "app.jar"), BASE).daemonOptions(BASE))
                .as("JDK 17 refuses them").noneMatch(o -> o.startsWith("--sun-misc") || o.startsWith("--enable-native"));
        assertThat(JavaCommand.parse(jdk25, List.of("-jar", "app.jar"), BASE).daemonOptions(BASE))
                .contains("--sun-misc-unsafe-memory-access=allow", "--enable-native-access=ALL-UNNAMED");
        assertThat(JavaCommand.parse(jdk(dir.resolve("jdk8"), "1.8.0_402"), List.of("Main"), BASE).feature()).isEqualTo(8);
        assertThat(JavaCommand.parse("/no/such/java", List.of("Main"), BASE).feature()).as("not told").isZero();
    }
}
