// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;

import java.io.File;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.zip.ZipException;
import org.daemonrunner.internal.launch.DaemonPaths;
import org.daemonrunner.internal.launch.JavaCommand;
import org.daemonrunner.internal.proc.IoFailure;

/**
 * The daemon JVM's command line for a program given as {@code JAVA_ARGS}: the program's own JVM options, its class
 * path with daemonrunner.jar last, and {@link ProgramMain} as the main class, which calls the program's {@code main}.
 *
 * <ul>
 *   <li>{@code -jar APP.jar ARGS}: the class path is {@code APP.jar:daemonrunner.jar} (its manifest's
 *       {@code Class-Path} counts as it does with {@code -jar}); what only {@code -jar} reads from the manifest
 *       becomes options: {@code Add-Opens} and {@code Add-Exports} (to {@code ALL-UNNAMED}; the entries the
 *       launcher would skip are left out), and {@code Enable-Native-Access} (JDK 22 and later).
 *       {@code ProgramMain} reads {@code Main-Class} as it starts. A {@code Launcher-Agent-Class} is refused: only
 *       the {@code java} launcher can start it.</li>
 *   <li>{@code CLASS ARGS}: the class path is the program's ({@code -cp}, else {@code CLASSPATH}, else the
 *       directory {@code start} ran in, which is what {@code .} meant there), then daemonrunner.jar.</li>
 *   <li>{@code -m MODULE[/CLASS] ARGS}: the module is added to the boot layer ({@code --add-modules}), and its main
 *       class's package opened to the class path ({@code --add-opens}), for {@code ProgramMain} to call it; without
 *       {@code /CLASS}, the module's own main class, read from its descriptor on the module path. The class path
 *       is the program's ({@code -cp}, else {@code CLASSPATH}, else none), then daemonrunner.jar.</li>
 * </ul>
 * Argument files and source-file programs are refused: their content is not on the command line to be rewritten.
 */
final class ProgramCommand {
    private static final List<String> CLASS_PATH = List.of("-cp", "-classpath", "--class-path");
    /** {@link ProgramMain}'s name; a constant, since naming the class would load it in the launcher (tested). */
    static final String PROGRAM_MAIN = "org.daemonrunner.internal.wrap.ProgramMain";

    private ProgramCommand() {
    }

