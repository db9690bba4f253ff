// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.internal.wrap;


import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.daemonrunner.DaemonContext;
import org.daemonrunner.ExitStatus;
import org.daemonrunner.internal.daemon.DaemonStreams;
import org.daemonrunner.internal.daemon.Readiness;
import org.daemonrunner.internal.daemon.WrappedProgram;
import org.daemonrunner.internal.launch.Relaunch;

/**
 * The main class of a wrapped program's JVM ({@link ProgramCommand} writes its command line):
 * {@code java [JVM options] -cp PROGRAM_CLASS_PATH:daemonrunner.jar ProgramMain SETTINGS (-jar JAR | -m MODULE/CLASS |
 * CLASS) ARGS...}.
 *
 * <p>It finds the program's main class and {@code main} method as the {@code java} launcher would, before anything
 * else, so that a typo fails at once with the launcher's words. Then it sets the daemon up ({@link WrappedProgram}:
 * the pidfile's lock, the signal map, the readiness watcher) and calls the program's {@code main} with its arguments
 * unchanged, on this thread (named {@code main}), through the system class loader. An exception out of {@code main}
 * is caught here, before any handler the program installed on its main thread can swallow it (Spring Boot's does),
 * named with its root cause on the line {@code start} reports, and thrown on, so that the JVM handles it as it would
 * in the foreground. No agent: {@code -javaagent} alone costs a JVM about 40 ms at start-up.
 */
public final class ProgramMain {
    private ProgramMain() {
    }

