// SPDX-License-Identifier: Apache-2.0
package org.daemonrunner.examples.systemd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives each test a freshly booted {@link SystemdSandbox} (as a parameter) and tears it down after the test,
 * whether it passed or not. Where the machine cannot run one, the test is skipped, saying why. When a test fails,
 * the sandbox's whole journal is saved to {@code target/systemd-journals/CLASS.METHOD.log} before the teardown,
 * and the end of it is printed.
 */
final class SystemdExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
    /** How long a boot may take: ~0.5 s here, more on a busy machine. */
    static final Duration BOOT_TIMEOUT = Duration.ofSeconds(30);
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SystemdExtension.class);
    private static final int PRINTED_LINES = 60;

    @Override
    public void beforeEach(ExtensionContext context) throws IOException {
        Optional<String> why = SystemdSandbox.whyUnavailable();
        Assumptions.assumeTrue(why.isEmpty(), () -> "no sandboxed systemd on this machine: " + why.orElseThrow());
        context.getStore(NAMESPACE).put(SystemdSandbox.class, SystemdSandbox.boot(BOOT_TIMEOUT));
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        SystemdSandbox sandbox = context.getStore(NAMESPACE).remove(SystemdSandbox.class, SystemdSandbox.class);
        if (sandbox == null) {
            return;
        }
        try {
            if (context.getExecutionException().isPresent()) {
                saveJournal(sandbox, context);
            }
        } finally {
            sandbox.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SystemdSandbox.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getStore(NAMESPACE).get(SystemdSandbox.class, SystemdSandbox.class);
    }

    private static void saveJournal(SystemdSandbox sandbox, ExtensionContext context) {
        String name = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName();
        try {
            String journal = sandbox.journalAfter(null);
            Path dir = Files.createDirectories(Path.of(System.getProperty("basedir", "")).toAbsolutePath()
                    .resolve("target/systemd-journals"));
            Path file = dir.resolve(name + "-" + System.nanoTime() + ".log");
            Files.writeString(file, journal);
            // the end of the journal, without the bus chatter of the test's own systemctl calls
            List<String> lines = journal.lines().filter(line -> !line.contains("Sent message type=")
                    && !line.contains("Bus private-bus-connection") && !line.contains("on private connection")
                    && !line.contains("Failed to send unit change signal")).toList();
            System.out.println("=== " + name + " failed; the sandbox's journal is in " + file + "; its last "
                    + PRINTED_LINES + " lines:\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - PRINTED_LINES), lines.size())));
        } catch (IOException | RuntimeException | AssertionError e) {
            System.out.println("=== " + name + " failed; cannot save the sandbox's journal: " + e);
        }
    }
}