    /**
     * @param program the program's foreground command, parsed and made absolute
     * @param ownJar daemonrunner.jar
     * @param settings {@link ProgramSettings}, encoded
     * @param launchDirectory the directory {@code start} runs in
     * @throws IllegalArgumentException saying what cannot be run this way, and what to do
     */
    static JavaCommand of(JavaCommand program, Path ownJar, String settings, Path launchDirectory) {
        List<String> options = new ArrayList<>();
        String classPath = null;
        String modulePath = null;
        List<String> given = program.jvmOptions();
        for (int i = 0; i < given.size(); i++) {
            String option = given.get(i);
            if (option.startsWith("@")) {
                throw new IllegalArgumentException("argument file " + option + ": daemonrunner.jar does not read"
                        + " argument files; give their content as JAVA_ARGS, or in --config after the '--' line");
            }
            if (CLASS_PATH.contains(option) && i + 1 < given.size()) {
                classPath = given.get(++i); // the last one counts, as with java
                continue;
            }
            if (option.startsWith("--class-path=")) {
                classPath = option.substring("--class-path=".length());
                continue;
            }
            if ((option.equals("-p") || option.equals("--module-path")) && i + 1 < given.size()) {
                modulePath = given.get(i + 1);
            } else if (option.startsWith("--module-path=")) {
                modulePath = option.substring("--module-path=".length());
            }
            options.add(option);
        }
        List<String> main = program.mainAndArguments();
        if (main.isEmpty()) {
            throw new IllegalArgumentException("the main class is in an argument file: give -jar, -m or the main class"
                    + " on the command line");
        }
        String first = main.get(0);
        List<String> daemonMain = new ArrayList<>(List.of(PROGRAM_MAIN, settings));
        if (first.equals("-jar")) {
            String jar = main.get(1);
            manifestOptions(jar, options, program.isThisJava() ? modules(modulePath) : null, program.feature());
            classPath = jar;
            daemonMain.addAll(main);
        } else if (first.equals("-m") || first.equals("--module") || first.startsWith("--module=")) {
            String module = first.startsWith("--module=") ? first.substring("--module=".length()) : main.get(1);
            String name = module.indexOf('/') < 0 ? module : module.substring(0, module.indexOf('/'));
            String mainClass = module.indexOf('/') < 0 ? descriptorMainClass(name, modulePath)
                    : module.substring(name.length() + 1);
            options.add("--add-modules=" + name);
            if (mainClass.lastIndexOf('.') > 0) {
                options.add("--add-opens=" + name + "/" + mainClass.substring(0, mainClass.lastIndexOf('.')) + "=ALL-UNNAMED");
            }
            daemonMain.add("-m");
            daemonMain.add(module); // as given: ProgramMain reads a main class left out from the descriptor, as java does
            daemonMain.addAll(main.subList(first.startsWith("--module=") ? 1 : 2, main.size()));
            if (classPath == null) {
                classPath = environmentClassPath(launchDirectory); // with -m, java's class path is CLASSPATH or none
            }
        } else if (first.endsWith(".java")) {
            throw new IllegalArgumentException("source-file program " + first + ": daemonrunner.jar cannot wrap a program"
                    + " the java launcher compiles in memory; compile it and give -cp DIR CLASS");
        } else {
            if (classPath == null) {
                String environment = environmentClassPath(launchDirectory);
                classPath = environment == null ? launchDirectory.toString() : environment;
            }
            daemonMain.addAll(main);
        }
        options.add("-cp");
        options.add(classPath == null ? ownJar.toString() : classPath + File.pathSeparator + ownJar);
        return program.withMain(options, daemonMain);
    }

    /**
     * The program's own {@code JAVA_ARGS}, with the class path {@code java} would have taken from the environment
     * or the working directory given as {@code -cp}: for a command line that runs later, from another directory
     * and without this environment (a unit's {@code ExecStart=}).
     */
    static List<String> withExplicitClassPath(JavaCommand program, Path launchDirectory) {
        List<String> options = new ArrayList<>(program.jvmOptions());
        List<String> main = program.mainAndArguments();
        for (String option : options) {
            if (CLASS_PATH.contains(option) || option.startsWith("--class-path=")) {
                return program.arguments(List.of());
            }
        }
        String first = main.isEmpty() ? "-jar" : main.get(0);
        if (first.equals("-jar")) {
            return program.arguments(List.of());
        }
        boolean module = first.equals("-m") || first.equals("--module") || first.startsWith("--module=");
        String implicit = environmentClassPath(launchDirectory);
        if (implicit == null && !module) {
            implicit = launchDirectory.toString();
        }
        if (implicit != null) {
            options.add("-cp");
            options.add(implicit);
        }
        return program.withMain(options, main).arguments(List.of());
    }

    /** The {@code CLASSPATH} environment variable made absolute, or null when it is not set or empty. */
    private static String environmentClassPath(Path launchDirectory) {
        String environment = System.getenv("CLASSPATH");
        return environment == null || environment.isEmpty() ? null : absolute(environment, launchDirectory);
    }