    /**
     * Sets the daemon up and runs the program's {@code main}.
     *
     * @param args the settings ({@link ProgramSettings}), how the program is named, then its own arguments
     * @throws Throwable what the program's {@code main} throws, unchanged
     */
    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            fail("usage: ProgramMain SETTINGS (-jar JAR | -m MODULE/CLASS | CLASS) ARGS... (daemonrunner.jar writes"
                    + " this command line; run the program through java -jar daemonrunner.jar)");
        }
        Map<String, String> settings = ProgramSettings.decode(args[0]);
        int named = args[1].equals("-jar") || args[1].equals("-m") ? 3 : 2;
        if (args.length < named) {
            fail(args[1] + " needs a value");
        }
        Class<?> mainClass = mainClass(args[1], args[named - 1]);
        Method main = mainMethod(mainClass, Runtime.version().feature() >= 25);
        String[] programArgs = Arrays.copyOfRange(args, named, args.length);
        // what the java launcher would have set, for the programs that read their command line from it
        System.setProperty("sun.java.command", String.join(" ", Arrays.copyOfRange(args, named - 1, args.length)));

        WrappedProgram program = program(settings);
        program.install();
        try {
            invoke(program, mainClass, main, programArgs);
        } catch (Throwable e) {
            program.mainFailed(e);
            if (program.endsAfterMainFailed()) {
                // as the JVM would handle it (the program's own handler, else the trace), then the end that a start
                // waiting for readiness would otherwise bring about at its timeout
                Thread thread = Thread.currentThread();
                thread.getUncaughtExceptionHandler().uncaughtException(thread, e);
                System.exit(ExitStatus.FAILURE);
            }
            throw e;
        }
        program.mainReturned();
    }

    private static WrappedProgram program(Map<String, String> settings) {
        Path pidfile = Path.of(settings.get(ProgramSettings.PIDFILE));
        DaemonContext.Builder context = DaemonContext.builder();
        if (settings.containsKey(ProgramSettings.UMASK)) {
            context.umask(Integer.parseInt(settings.get(ProgramSettings.UMASK), 8));
        }
        if (settings.containsKey(ProgramSettings.USER)) {
            context.user(settings.get(ProgramSettings.USER));
        }
        if (settings.containsKey(ProgramSettings.GROUP)) {
            context.group(settings.get(ProgramSettings.GROUP));
        }
        return new WrappedProgram(pidfile, Path.of(settings.get(ProgramSettings.STDOUT)),
                Path.of(settings.get(ProgramSettings.STDERR)),
                Readiness.parse(settings.getOrDefault(ProgramSettings.READY, Readiness.MAIN_RETURNED), pidfile.getParent()),
                Duration.ofMillis(Long.parseLong(settings.getOrDefault(ProgramSettings.PIDFILE_TIMEOUT_MS, "10000"))),
                context.build(), Relaunch.isDaemon());
    }

    /** Loads the main class, not yet initialised: a {@code -jar} file's {@code Main-Class}, a module's or a class. */
    private static Class<?> mainClass(String form, String name) {
        String className = name;
        try {
            if (form.equals("-jar")) {
                className = jarMainClass(name);
            } else if (form.equals("-m")) {
                int slash = name.indexOf('/');
                Optional<Module> module = ModuleLayer.boot().findModule(slash < 0 ? name : name.substring(0, slash));
                Optional<String> given = slash >= 0 ? Optional.of(name.substring(slash + 1))
                        : module.flatMap(m -> m.getDescriptor().mainClass());
                if (module.isEmpty() || given.isEmpty()) {
                    fail("module " + name + " is not in the boot layer, or names no main class (MODULE/CLASS)");
                }
                className = given.get();
                Class<?> found = Class.forName(module.get(), className);
                if (found == null) {
                    throw new ClassNotFoundException(className + " in module " + module.get().getName());
                }
                return found;
            }
            className = className.replace('/', '.'); // as the launcher does, for a class and a jar's Main-Class
            return Class.forName(className, false, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            System.err.println("Error: Could not find or load main class " + className);
            System.err.println("Caused by: " + e);
            fail("could not find or load main class " + className + ": " + e);
            return null; // not reached
        }
    }

    private static String jarMainClass(String jar) {
        try (JarFile file = new JarFile(jar)) {
            Manifest manifest = file.getManifest();
            String main = manifest == null ? null : manifest.getMainAttributes().getValue(Attributes.Name.MAIN_CLASS);
            if (main == null || main.isBlank()) {
                fail("no main manifest attribute, in " + jar);
            }
            return main.strip();
        } catch (IOException e) {
            fail("invalid or corrupt jarfile " + jar + " (" + e + ")");
            return null; // not reached
        }
    }

    /**
     * The {@code main} method the {@code java} launcher would call: {@code public static void main(String[])}; from
     * JDK 25 on (JEP 512), a non-private {@code main(String[])} or else {@code main()}, static or not, declared,
     * inherited from a superclass or a default method of an interface, a public one first.
     */
    static Method mainMethod(Class<?> mainClass, boolean instanceMains) {
        if (!instanceMains) {
            try {
                Method main = mainClass.getMethod("main", String[].class);
                if (Modifier.isStatic(main.getModifiers()) && main.getReturnType() == void.class) {
                    return main;
                }
            } catch (NoSuchMethodException e) {
                // said below
            }
            fail("main method not found in class " + mainClass.getName() + ", please define the main method as:"
                    + " public static void main(String[] args)");
        }
        // the order of JDK 25's jdk.internal.misc.MethodFinder
        Method main = findMethod(mainClass, true, true, String[].class);
        if (main == null) {
            main = findMethod(mainClass, false, true, String[].class);
        }
        if (main == null || !isValidMain(main)) {
            main = findMethod(mainClass, false, true);
        }
        if (main == null || !isValidMain(main)) {
            fail("main method not found in class " + mainClass.getName() + ", please define the main method as:"
                    + " public static void main(String[] args) (or, from JDK 25, void main())");
        }
        return main;
    }

    private static boolean isValidMain(Method main) {
        return main.getReturnType() == void.class && !Modifier.isPrivate(main.getModifiers());
    }

    /**
     * The method {@code main(parameters)} of {@code type} as {@code Class.findMethod} finds it: declared there, else
     * in its superclasses, else the most specific one of its interfaces (their static methods are not inherited).
     */
    private static Method findMethod(Class<?> type, boolean publicOnly, boolean includeStatic, Class<?>... parameters) {
        try {
            Method declared = type.getDeclaredMethod("main", parameters);
            int modifiers = declared.getModifiers();
            if ((!publicOnly || Modifier.isPublic(modifiers)) && (includeStatic || !Modifier.isStatic(modifiers))) {
                return declared;
            }
        } catch (NoSuchMethodException e) {
            // inherited, perhaps
        }
        Method found = type.getSuperclass() == null ? null
                : findMethod(type.getSuperclass(), publicOnly, includeStatic, parameters);
        if (found != null) {
            return found; // a class's method wins over an interface's default
        }
        for (Class<?> implemented : type.getInterfaces()) {
            Method candidate = findMethod(implemented, publicOnly, false, parameters);
            if (candidate != null && (found == null
                    || found.getDeclaringClass().isAssignableFrom(candidate.getDeclaringClass()))) {
                found = candidate;
            }
        }
        return found;
    }

    /** Calls {@code main} as the launcher would: a new instance first for an instance {@code main}. */
    private static void invoke(WrappedProgram program, Class<?> mainClass, Method main, String[] args)
            throws Throwable {
        try {
            // as the launcher's GetStaticMethodID does before the call: the named class's static initializer runs
            // first, even when main is inherited (calling Base.main would initialise Base only)
            Class.forName(mainClass.getName(), true, mainClass.getClassLoader());
            Object target = null;
            if (!Modifier.isPublic(main.getModifiers()) || !Modifier.isPublic(main.getDeclaringClass().getModifiers())) {
                main.setAccessible(true);
            }
            if (!Modifier.isStatic(main.getModifiers())) {
                Constructor<?> constructor = mainClass.getDeclaredConstructor();
                if (Modifier.isPrivate(constructor.getModifiers())) {
                    throw new NoSuchMethodException("a non-private constructor without parameters");
                }
                constructor.setAccessible(true);
                target = constructor.newInstance();
            }
            if (main.getParameterCount() == 0) {
                main.invoke(target);
            } else {
                main.invoke(target, (Object) args);
            }
        } catch (InvocationTargetException e) {
            throw e.getCause();
        } catch (ReflectiveOperationException | InaccessibleObjectException e) {
            program.cannotCallMain("cannot call the main method of " + mainClass.getName() + ": " + e);
        }
    }

    /**
     * Ends the JVM before the daemon was set up (nothing to clean up), with the launcher's words on the line
     * {@code start} quotes.
     */
    private static void fail(String message) {
        DaemonStreams.say(message);
        System.err.flush();
        Runtime.getRuntime().halt(ExitStatus.FAILURE);
    }
}
