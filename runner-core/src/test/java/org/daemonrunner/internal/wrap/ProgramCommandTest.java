// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.spi.ToolProvider;
import org.daemonrunner.internal.launch.JavaCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon JVM's command line for each way of naming a program: ProgramMain runs it, daemonrunner.jar last. */
class ProgramCommandTest {
    private static final String MAIN = ProgramMain.class.getName();
    private static final Path OWN = Path.of("/opt/dr/daemonrunner.jar");
    private static final Path HERE = Path.of("/srv/app");

    @TempDir
    Path dir;

    private static List<String> daemon(String... javaArgs) {
        return daemonOn("/usr/bin/java", javaArgs);
    }

    private static List<String> daemonOn(String java, String... javaArgs) {
        return ProgramCommand.of(JavaCommand.parse(java, List.of(javaArgs), HERE), OWN, "pidfile=/run/a.pid", HERE)
                .arguments(List.of());
    }

    private Path jar(String... attributes) throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        for (int i = 0; i < attributes.length; i += 2) {
            manifest.getMainAttributes().putValue(attributes[i], attributes[i + 1]);
        }
        Path jar = dir.resolve("app.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            return jar;
        }
    }

    @Test
    void theMainClassNamedIsProgramMain() {
        assertThat(ProgramCommand.PROGRAM_MAIN).isEqualTo(ProgramMain.class.getName());
    }

    @Test
    void aJarRunsThroughProgramMainWithItsManifestsOptionsAndDaemonrunnerLastOnTheClassPath() throws IOException {
        Path jar = jar("Main-Class", "com.example.App", "Add-Opens", "java.base/java.lang java.base/java.util",
                "Add-Exports", "java.base/sun.nio.ch");
        assertThat(daemon("-Xmx64m", "-cp", "ignored.jar", "-jar", jar.toString(), "--server.port=8080", "a b"))
                .containsExactly("-Xmx64m", "--add-opens=java.base/java.lang=ALL-UNNAMED",
                        "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
                        "-cp", jar + ":" + OWN, MAIN, "pidfile=/run/a.pid", "-jar", jar.toString(),
                        "--server.port=8080", "a b");
    }

    @Test
    void manifestEntriesTheLauncherWouldSkipAreLeftOutAsItLeavesThemOut() throws IOException {
        Path jar = jar("Main-Class", "App", "Add-Opens", "java.base/java.lang java.base /x jdk.no.such/x.y"
                + " java.base/no.such.pkg", "Add-Exports", "a/b/c java.base/sun.nio.ch");
        String thisJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertThat(daemonOn(thisJava, "-jar", jar.toString())).as("on this JDK: what it has")
                .containsExactly("--add-opens=java.base/java.lang=ALL-UNNAMED",
                        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "-cp", jar + ":" + OWN, MAIN,
                        "pidfile=/run/a.pid", "-jar", jar.toString());
        assertThat(daemonOn("/opt/another-jdk/bin/java", "-jar", jar.toString()))
                .as("on another JDK: every MODULE/PACKAGE, the JVM there decides")
                .containsExactly("--add-opens=java.base/java.lang=ALL-UNNAMED",
                        "--add-opens=jdk.no.such/x.y=ALL-UNNAMED", "--add-opens=java.base/no.such.pkg=ALL-UNNAMED",
                        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "-cp", jar + ":" + OWN, MAIN,
                        "pidfile=/run/a.pid", "-jar", jar.toString());
    }

    @Test
    void manifestEntriesForAModuleOnTheModulePathAreKept() throws IOException {
        Path modules = moduleJar();
        Path jar = jar("Main-Class", "App", "Add-Opens", "hello.mod/hello.pkg hello.mod/no.such.pkg");
        String thisJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        assertThat(daemonOn(thisJava, "-p", modules.toString(), "--add-modules", "hello.mod", "-jar", jar.toString()))
                .contains("--add-opens=hello.mod/hello.pkg=ALL-UNNAMED")
                .doesNotContain("--add-opens=hello.mod/no.such.pkg=ALL-UNNAMED");
    }

    @Test
    void enableNativeAccessOtherThanAllUnnamedIsRefusedFromJdk22AsJavaRefusesIt() throws IOException {
        Path jar = jar("Main-Class", "App", "Enable-Native-Access", "com.example.mod");
        String thisJava = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        if (Runtime.version().feature() >= 22) {
            assertThatThrownBy(() -> daemonOn(thisJava, "-jar", jar.toString()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("illegal value \"com.example.mod\" for the Enable-Native-Access");
        } else {
            assertThat(daemonOn(thisJava, "-jar", jar.toString())).as("before JDK 22 the attribute means nothing")
                    .containsExactly("-cp", jar + ":" + OWN, MAIN, "pidfile=/run/a.pid", "-jar", jar.toString());
        }
    }

    @Test
    void aJarWithoutMainClassOrWithALauncherAgentIsRefusedNamingIt() throws IOException {
        Path plain = jar();
        assertThatThrownBy(() -> daemon("-jar", plain.toString())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no main manifest attribute, in " + plain);
        Path agent = jar("Main-Class", "App", "Launcher-Agent-Class", "com.example.Agent");
        assertThatThrownBy(() -> daemon("-jar", agent.toString())).hasMessageContaining("Launcher-Agent-Class");
    }

    @Test
    void aMainClassKeepsItsClassPathTheLastGivenOneMadeAbsolute() {
        assertThat(daemon("-cp", "first.jar", "-Dx=1", "--class-path", "lib/*:classes", "com.example.App", "x"))
                .containsExactly("-Dx=1", "-cp", "/srv/app/lib/*:/srv/app/classes:" + OWN, MAIN, "pidfile=/run/a.pid",
                        "com.example.App", "x");
    }

    @Test
    void aMainClassWithoutClassPathGetsTheLaunchDirectoryAsDotMeantThereOrClasspath() {
        List<String> argv = daemon("com.example.App");
        String expected = System.getenv("CLASSPATH") == null || System.getenv("CLASSPATH").isEmpty()
                ? HERE + ":" + OWN : null;
        if (expected != null) {
            assertThat(argv).containsExactly("-cp", expected, MAIN, "pidfile=/run/a.pid", "com.example.App");
        } else {
            assertThat(argv.get(1)).endsWith(":" + OWN);
        }
    }

    @Test
    void aCommandLineThatRunsLaterGetsTheClassPathJavaWouldHaveTakenMadeExplicit() {
        JavaCommand classForm = JavaCommand.parse("/usr/bin/java", List.of("-Xmx8m", "com.example.App", "x"), HERE);
        String environment = System.getenv("CLASSPATH");
        String implicit = environment == null || environment.isEmpty() ? HERE.toString() : null;
        if (implicit != null) {
            assertThat(ProgramCommand.withExplicitClassPath(classForm, HERE)).as("the directory it was given in")
                    .containsExactly("-Xmx8m", "-cp", "/srv/app", "com.example.App", "x");
        } else {
            assertThat(ProgramCommand.withExplicitClassPath(classForm, HERE)).contains("-cp");
        }
        JavaCommand given = JavaCommand.parse("/usr/bin/java", List.of("-cp", "lib/*", "App"), HERE);
        assertThat(ProgramCommand.withExplicitClassPath(given, HERE)).containsExactly("-cp", "/srv/app/lib/*", "App");
        JavaCommand jar = JavaCommand.parse("/usr/bin/java", List.of("-jar", "app.jar"), HERE);
        assertThat(ProgramCommand.withExplicitClassPath(jar, HERE)).containsExactly("-jar", "/srv/app/app.jar");
    }

    @Test
    void anEmptyEntryOfClasspathIsTheLaunchDirectory() {
        assertThat(daemon("-cp", "/opt/a.jar:", "com.example.App")).containsSubsequence("-cp",
                "/opt/a.jar:/srv/app:" + OWN);
    }

    /** A modular jar, hello.mod, whose descriptor names its main class hello.pkg.Hello; returns its directory. */
    private Path moduleJar() throws IOException {
        Path source = Files.createDirectories(dir.resolve("src/hello/pkg"));
        Files.writeString(dir.resolve("src/module-info.java"), "module hello.mod { }");
        Files.writeString(source.resolve("Hello.java"), "package hello.pkg; public class Hello {"
                + " public static void main(String[] a) { } }");
        Path classes = dir.resolve("classes");
        Path modules = Files.createDirectories(dir.resolve("mods"));
        assertThat(ToolProvider.findFirst("javac").orElseThrow().run(System.out, System.err, "-d", classes.toString(),
                dir.resolve("src/module-info.java").toString(), source.resolve("Hello.java").toString())).isZero();
        assertThat(ToolProvider.findFirst("jar").orElseThrow().run(System.out, System.err, "--create", "--file",
                modules.resolve("hello.jar").toString(), "--main-class", "hello.pkg.Hello", "-C", classes.toString(), "."))
                .isZero();
        return modules;
    }

    @Test
    void aModuleIsAddedWithItsMainPackageOpenedToProgramMain() throws IOException {
        assertThat(daemon("-p", "mods", "-m", "com.example.app/com.example.app.Main", "x"))
                .containsExactly("-p", "/srv/app/mods", "--add-modules=com.example.app",
                        "--add-opens=com.example.app/com.example.app=ALL-UNNAMED", "-cp", OWN.toString(), MAIN,
                        "pidfile=/run/a.pid", "-m", "com.example.app/com.example.app.Main", "x");
        Path modules = moduleJar();
        assertThat(daemon("--module-path=" + modules, "--module=hello.mod")).as("the main class from the module's descriptor")
                .containsSubsequence("--add-modules=hello.mod", "--add-opens=hello.mod/hello.pkg=ALL-UNNAMED", "-m",
                        "hello.mod");
        assertThatThrownBy(() -> daemon("-m", "no.such.module")).hasMessageContaining("no.such.module")
                .hasMessageContaining("-m no.such.module/CLASS");
    }

    @Test
    void argumentFilesAndSourceFilesAreRefusedSayingWhatToDo() {
        assertThatThrownBy(() -> daemon("@opts", "com.example.App")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("argument file @/srv/app/opts").hasMessageContaining("--config");
        assertThatThrownBy(() -> daemon("App.java")).hasMessageContaining("source-file program /srv/app/App.java")
                .hasMessageContaining("compile it");
    }
}