    /**
     * Adds the options that the {@code java} launcher takes from a {@code -jar} file's manifest, or refuses it as
     * the launcher would.
     *
     * @param modules when the daemon runs on the JDK running this code, its modules and the program's module
     *     path: an {@code Add-Opens} or {@code Add-Exports} entry naming a module or package not there is left out,
     *     as the launcher skips it; null on another JDK, where only the entries that are not {@code MODULE/PACKAGE}
     *     are
     * @param feature the daemon's java's feature version ({@link JavaCommand#feature()})
     */
    private static void manifestOptions(String jar, List<String> options, ModuleFinder modules, int feature) {
        Attributes attributes;
        try (JarFile file = new JarFile(jar)) {
            Manifest manifest = file.getManifest();
            attributes = manifest == null ? new Attributes() : manifest.getMainAttributes();
        } catch (ZipException e) {
            throw new IllegalArgumentException("cannot read the jar file " + jar + ": it is not a jar (zip) file ("
                    + e.getMessage() + "). Give -jar the program's jar");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the jar file " + jar + ": " + IoFailure.reason(e)
                    + ". Give -jar the program's jar (a relative path is resolved against the current directory)");
        }
        if (attributes.getValue(Attributes.Name.MAIN_CLASS) == null) {
            throw new IllegalArgumentException("no main manifest attribute, in " + jar + " (its manifest has no Main-Class)");
        }
        if (attributes.getValue("Launcher-Agent-Class") != null) {
            throw new IllegalArgumentException(jar + "'s manifest names a Launcher-Agent-Class, which only the java"
                    + " launcher can start; daemonrunner.jar cannot run it");
        }
        for (String attribute : List.of("Add-Opens", "Add-Exports")) {
            String value = attributes.getValue(attribute);
            if (value != null) {
                for (String modulePackage : value.trim().split("\\s+")) {
                    if (isOpenable(modulePackage, modules)) {
                        options.add("--" + attribute.toLowerCase(Locale.ROOT) + "=" + modulePackage + "=ALL-UNNAMED");
                    }
                }
            }
        }
        String nativeAccess = attributes.getValue("Enable-Native-Access");
        if (nativeAccess != null && !nativeAccess.equals("ALL-UNNAMED") && feature >= 22) {
            throw new IllegalArgumentException("illegal value \"" + nativeAccess + "\" for the Enable-Native-Access"
                    + " manifest attribute of " + jar + ": only 'ALL-UNNAMED' is allowed (java -jar refuses it too)");
        }
        if ("ALL-UNNAMED".equals(nativeAccess) && feature >= 22) {
            for (String option : options) {
                if (option.startsWith("--enable-native-access")) {
                    return; // the command line's own
                }
            }
            options.add("--enable-native-access=ALL-UNNAMED");
        }
    }

    /**
     * Whether an {@code Add-Opens} or {@code Add-Exports} entry is one the launcher applies: {@code MODULE/PACKAGE},
     * and, given {@code modules}, a package of one of them. The launcher skips the others without a word; given as
     * options, a malformed one would end the JVM and an unknown one print a warning.
     */
    private static boolean isOpenable(String modulePackage, ModuleFinder modules) {
        String[] parts = modulePackage.split("/");
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return false;
        }
        return modules == null || modules.find(parts[0])
                .filter(module -> module.descriptor().packages().contains(parts[1])).isPresent();
    }

    /** The modules a JVM given {@code modulePath} can see: those on it, then the JDK's. */
    private static ModuleFinder modules(String modulePath) {
        List<Path> entries = new ArrayList<>();
        if (modulePath != null) {
            for (String entry : modulePath.split(File.pathSeparator)) {
                if (!entry.isEmpty()) {
                    entries.add(Path.of(entry));
                }
            }
        }
        return ModuleFinder.compose(ModuleFinder.of(entries.toArray(Path[]::new)), ModuleFinder.ofSystem());
    }

    /** The main class a module's descriptor names, found on the module path, else among the JDK's modules. */
    private static String descriptorMainClass(String module, String modulePath) {
        Optional<String> mainClass = modules(modulePath).find(module).map(reference -> reference.descriptor())
                .flatMap(ModuleDescriptor::mainClass);
        return mainClass.orElseThrow(() -> new IllegalArgumentException("module " + module + " is not on the module"
                + " path, or its descriptor names no main class: give -m " + module + "/CLASS"));
    }

    /** A path list made absolute; an empty entry is the working directory to the JVM, so {@code base}. */
    private static String absolute(String list, Path base) {
        List<String> entries = new ArrayList<>();
        for (String entry : list.split(File.pathSeparator, -1)) {
            entries.add(DaemonPaths.absolute(base, Path.of(entry)).toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
